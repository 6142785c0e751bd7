package broker_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/natsvisor/natsvisor/broker"
)

// fileLines is a logLines that is also a file logger.
type fileLines struct {
	logLines
	reopens atomic.Int32
	err     error
}

func (f *fileLines) Reopen() error {
	f.reopens.Add(1)
	return f.err
}

func TestReopenLog(t *testing.T) {
	tests := []struct {
		name    string
		file    bool
		err     error
		want    string
		reopens int32
	}{
		{name: "file logger", file: true, want: "[INF] File log re-opened", reopens: 1},
		{name: "not a file logger", want: "[INF] File log re-open ignored, not a file logger"},
		{name: "reopen fails", file: true, err: errors.New("open n.log: permission denied"),
			want: "[ERR] File log re-open failed: open n.log: permission denied", reopens: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, nil)
			fl := &fileLines{err: tt.err}
			if tt.file {
				s.SetLogger(fl)
			} else {
				s.SetLogger(&fl.logLines)
			}
			s.ReopenLog()
			if got := fl.since(0); got != tt.want {
				t.Fatalf("log %q, want %q", got, tt.want)
			}
			if got := fl.reopens.Load(); got != tt.reopens {
				t.Fatalf("%d reopens, want %d", got, tt.reopens)
			}
		})
	}
}

// syslog and remote_syslog reload live: the logger is rebuilt from the new
// options once the old one has said what changed.
func TestReloadSyslogRebuildsLogger(t *testing.T) {
	rs := startFromFile(t, listenLocal+"syslog: false\n")
	var built []broker.Options
	var released atomic.Int32
	next := &logLines{}
	rs.SetLoggerFactory(func(o *broker.Options) (broker.Logger, func(), error) {
		if o.RemoteSyslog == "tcp://bad" {
			return nil, nil, errors.New("error connecting to syslog: refused")
		}
		built = append(built, *o)
		return next, func() {}, nil
	}, func() { released.Add(1) })

	const conf = listenLocal + "syslog: true\nremote_syslog: \"udp://127.0.0.1:514\"\n"
	if err := rs.rewriteAndReload(t, conf); err != nil {
		t.Fatal(err)
	}
	if len(built) != 1 || !built[0].Syslog || built[0].RemoteSyslog != "udp://127.0.0.1:514" {
		t.Fatalf("factory called with %+v", built)
	}
	if released.Load() != 1 {
		t.Fatalf("the old logger was released %d times", released.Load())
	}
	// As nats-server: the changes go to the old logger, and the new one
	// starts with the reload's last line.
	oldLog, newLog := rs.log.since(0), next.since(0)
	for _, want := range []string{"[INF] Reloaded: syslog = true", "[INF] Reloaded: remote_syslog = udp://127.0.0.1:514"} {
		if !strings.Contains(oldLog, want) || strings.Contains(newLog, want) {
			t.Errorf("%q not in the old logger only:\nold:\n%s\nnew:\n%s", want, oldLog, newLog)
		}
	}
	if !strings.HasPrefix(newLog, "[INF] Reloaded server configuration") {
		t.Errorf("new logger starts with %q", newLog)
	}
	if r, _ := rs.LastReload(); !r.OK || strings.Join(r.Changed, ",") != "syslog,remote_syslog" {
		t.Fatalf("LastReload %+v", r)
	}

	// A logger that cannot be built rejects the reload; the options stay.
	m := next.mark()
	err := rs.rewriteAndReload(t, listenLocal+"syslog: true\nremote_syslog: \"tcp://bad\"\n")
	if err == nil || !strings.Contains(err.Error(), "error connecting to syslog") {
		t.Fatalf("Reload error %v", err)
	}
	if rs.Options().RemoteSyslog != "udp://127.0.0.1:514" {
		t.Fatalf("remote_syslog %q after a failed reload", rs.Options().RemoteSyslog)
	}
	next.wait(t, m, "[ERR] Failed to reload server configuration: error connecting to syslog: refused")
}
