//go:build !windows

package logger

import (
	"fmt"
	"log/syslog"
)

// NewSysLogger connects to the local syslog daemon (/dev/log,
// /var/run/syslog or /var/run/log) with facility daemon, as nats-server's
// -s does. The daemon receives, per message, the standard library's local
// format: "<PRI>Jan  2 15:04:05 tag[pid]: message\n". Trace messages are
// notices, fatal ones critical.
func NewSysLogger(tag string, c Config) (*SysLogger, error) {
	w, err := syslog.New(syslog.LOG_DAEMON|syslog.LOG_NOTICE, tag)
	if err != nil {
		return nil, fmt.Errorf("error connecting to syslog: %w", err)
	}
	return NewSysLoggerTo(syslogWriter{w}, c), nil
}

// NewRemoteSysLogger connects to the syslog server at rawURL (see
// SyslogAddr) as nats-server's -r does: over udp and tcp each message is
// "<PRI>2006-01-02T15:04:05Z07:00 hostname tag[pid]: message\n" with
// facility 0 (PRI is the severity alone: <5> for a notice), byte for byte
// what nats-server sends. A unix socket gets the local format, and is tried
// as a datagram socket (what syslog daemons listen on) before a stream one.
func NewRemoteSysLogger(rawURL, tag string, c Config) (*SysLogger, error) {
	network, addr, err := SyslogAddr(rawURL)
	if err != nil {
		return nil, err
	}
	var w *syslog.Writer
	if network == "unix" {
		w, err = syslog.Dial("unixgram", addr, syslog.LOG_DEBUG, tag)
	}
	if network != "unix" || err != nil {
		w, err = syslog.Dial(network, addr, syslog.LOG_DEBUG, tag)
	}
	if err != nil {
		return nil, fmt.Errorf("error connecting to syslog: %w", err)
	}
	return NewSysLoggerTo(syslogWriter{w}, c), nil
}

// syslogWriter maps the levels onto syslog severities as nats-server does.
type syslogWriter struct{ w *syslog.Writer }

func (s syslogWriter) Notice(m string) error  { return s.w.Notice(m) }
func (s syslogWriter) Warning(m string) error { return s.w.Warning(m) }
func (s syslogWriter) Error(m string) error   { return s.w.Err(m) }
func (s syslogWriter) Fatal(m string) error   { return s.w.Crit(m) }
func (s syslogWriter) Debug(m string) error   { return s.w.Debug(m) }
func (s syslogWriter) Trace(m string) error   { return s.w.Notice(m) }
func (s syslogWriter) Close() error           { return s.w.Close() }
