package instance

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/broker/logger"
	"github.com/natsvisor/natsvisor/logrotate"
)

// logTarget is where an instance's log lines go.
type logTarget int

const (
	toStderr logTarget = iota
	toNothing
	toFile
	toRemoteSyslog
	toSyslog
)

// targetOf picks the log's destination as nats-server does: nothing with
// NoLog, else the log file, else remote_syslog, else syslog, else stderr. A
// Windows service with no log file logs to the Event Log (syslog there).
func targetOf(opts *broker.Options, env Env) logTarget {
	switch {
	case opts.NoLog:
		return toNothing
	case opts.LogFile != "":
		return toFile
	case opts.RemoteSyslog != "":
		return toRemoteSyslog
	case opts.Syslog, env.Service && serviceLogsToSyslog:
		return toSyslog
	}
	return toStderr
}

// fileLogger is the logger of a log file: broker.Server.ReopenLog reopens
// it (it is a broker.LogReopener).
type fileLogger struct {
	*logger.Logger
	w *logrotate.Writer
}

// Reopen closes the file; the next line opens its path again.
func (f *fileLogger) Reopen() error { return f.w.Reopen() }

// openLog returns the logger opts ask for (nil for NoLog) and a func that
// closes its file or connection.
func openLog(opts *broker.Options, env Env, stderr io.Writer) (broker.Logger, func(), error) {
	cfg := logger.Config{Time: opts.Logtime, UTC: opts.LogtimeUTC, Debug: opts.Debug,
		Trace: opts.Trace || opts.TraceVerbose, PID: os.Getpid()}
	switch targetOf(opts, env) {
	case toNothing:
		return nil, func() {}, nil
	case toFile:
		w, err := logrotate.New(logrotate.Config{Path: opts.LogFile, MaxSize: opts.LogSizeLimit,
			MaxBackups: keptBackups(opts.LogMaxFiles)})
		if err != nil {
			return nil, nil, fmt.Errorf("error opening file: %w", err)
		}
		return &fileLogger{Logger: logger.New(w, cfg), w: w}, func() { _ = w.Close() }, nil
	case toRemoteSyslog:
		l, err := logger.NewRemoteSysLogger(opts.RemoteSyslog, env.syslogTag(), cfg)
		if err != nil {
			return nil, nil, err
		}
		return l, func() { _ = l.Close() }, nil
	case toSyslog:
		l, err := logger.NewSysLogger(env.syslogTag(), cfg)
		if err == nil {
			return l, func() { _ = l.Close() }, nil
		}
		if opts.Syslog {
			return nil, nil, err
		}
		// A service's Event Log, which nobody asked for by name: say why
		// it is not used, rather than fail the start.
		fmt.Fprintf(stderr, "natsvisor: %v; logging to stderr instead (give the instance a log file: -l <file>)\n", err)
	}
	cfg.Colors = isTerminal(stderr)
	return logger.New(stderr, cfg), func() {}, nil
}

// keptBackups turns logfile_max_num, which counts the current file too,
// into logrotate's count of rotated files: 1 keeps none, 0 or less all.
func keptBackups(maxFiles int) int {
	switch {
	case maxFiles <= 0:
		return 0
	case maxFiles == 1:
		return -1
	}
	return maxFiles - 1
}

// syslogTag names the process in syslog and is its Event Log source: the
// instance's name, else the executable's (nats-server's tag).
func (e Env) syslogTag() string {
	if e.Name != "" {
		return e.Name
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
}

// isTerminal reports whether w is a character device, as nats-server checks
// before colouring its labels.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
