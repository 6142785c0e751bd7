package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/instance"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// binDir holds the natsvisor binary that the end-to-end tests run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "natsvisor-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// natsvisorBinary builds ./cmd/natsvisor once per test run.
func natsvisorBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		name := "natsvisor"
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		binPath = filepath.Join(binDir, name)
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer = testkit.SyncBuffer

// proc is a running natsvisor child process.
type proc struct {
	cmd    *exec.Cmd
	stdout lockedBuffer
	stderr lockedBuffer
	exited chan struct{}
	err    error // from Wait, valid once exited is closed
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(natsvisorBinary(t), args...), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// wait returns the exit code, failing the test after timeout.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(timeout):
		t.Fatalf("natsvisor still running after %s\nstderr:\n%s", timeout, p.stderr.String())
	}
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	t.Fatalf("wait: %v", p.err)
	return -1
}

var listenLine = regexp.MustCompile(`Listening for client connections on (\S+)\n`)

// waitListening polls the child's stderr for the client listener's address.
func (p *proc) waitListening(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenLine.FindStringSubmatch(p.stderr.String()); m != nil {
			return m[1]
		}
		select {
		case <-p.exited:
			t.Fatalf("natsvisor exited before listening\nstderr:\n%s", p.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("natsvisor not listening after 15s\nstderr:\n%s", p.stderr.String())
	return ""
}

func TestE2ERefusedFlag(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--", "--routes", "x"}, instance.ExitUsage, "natsvisor: flag --routes is not supported yet\n"},
		{[]string{"run", "--", "-p", "abc"}, instance.ExitUsage, `natsvisor: invalid value "abc" for flag -p: invalid syntax` + "\n"},
		{[]string{"run", "--", "-x"}, instance.ExitUsage, "natsvisor: unknown flag: -x\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			p := start(t, tt.args...)
			if code := p.wait(t, 30*time.Second); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, p.stderr.String())
			}
			if !strings.HasPrefix(p.stderr.String(), tt.want) {
				t.Fatalf("stderr %q, want prefix %q", p.stderr.String(), tt.want)
			}
		})
	}
}

func TestE2EPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	p := start(t, "run", "--", "-a", "127.0.0.1", "-p", port)
	if code := p.wait(t, 30*time.Second); code != instance.ExitStartup {
		t.Fatalf("exit %d, want %d; stderr %q", code, instance.ExitStartup, p.stderr.String())
	}
	if want := "[FTL] Error listening on port: 127.0.0.1:" + port; !strings.Contains(p.stderr.String(), want) {
		t.Fatalf("stderr lacks %q:\n%s", want, p.stderr.String())
	}
}

func TestE2EVersion(t *testing.T) {
	p := start(t, "version")
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, p.stderr.String())
	}
	if !strings.HasPrefix(p.stdout.String(), "natsvisor ") {
		t.Fatalf("stdout %q", p.stdout.String())
	}
}
