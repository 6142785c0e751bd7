// Package instance runs and describes natsvisor broker instances.
package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/broker/conf"
	"github.com/natsvisor/natsvisor/broker/logger"
	"github.com/natsvisor/natsvisor/startup"
)

// Exit codes of Run, and so of `natsvisor run`.
const (
	// ExitOK: the broker ran and stopped on request (SIGINT, SIGTERM, or
	// the context ending).
	ExitOK = 0
	// ExitStartup: the broker could not start: the log file could not be
	// opened, the options were invalid, or the listener could not be opened
	// (port in use, say). Retrying may succeed once the cause is gone.
	ExitStartup = 1
	// ExitUsage: the arguments are wrong (unknown, unsupported or malformed
	// flag). Retrying cannot succeed; a service manager should not restart.
	ExitUsage = 2
	// ExitConfig: the config file is invalid (or, with -t, has warnings).
	// Retrying cannot succeed until the file is fixed.
	ExitConfig = 3
)

// Run is the body of `natsvisor run`: it parses nats-server flags from args,
// opens the log (the -l file, appended to, else stderr), starts the broker
// and serves until SIGINT or SIGTERM arrives or ctx ends, then shuts the
// broker down gracefully and returns ExitOK. Failures return ExitStartup or
// ExitUsage after saying why, on stderr or as an [FTL] log line.
//
// Help and version requests (-h, -v) are not broker flags: the CLI answers
// them, and Run refuses them with ExitUsage. Run writes nothing to stdout
// today; the parameter is where command output such as a config check goes.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunReady(ctx, args, stdout, stderr, nil)
}

// RunReady is Run that calls ready, when not nil, once the broker accepts
// connections on every listener: how a service manager (the Windows SCM)
// learns that the broker is up.
func RunReady(ctx context.Context, args []string, stdout, stderr io.Writer, ready func()) int {
	opts, err := broker.ParseArgs(args)
	if errors.Is(err, broker.ErrHelp) || errors.Is(err, broker.ErrVersion) {
		fmt.Fprintf(stderr, "natsvisor: %v: ask with `natsvisor run --help` or `natsvisor version`\n", err)
		return ExitUsage
	}
	var cerr *broker.ConfigError
	if errors.As(err, &cerr) && !broker.IsWarningsOnly(err) || err != nil && opts == nil && isConfigErr(err) {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitConfig
	}
	if err != nil && opts == nil {
		fmt.Fprintf(stderr, "natsvisor: %v\nRun 'natsvisor run --help' for the supported flags.\n", err)
		return ExitUsage
	}
	if opts.CheckConfig {
		return checkConfig(opts, err, stdout, stderr)
	}
	return serve(ctx, opts, err, stderr, ready)
}

// isConfigErr tells a config file's read or syntax error from a flag error.
func isConfigErr(err error) bool {
	var ce *conf.Error
	var pe *fs.PathError
	return errors.As(err, &ce) || errors.As(err, &pe)
}

// checkConfig is -t: report the config and exit, as nats-server does;
// warnings count as failures.
func checkConfig(opts *broker.Options, warnings error, stdout, stderr io.Writer) int {
	if warnings != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", warnings)
		return ExitConfig
	}
	if opts.ConfigFile == "" {
		fmt.Fprintln(stderr, "natsvisor: -t needs a configuration file (-c)")
		return ExitUsage
	}
	fmt.Fprintf(stderr, "natsvisor: configuration file %s is valid (%s)\n", opts.ConfigFile, opts.ConfigDigest())
	return ExitOK
}

