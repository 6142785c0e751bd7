//go:build !windows

package logger

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wantPRI are the PRI values of logAll's messages in order: facility 0 and
// the severities nats-server uses (notice, warning, err, crit, debug, and
// notice for trace).
var wantPRI = []string{"5", "4", "3", "2", "7", "5"}

var wantMsgs = []string{"n 1", "w", "e", "f", "d", "t"}

// checkSyslog checks messages received from logAll: each is
// "<PRI>stamp [host ]east[pid]: msg\n", remote ones with an RFC 3339 stamp
// and the host name, local ones with a short stamp and no host.
func checkSyslog(t *testing.T, msgs []string, local bool) {
	t.Helper()
	host, _ := os.Hostname()
	head := `^<(\d+)>(\S+) ` + regexp.QuoteMeta(host) + ` `
	if local {
		head = `^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) `
	}
	re := regexp.MustCompile(head + `east\[` + strconv.Itoa(os.Getpid()) + `\]: (.*)\n$`)
	if len(msgs) != len(wantMsgs) {
		t.Fatalf("%d messages, want %d: %q", len(msgs), len(wantMsgs), msgs)
	}
	for i, m := range msgs {
		g := re.FindStringSubmatch(m)
		if g == nil {
			t.Fatalf("message %q does not match %s", m, re)
		}
		if g[1] != wantPRI[i] || g[3] != wantMsgs[i] {
			t.Errorf("message %q: PRI %s text %q, want %s %q", m, g[1], g[3], wantPRI[i], wantMsgs[i])
		}
		if _, err := time.Parse(time.RFC3339, g[2]); !local && err != nil {
			t.Errorf("message %q: stamp %v", m, err)
		}
	}
}

// readPackets reads n datagrams from pc.
func readPackets(t *testing.T, pc net.PacketConn, n int) []string {
	t.Helper()
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []string
	buf := make([]byte, 64<<10)
	for range n {
		k, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %q: %v", out, err)
		}
		out = append(out, string(buf[:k]))
	}
	return out
}

// readLines accepts one connection on l and reads n lines from it.
func readLines(t *testing.T, l net.Listener, n int) []string {
	t.Helper()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	var out []string
	for range n {
		s, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", out, err)
		}
		out = append(out, s)
	}
	return out
}

func TestRemoteSyslogWireFormat(t *testing.T) {
	// A short directory: unix socket paths are limited to ~100 bytes.
	dir, err := os.MkdirTemp("", "sl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := Config{Debug: true, Trace: true}
	tests := []struct {
		name  string
		local bool
		// listen returns the URL to log to and a func reading n messages.
		listen func(t *testing.T) (string, func(n int) []string)
	}{
		{"udp", false, func(t *testing.T) (string, func(int) []string) {
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pc.Close() })
			return "udp://" + pc.LocalAddr().String(), func(n int) []string { return readPackets(t, pc, n) }
		}},
		{"tcp", false, func(t *testing.T) (string, func(int) []string) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			return "tcp://" + l.Addr().String(), func(n int) []string { return readLines(t, l, n) }
		}},
		{"unix datagram", true, func(t *testing.T) (string, func(int) []string) {
			path := filepath.Join(dir, "dgram")
			pc, err := net.ListenPacket("unixgram", path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pc.Close() })
			return "unix://" + path, func(n int) []string { return readPackets(t, pc, n) }
		}},
		{"unix stream", true, func(t *testing.T) (string, func(int) []string) {
			path := filepath.Join(dir, "stream")
			l, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			return "unix://" + path, func(n int) []string { return readLines(t, l, n) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, read := tt.listen(t)
			l, err := NewRemoteSysLogger(url, "east", cfg)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan []string, 1)
			go func() { done <- read(len(wantMsgs)) }()
			logAll(l)
			checkSyslog(t, <-done, tt.local)
		})
	}
}

func TestRemoteSyslogErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for url, want := range map[string]string{
		"tcp://" + closed:                 "error connecting to syslog: dial tcp " + closed,
		"unix:///nonexistent/natsvisor.s": "error connecting to syslog: dial unix /nonexistent/natsvisor.s",
		"ftp://x":                         `remote_syslog "ftp://x": want`,
	} {
		if _, err := NewRemoteSysLogger(url, "east", Config{}); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: err %v, want prefix %q", url, err, want)
		}
	}
}
