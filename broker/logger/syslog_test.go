package logger

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// recorder is a SysWriter and an EventLog that records each call.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return nil
}

func (r *recorder) Notice(m string) error  { return r.add("notice " + m) }
func (r *recorder) Warning(m string) error { return r.add("warning " + m) }
func (r *recorder) Error(m string) error   { return r.add("error " + m) }
func (r *recorder) Fatal(m string) error   { return r.add("fatal " + m) }
func (r *recorder) Debug(m string) error   { return r.add("debug " + m) }
func (r *recorder) Trace(m string) error   { return r.add("trace " + m) }
func (r *recorder) Close() error           { return r.add("close") }

// eventRecorder is an EventLog that records each event.
type eventRecorder struct{ recorder }

func (e *eventRecorder) Info(id uint32, m string) error {
	return e.add(fmt.Sprintf("info %d %s", id, m))
}
func (e *eventRecorder) Warning(id uint32, m string) error {
	return e.add(fmt.Sprintf("warning %d %s", id, m))
}
func (e *eventRecorder) Error(id uint32, m string) error {
	return e.add(fmt.Sprintf("error %d %s", id, m))
}

// logAll logs one message at each level.
func logAll(l *SysLogger) {
	l.Noticef("n %d", 1)
	l.Warnf("w")
	l.Errorf("e")
	l.Fatalf("f")
	l.Debugf("d")
	l.Tracef("t")
	_ = l.Close()
}

func TestSysLoggerLevels(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"quiet", Config{}, "notice n 1|warning w|error e|fatal f|close"},
		{"debug", Config{Debug: true}, "notice n 1|warning w|error e|fatal f|debug d|close"},
		{"trace", Config{Trace: true}, "notice n 1|warning w|error e|fatal f|trace t|close"},
		{"time and pid do not apply", Config{Time: true, PID: 7, Colors: true}, "notice n 1|warning w|error e|fatal f|close"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			logAll(NewSysLoggerTo(r, tt.cfg))
			if got := strings.Join(r.calls, "|"); got != tt.want {
				t.Fatalf("calls %q, want %q", got, tt.want)
			}
		})
	}
}

// The text and event ids are nats-server's (logger/syslog_windows.go).
func TestEventLogWriter(t *testing.T) {
	e := &eventRecorder{}
	logAll(NewSysLoggerTo(NewEventLogWriter(e, 4242), Config{Debug: true, Trace: true}))
	want := []string{
		"info 1 pid[4242][NOTICE]: n 1",
		"warning 1 pid[4242][WARN]: w",
		"error 2 pid[4242][ERROR]: e",
		"error 5 pid[4242][FATAL]: f",
		"info 3 pid[4242][DEBUG]: d",
		"info 4 pid[4242][TRACE]: t",
		"close",
	}
	if got := strings.Join(e.calls, "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestSyslogAddr(t *testing.T) {
	tests := []struct {
		url, network, addr, err string
	}{
		{url: "udp://127.0.0.1:514", network: "udp", addr: "127.0.0.1:514"},
		{url: "tcp://logs.example.com:601", network: "tcp", addr: "logs.example.com:601"},
		{url: "udp://[::1]:514", network: "udp", addr: "[::1]:514"},
		{url: "unix:///dev/log", network: "unix", addr: "/dev/log"},
		{url: "ftp://x", err: `remote_syslog "ftp://x": want udp://host:port, tcp://host:port or unix:///path`},
		{url: "127.0.0.1:514", err: `remote_syslog "127.0.0.1:514": want`},
		{url: "udp://", err: `remote_syslog "udp://": want`},
		{url: "tcp:///x", err: `remote_syslog "tcp:///x": want`},
		{url: "unix://", err: `remote_syslog "unix://": want`},
		{url: "udp://%zz", err: `remote_syslog "udp://%zz": want`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			network, addr, err := SyslogAddr(tt.url)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || network != tt.network || addr != tt.addr {
				t.Fatalf("= %q, %q, %v; want %q, %q", network, addr, err, tt.network, tt.addr)
			}
		})
	}
}
