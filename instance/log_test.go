package instance

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/internal/testpeer"
)

func TestKeptBackups(t *testing.T) {
	for maxFiles, want := range map[int]int{-3: 0, 0: 0, 1: -1, 2: 1, 10: 9} {
		if got := keptBackups(maxFiles); got != want {
			t.Errorf("keptBackups(%d) = %d, want %d", maxFiles, got, want)
		}
	}
}

func TestTargetOf(t *testing.T) {
	tests := []struct {
		name string
		opts broker.Options
		env  Env
		want logTarget
	}{
		{"stderr", broker.Options{}, Env{}, toStderr},
		{"nothing", broker.Options{NoLog: true, LogFile: "n.log"}, Env{}, toNothing},
		{"file wins", broker.Options{LogFile: "n.log", Syslog: true, RemoteSyslog: "udp://h:1"}, Env{Service: true}, toFile},
		{"remote wins over syslog", broker.Options{Syslog: true, RemoteSyslog: "udp://h:1"}, Env{}, toRemoteSyslog},
		{"syslog", broker.Options{Syslog: true}, Env{}, toSyslog},
		{"a named instance in the foreground", broker.Options{}, Env{Name: "east"}, toStderr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := targetOf(&tt.opts, tt.env); got != tt.want {
				t.Fatalf("targetOf = %d, want %d", got, tt.want)
			}
		})
	}
	// A service with no log file: the Event Log on Windows, stderr (the
	// journal) elsewhere.
	want := toStderr
	if serviceLogsToSyslog {
		want = toSyslog
	}
	if got := targetOf(&broker.Options{}, Env{Service: true}); got != want {
		t.Fatalf("service: targetOf = %d, want %d", got, want)
	}
}

// Only a file logger can be reopened.
func TestOpenLogReopener(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	dir := t.TempDir()
	tests := []struct {
		name     string
		opts     broker.Options
		reopener bool
	}{
		{"file", broker.Options{LogFile: filepath.Join(dir, "n.log")}, true},
		{"stderr", broker.Options{}, false},
		{"remote syslog", broker.Options{RemoteSyslog: "udp://" + pc.LocalAddr().String()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, closeLog, err := openLog(&tt.opts, Env{}, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			defer closeLog()
			if _, ok := l.(broker.LogReopener); ok != tt.reopener {
				t.Fatalf("%T is a LogReopener: %v, want %v", l, ok, tt.reopener)
			}
		})
	}
}

func TestRunRemoteSyslogUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var stdout, stderr syncBuffer
	code := Run(context.Background(), []string{"-a", "127.0.0.1", "-p", "-1", "-r", "tcp://" + addr}, &stdout, &stderr)
	if want := "natsvisor: error connecting to syslog: dial tcp " + addr; code != ExitStartup || !strings.HasPrefix(stderr.String(), want) {
		t.Fatalf("exit %d, stderr %q; want %d, %q", code, stderr.String(), ExitStartup, want)
	}
}

// syslogMsg splits a remote syslog message: PRI, stamp, host, tag, pid and
// the message.
var syslogMsg = regexp.MustCompile(`^<(\d+)>(\S+) (\S+) ([^\[ ]+)\[(\d+)\]: (.*\n)$`)

// firstSyslog starts run on a fresh UDP listener and returns the first
// message it receives, split by syslogMsg.
func firstSyslog(t *testing.T, run func(url string)) []string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	run("udp://" + pc.LocalAddr().String())
	_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64<<10)
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	m := syslogMsg.FindStringSubmatch(string(buf[:n]))
	if m == nil {
		t.Fatalf("message %q is not in syslog's remote format", buf[:n])
	}
	return m
}

// -r sends nats-server's syslog messages: the same PRI, host and text, an
// RFC 3339 stamp, and the instance's name as the tag.
func TestRunRemoteSyslogFormat(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stdout, stderr syncBuffer
	ours := firstSyslog(t, func(url string) {
		go func() {
			done <- RunEnv(ctx, []string{"-a", "127.0.0.1", "-p", "-1", "-r", url}, &stdout, &stderr, Env{Name: "east"})
		}()
	})
	cancel()
	if code := <-done; code != ExitOK || stderr.String() != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	host, _ := os.Hostname()
	if ours[1] != "5" || ours[3] != host || ours[4] != "east" || ours[5] != strconv.Itoa(os.Getpid()) || ours[6] != "Starting nats-server\n" {
		t.Fatalf("message %q", ours[0])
	}
	if _, err := time.Parse(time.RFC3339, ours[2]); err != nil {
		t.Fatalf("stamp: %v", err)
	}

	bin := referenceServer()
	if bin == "" {
		t.Skip("nats-server not found (NATS_SERVER_BIN): no comparison")
	}
	theirs := firstSyslog(t, func(url string) {
		cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", "-1", "-r", url)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	})
	if theirs[1] != ours[1] || theirs[3] != ours[3] || theirs[4] != "nats-server" || theirs[6] != ours[6] {
		t.Fatalf("nats-server sent %q, we sent %q", theirs[0], ours[0])
	}
	if len(theirs[2]) != len(ours[2]) {
		t.Fatalf("stamps differ in form: nats-server %q, ours %q", theirs[2], ours[2])
	}
}

func referenceServer() string { return testpeer.NatsServer() }

// A reopen from the control loop (SIGUSR1, the SCM's control 128) reopens
// the log file.
func TestRunEnvReopen(t *testing.T) {
	log := filepath.Join(t.TempDir(), "n.log")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reopen := make(chan struct{})
	done := make(chan int, 1)
	var stdout, stderr syncBuffer
	go func() {
		control := func(ctx context.Context, b Controlled) {
			for {
				select {
				case <-reopen:
					b.ReopenLog()
				case <-ctx.Done():
					return
				}
			}
		}
		done <- RunEnv(ctx, []string{"-a", "127.0.0.1", "-p", "-1", "-l", log}, &stdout, &stderr, Env{Control: control})
	}()
	readLog := func() string { b, _ := os.ReadFile(log); return string(b) }
	waitForListen(t, readLog, done)
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	reopen <- struct{}{}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasSuffix(readLog(), "[INF] File log re-opened\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no reopen line in the new file: %q", readLog())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if b, _ := os.ReadFile(log + ".1"); !strings.Contains(string(b), "Server is ready") || strings.Contains(string(b), "re-opened") {
		t.Fatalf("the moved file:\n%s", b)
	}
}