// serve runs one broker with opts until it is asked to stop; warnings from
// the config file are logged first, and ready (when not nil) is called once
// the broker accepts connections.
func serve(ctx context.Context, opts *broker.Options, warnings error, stderr io.Writer, ready func()) int {
	log, closeLog, err := openLog(opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitStartup
	}
	closeOnce := onceFunc(closeLog)
	defer closeOnce()
	if warnings != nil && log != nil {
		for _, w := range strings.Split(warnings.Error(), "\n") {
			log.Warnf("%s", w)
		}
	}

	s, err := broker.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitStartup
	}
	if log != nil {
		s.SetLogger(log)
		s.SetLoggerFactory(func(o *broker.Options) (broker.Logger, func(), error) {
			l, c, err := openLog(o, stderr)
			if err != nil || l == nil {
				return nil, c, err // nil: the broker logs nothing
			}
			return l, c, nil
		}, closeOnce)
	}

	// Trap before Start, so a signal during start-up is not fatal.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, shutdownSignals...)
	defer signal.Stop(sigs)
	reloads := make(chan os.Signal, 1)
	if len(reloadSignals) > 0 {
		signal.Notify(reloads, reloadSignals...)
		defer signal.Stop(reloads)
	}

	if err := s.Start(); err != nil {
		fatal(log, opts, stderr, err)
		return ExitStartup
	}
	if err := s.ReadyForConnections(startupTimeout); err != nil {
		fatal(log, opts, stderr, err)
		s.Shutdown()
		return ExitStartup
	}
	_ = startup.Ready() // systemd Type=notify: `systemctl start` returns
	if ready != nil {
		ready()
	}
	return trap(ctx, s, sigs, reloads)
}

// trap serves until a shutdown signal, the context's end or the broker's
// own stop, reloading on each reload signal, and tells the service manager
// (sd_notify) about reloads and the shutdown.
func trap(ctx context.Context, s *broker.Server, sigs, reloads chan os.Signal) int {
	for {
		select {
		case sig := <-reloads:
			s.Logger().Noticef("Trapped %q signal", sig.String())
			_ = startup.Reloading()
			_ = s.Reload() // logged and recorded by the broker
			_ = startup.Ready()
			continue
		case sig := <-sigs:
			// A second signal gets the default action: a stuck shutdown can
			// still be interrupted.
			signal.Stop(sigs)
			s.Logger().Noticef("Trapped %q signal", sig.String())
			_ = startup.Stopping()
			s.Shutdown()
		case <-ctx.Done():
			_ = startup.Stopping()
			s.Shutdown()
		case <-s.Done():
		}
		return ExitOK
	}
}

// onceFunc makes f safe to call more than once.
func onceFunc(f func()) func() {
	var once sync.Once
	return func() { once.Do(f) }
}

// openLog returns the logger opts ask for (nil for NoLog) and a func that
// closes its file.
func openLog(opts *broker.Options, stderr io.Writer) (*logger.Logger, func(), error) {
	cfg := logger.Config{Time: opts.Logtime, UTC: opts.LogtimeUTC, Debug: opts.Debug,
		Trace: opts.Trace || opts.TraceVerbose, PID: os.Getpid()}
	switch {
	case opts.NoLog:
		return nil, func() {}, nil
	case opts.LogFile == "":
		cfg.Colors = isTerminal(stderr)
		return logger.New(stderr, cfg), func() {}, nil
	}
	f, err := os.OpenFile(opts.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("error opening file: %w", err)
	}
	return logger.New(f, cfg), func() { _ = f.Close() }, nil
}

// fatal reports a start-up failure as nats-server does, with an [FTL] line
// in the log. When the log is a file, stderr gets the reason too, so a user
// in a terminal is not left with a silent exit.
func fatal(log *logger.Logger, opts *broker.Options, stderr io.Writer, err error) {
	msg := capitalize(err.Error())
	_ = startup.Status(msg) // what `natsvisor status` and systemctl show
	if log != nil {
		log.Fatalf("%s", msg)
	}
	if log == nil || opts.LogFile != "" {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
	}
}

// capitalize upper-cases the first letter: Go errors start lower-case,
// nats-server's log lines ("Error listening on port: ...") do not.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
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
