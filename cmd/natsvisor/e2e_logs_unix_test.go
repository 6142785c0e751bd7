//go:build unix

package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitLogFile polls path until it contains want, and returns its content.
func (p *proc) waitLogFile(t *testing.T, path, want string) string {
	t.Helper()
	var s string
	p.pollFor(t, path, func() error {
		b, err := os.ReadFile(path)
		if s = string(b); err != nil || !strings.Contains(s, want) {
			return fmt.Errorf("no %q in %s yet (%v):\n%s", want, path, err, s)
		}
		return nil
	})
	return s
}

var fileListenLine = regexp.MustCompile(`Listening for client connections on (\S+)\r?\n`)

// dialed connects to the broker and waits for its INFO.
func dialed(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("greeting %q, %v", line, err)
	}
	return c, r
}

// An external logrotate moves the log away and sends SIGUSR1: the lines
// up to the signal are in the moved file, the next ones in a new file at
// the path, as nats-server does.
func TestE2EReopenLogOnSIGUSR1(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "n.log")
	p := start(t, "run", "--", "-a", "127.0.0.1", "-p", "-1", "-D", "-l", log)
	addr := fileListenLine.FindStringSubmatch(p.waitLogFile(t, log, "Server is ready"))[1]

	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	c, _ := dialed(t, addr) // logged to the moved file: it is still open
	p.waitLogFile(t, log+".1", "Client connection created")
	if err := p.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	p.waitLogFile(t, log, "[INF] File log re-opened\n")
	c.Close()
	p.waitLogFile(t, log, "Client connection closed")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, p.stderr.String())
	}

	moved, _ := os.ReadFile(log + ".1")
	if !strings.HasSuffix(string(moved), `[INF] Trapped "user defined signal 1" signal`+"\n") {
		t.Errorf("the moved file does not end with the trapped signal:\n%s", moved)
	}
	current, _ := os.ReadFile(log)
	lines := strings.SplitAfter(strings.TrimSuffix(string(current), "\n"), "\n")
	if !strings.HasSuffix(lines[0], "[INF] File log re-opened\n") || !strings.HasSuffix(lines[len(lines)-1], "[INF] Server Exiting..") {
		t.Errorf("the new file does not run from the reopen to the exit:\n%s", current)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the log directory, want the moved one and the new one", len(entries))
	}
	if p.stderr.String() != "" {
		t.Errorf("stderr %q, want nothing with -l", p.stderr.String())
	}
}

var logLineRE = regexp.MustCompile(`^\[\d+\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[(INF|DBG|TRC)\] .*\n$`)

// With --log_size_limit and -DV, the traced traffic rotates the log many
// times; read oldest to newest, the files hold every line once, whole and
// in order, and none passes the limit.
func TestE2ELogRotationBySize(t *testing.T) {
	const limit, msgs = 2000, 150
	dir := t.TempDir()
	log := filepath.Join(dir, "n.log")
	p := start(t, "run", "--", "-a", "127.0.0.1", "-p", "-1", "-DV", "-l", log, "--log_size_limit", fmt.Sprint(limit))
	var addr string
	p.pollFor(t, "listen line", func() error {
		all, err := readLogs(dir)
		if m := fileListenLine.FindStringSubmatch(all); m != nil {
			addr = m[1]
			return nil
		}
		return fmt.Errorf("no listen line yet (%v)", err)
	})

	c, r := dialed(t, addr)
	var b strings.Builder
	b.WriteString("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB foo 1\r\n")
	for i := range msgs {
		fmt.Fprintf(&b, "PUB foo 5\r\nm%04d\r\n", i)
	}
	b.WriteString("PING\r\n")
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("before PONG: %v", err)
		}
		if line == "PONG\r\n" {
			break
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, p.stderr.String())
	}

	all, err := readLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rotated, _ := filepath.Glob(filepath.Join(dir, "n-*.log")); len(rotated) < 5 {
		t.Fatalf("%d rotated files, want many", len(rotated))
	}
	lines := strings.SplitAfter(all, "\n")
	lines = lines[:len(lines)-1] // after the last "\n"
	next := map[string]int{"<<-": 0, "->>": 0}
	for _, l := range lines {
		if !logLineRE.MatchString(l) {
			t.Fatalf("torn or foreign line %q", l)
		}
		for dirn := range next {
			var n int
			if i := strings.Index(l, dirn+` MSG_PAYLOAD: ["m`); i >= 0 {
				if _, err := fmt.Sscanf(l[i+len(dirn)+len(` MSG_PAYLOAD: ["m`):], "%04d", &n); err != nil || n != next[dirn] {
					t.Fatalf("%s payload %d (%v) where %d was due: a line is lost or out of order", dirn, n, err, next[dirn])
				}
				next[dirn]++
			}
		}
	}
	if next["<<-"] != msgs || next["->>"] != msgs {
		t.Fatalf("payload lines in %d and out %d, want %d each", next["<<-"], next["->>"], msgs)
	}
	if !strings.Contains(lines[0], "[INF] Starting nats-server") || !strings.Contains(lines[len(lines)-1], "[INF] Server Exiting..") {
		t.Fatalf("the files do not run from the start to the exit: first %q, last %q", lines[0], lines[len(lines)-1])
	}
}

// readLogs concatenates the log files in dir, rotated ones (n-<stamp>.log,
// whose names sort by time) first, then n.log; it fails when one is past
// 2000 bytes.
func readLogs(dir string) (string, error) {
	rotated, err := filepath.Glob(filepath.Join(dir, "n-*.log"))
	if err != nil {
		return "", err
	}
	sort.Strings(rotated)
	var b strings.Builder
	for _, f := range append(rotated, filepath.Join(dir, "n.log")) {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if len(data) > 2000 {
			return "", fmt.Errorf("%s has %d bytes, past the limit", f, len(data))
		}
		b.Write(data)
	}
	return b.String(), nil
}
