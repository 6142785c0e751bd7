package logger

import (
	"fmt"
	"net/url"
)

// SysWriter is where a SysLogger sends each message, by level: the syslog
// daemon on Unix, the Event Log on Windows. One call is one message.
type SysWriter interface {
	Notice(msg string) error
	Warning(msg string) error
	Error(msg string) error
	Fatal(msg string) error
	Debug(msg string) error
	Trace(msg string) error
	Close() error
}

// SysLogger logs to the system's log as nats-server does: each message
// alone, with no pid, time or label, since the receiver records its own
// (see NewSysLogger and NewRemoteSysLogger for the wire format). It has the
// method set of broker.Logger and is safe for concurrent use if its
// SysWriter is (the standard library's syslog.Writer and the Event Log are).
type SysLogger struct {
	w            SysWriter
	debug, trace bool
}

// NewSysLoggerTo returns a SysLogger writing to w; c's Debug and Trace say
// whether Debugf and Tracef log (its time, pid and colour settings do not
// apply).
func NewSysLoggerTo(w SysWriter, c Config) *SysLogger {
	return &SysLogger{w: w, debug: c.Debug, trace: c.Trace}
}

// Noticef logs a notice.
func (l *SysLogger) Noticef(format string, v ...any) { _ = l.w.Notice(fmt.Sprintf(format, v...)) }

// Warnf logs a warning.
func (l *SysLogger) Warnf(format string, v ...any) { _ = l.w.Warning(fmt.Sprintf(format, v...)) }

// Errorf logs an error.
func (l *SysLogger) Errorf(format string, v ...any) { _ = l.w.Error(fmt.Sprintf(format, v...)) }

// Fatalf logs a fatal error; it does not exit the process.
func (l *SysLogger) Fatalf(format string, v ...any) { _ = l.w.Fatal(fmt.Sprintf(format, v...)) }

// Debugf logs a debug message when Debug is enabled.
func (l *SysLogger) Debugf(format string, v ...any) {
	if l.debug {
		_ = l.w.Debug(fmt.Sprintf(format, v...))
	}
}

// Tracef logs a trace message when Trace is enabled.
func (l *SysLogger) Tracef(format string, v ...any) {
	if l.trace {
		_ = l.w.Trace(fmt.Sprintf(format, v...))
	}
}

// Close closes the connection to the system's log.
func (l *SysLogger) Close() error { return l.w.Close() }

// SyslogAddr splits a remote_syslog URL into a network and an address for
// net.Dial: udp://host:port and tcp://host:port give the host and port,
// unix:///path the path. Anything else is an error naming the forms.
func SyslogAddr(rawURL string) (network, addr string, err error) {
	u, err := url.Parse(rawURL)
	if err == nil {
		switch {
		case (u.Scheme == "udp" || u.Scheme == "tcp") && u.Host != "":
			return u.Scheme, u.Host, nil
		case u.Scheme == "unix" && u.Path != "":
			return u.Scheme, u.Path, nil
		}
	}
	return "", "", fmt.Errorf("remote_syslog %q: want udp://host:port, tcp://host:port or unix:///path", rawURL)
}
