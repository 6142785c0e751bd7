package supervisor_test

// Tests against real service managers: a systemd in a systemd-nspawn rig
// and the SCM of a wine prefix (../../shared/rigs). They run only with
// NATSVISOR_RIG_TESTS=1 (.ci/run sets it), as root on Linux:
//
//	NATSVISOR_RIG_TESTS=1 go test -run Rig -count=1 -timeout 15m ./supervisor/...
//
// The lifecycle goes through the real natsvisor (install, start, status,
// restart, stop, uninstall; its services run `natsvisor run --name`), built
// for the rig's OS. internal/rigctl calls Detect and the Manager directly
// for what the CLI does not show (State, foreign services, quoting, the
// SCM's checkpoints), is a slow-to-be-ready service, and is the nats.go
// client inside the systemd rig. rig_signals_*_test.go prove what runs
// between start and stop: readiness, reload, reopen, lame duck, a start
// that cannot succeed.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/supervisor"
)

// rigctl's exit codes for the sentinel errors.
const (
	exitNotInstalled = 10
	exitForeign      = 11
)

// rigsDir returns the directory of the rig scripts, or skips the test
// unless NATSVISOR_RIG_TESTS=1. With the variable set, a host that cannot
// run the rigs fails the test: CI must not pass by skipping.
func rigsDir(t *testing.T) string {
	t.Helper()
	if os.Getenv("NATSVISOR_RIG_TESTS") != "1" {
		t.Skip("rig tests boot a real systemd (nspawn) and a wine SCM: run them with NATSVISOR_RIG_TESTS=1 (as .ci/run does)")
	}
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Fatalf("NATSVISOR_RIG_TESTS=1 needs Linux and root (GOOS=%s, euid %d)", runtime.GOOS, os.Geteuid())
	}
	dir := os.Getenv("NATSVISOR_RIGS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "rigs")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "systemd-rig.sh")); err != nil {
		t.Fatalf("no rig scripts (set NATSVISOR_RIGS): %v", err)
	}
	return dir
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return "exit " + itoa(r.code) + " after " + r.took.Round(time.Millisecond).String() +
		"\nstdout: " + strings.TrimSpace(r.stdout) + "\nstderr: " + strings.TrimSpace(r.stderr)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// run runs a command with a time limit; a command that cannot start fails
// the test.
func run(t *testing.T, timeout time.Duration, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(t0)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %q: %v", name, args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %q: no answer within %v\n%s", name, args, timeout, r)
	}
	if r.took > time.Second {
		t.Logf("slow: %s %q took %v", filepath.Base(name), args, r.took.Round(time.Millisecond))
	}
	return r
}

// runNoFatal is run for a goroutine other than the test's: a command that
// cannot start is a result with code -1.
func runNoFatal(name string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(t0), code: -1}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		r.stderr += err.Error()
	default:
		r.code = 0
	}
	return r
}

// buildBinaries builds natsvisor and internal/rigctl for goos into dir
// (with ".exe" for Windows).
func buildBinaries(t *testing.T, goos, dir string) {
	t.Helper()
	ext := ""
	if goos == "windows" {
		ext = ".exe"
	}
	for name, pkg := range map[string]string{"natsvisor": "../cmd/natsvisor", "rigctl": "./internal/rigctl"} {
		r := run(t, 5*time.Minute, []string{"GOOS=" + goos, "GOARCH=amd64", "CGO_ENABLED=0"},
			"go", "build", "-o", filepath.Join(dir, name+ext), pkg)
		if r.code != 0 {
			t.Fatalf("go build %s for %s: %s", pkg, goos, r)
		}
		t.Logf("built %s for %s in %v", name, goos, r.took.Round(time.Millisecond))
	}
}

// writeSpec writes spec as JSON for rigctl install.
func writeSpec(t *testing.T, path string, spec supervisor.Spec) {
	t.Helper()
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// parseState reads rigctl status output.
func parseState(t *testing.T, r result) supervisor.State {
	t.Helper()
	var st supervisor.State
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &st); err != nil {
		t.Fatalf("rigctl status: %v\n%s", err, r)
	}
	return st
}

// waitFor polls cond every 100ms until it holds or timeout passes; cond
// returns a description of what it saw for the failure message.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	t0 := time.Now()
	for {
		ok, saw := cond()
		if ok {
			return time.Since(t0)
		}
		if time.Since(t0) > timeout {
			t.Fatalf("%s: not within %v; last: %s", what, timeout, saw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// must fails the test unless r exited with want.
func must(t *testing.T, r result, want int, what string) result {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: want exit %d, got %s", what, want, r)
	}
	return r
}
