package instance

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// syncBuffer is a bytes.Buffer safe for the logger's goroutines and the test.
type syncBuffer = testkit.SyncBuffer

func TestRunRefusesBadArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-x"}, "natsvisor: unknown flag: -x\n"},
		{"refused flag", []string{"--routes", "x"}, "natsvisor: flag --routes is not supported yet\n"},
		{"bad value", []string{"-p", "abc"}, `natsvisor: invalid value "abc" for flag -p: invalid syntax` + "\n"},
		{"positional", []string{"foo"}, `natsvisor: unrecognized command: "foo"`},
		{"help", []string{"-h"}, "natsvisor: help requested: ask with `natsvisor run --help`"},
		{"version", []string{"version"}, "natsvisor: version requested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), tt.args, &stdout, &stderr)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d (stderr %q)", code, ExitUsage, stderr.String())
			}
			if !strings.HasPrefix(stderr.String(), tt.want) {
				t.Fatalf("stderr %q, want prefix %q", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Fatalf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

func TestRunStartupFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want *regexp.Regexp
	}{
		{"port in use", []string{"-a", "127.0.0.1", "-p", busyPort, "-T=false"},
			regexp.MustCompile(`(?m)^\[\d+\] \[FTL\] Error listening on port: 127\.0\.0\.1:` + busyPort + `, .*address already in use`)},
		{"log file unwritable", []string{"-l", filepath.Join(dir, "missing", "n.log")},
			regexp.MustCompile(`^natsvisor: error opening file: open .*n\.log: `)},
		{"invalid server name", []string{"-n", "a b"},
			regexp.MustCompile(`^natsvisor: server name cannot contain spaces\n$`)},
		{"pid file unwritable", []string{"-a", "127.0.0.1", "-p", "-1", "-P", filepath.Join(dir, "missing", "n.pid")},
			regexp.MustCompile(`\[FTL\] Could not write pidfile: open .*n\.pid: `)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			code := Run(context.Background(), tt.args, &stdout, &stderr)
			if code != ExitStartup {
				t.Fatalf("exit %d, want %d (stderr %q)", code, ExitStartup, stderr.String())
			}
			if !tt.want.MatchString(stderr.String()) {
				t.Fatalf("stderr %q does not match %s", stderr.String(), tt.want)
			}
		})
	}
}

// A start failure with a log file goes to the file as [FTL] and to stderr.
func TestRunStartupFailureWithLogFile(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	logFile := filepath.Join(t.TempDir(), "n.log")
	var stdout, stderr syncBuffer
	if code := Run(context.Background(), []string{"-a", "127.0.0.1", "-p", port, "-l", logFile}, &stdout, &stderr); code != ExitStartup {
		t.Fatalf("exit %d, want %d", code, ExitStartup)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "[FTL] Error listening on port: 127.0.0.1:"+port) {
		t.Fatalf("log lacks the [FTL] line:\n%s", b)
	}
	if !strings.HasPrefix(stderr.String(), "natsvisor: error listening on port") {
		t.Fatalf("stderr %q", stderr.String())
	}
}

var listenRE = regexp.MustCompile(`Listening for client connections on (\S+)\n`)

// waitForListen polls read until the log shows the client address.
func waitForListen(t *testing.T, read func() string, done <-chan int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(read()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("Run returned %d before listening; log:\n%s", code, read())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no listen line after 10s; log:\n%s", read())
	return ""
}

func TestRunServesUntilContextEnds(t *testing.T) {
	dir := t.TempDir()
	logFile, pidFile := filepath.Join(dir, "n.log"), filepath.Join(dir, "n.pid")
	if err := os.WriteFile(logFile, []byte("earlier line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"-a", "127.0.0.1", "-p", "-1", "-l", logFile, "-P", pidFile, "-n", "unit"}, &stdout, &stderr)
	}()
	readLog := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	addr := waitForListen(t, readLog, done)

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if err != nil || !strings.HasPrefix(line, "INFO {") || !strings.Contains(line, `"server_name":"unit"`) {
		t.Fatalf("greeting %q, %v", line, err)
	}
	if b, err := os.ReadFile(pidFile); err != nil || string(b) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("pid file %q, %v; want the pid with no newline", b, err)
	}

	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("exit %d, want %d; stderr %q", code, ExitOK, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the context ended")
	}
	log := readLog()
	if !strings.HasPrefix(log, "earlier line\n") {
		t.Fatalf("log file was not appended to:\n%s", log)
	}
	line0 := regexp.MustCompile(`(?m)^\[` + strconv.Itoa(os.Getpid()) + `\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] Starting nats-server$`)
	if !line0.MatchString(log) || !strings.HasSuffix(log, "[INF] Server Exiting..\n") {
		t.Fatalf("log lines not in nats-server's format:\n%s", log)
	}
	if stderr.String() != "" || stdout.String() != "" {
		t.Fatalf("stdout %q stderr %q, want both empty with -l", stdout.String(), stderr.String())
	}
}

func TestRunLogsToStderrWithoutTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"-a", "127.0.0.1", "-p", "-1", "-T=false", "-DV"}, &stdout, &stderr) }()
	waitForListen(t, stderr.String, done)
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	prefix := "[" + strconv.Itoa(os.Getpid()) + "] [INF] Starting nats-server\n"
	if !strings.HasPrefix(stderr.String(), prefix) {
		t.Fatalf("stderr starts %q, want %q", stderr.String(), prefix)
	}
}

func TestCapitalize(t *testing.T) {
	for in, want := range map[string]string{"": "", "error x": "Error x", "Éa": "Éa", "éa": "Éa", "1x": "1x", "\xff": "\xff"} {
		if got := capitalize(in); got != want {
			t.Errorf("capitalize(%q) = %q, want %q", in, got, want)
		}
	}
}
