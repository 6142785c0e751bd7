//go:build unix

package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// natsvisor run stops gracefully on SIGTERM and SIGINT and exits 0, leaving
// a pid file that holds the pid with no newline.
func TestE2ESignals(t *testing.T) {
	tests := []struct {
		sig  syscall.Signal
		name string // as nats-server logs it
	}{
		{syscall.SIGTERM, "terminated"},
		{syscall.SIGINT, "interrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "n.pid")
			p := start(t, "run", "--", "-p", "-1", "-a", "127.0.0.1", "-P", pidFile)
			addr := p.waitListening(t)

			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if line, err := bufio.NewReader(conn).ReadString('\n'); err != nil || !strings.HasPrefix(line, "INFO {") {
				t.Fatalf("greeting %q, %v", line, err)
			}
			b, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			if want := strconv.Itoa(p.cmd.Process.Pid); string(b) != want {
				t.Fatalf("pid file %q, want %q with no newline", b, want)
			}

			if err := p.cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t, 15*time.Second); code != 0 {
				t.Fatalf("exit %d after %s, want 0\nstderr:\n%s", code, tt.name, p.stderr.String())
			}
			stderr := p.stderr.String()
			for _, want := range []string{`[INF] Trapped "` + tt.name + `" signal` + "\n", "[INF] Server Exiting..\n"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if _, err := os.Stat(pidFile); err != nil {
				t.Errorf("pid file removed on exit (nats-server keeps it): %v", err)
			}
		})
	}
}
