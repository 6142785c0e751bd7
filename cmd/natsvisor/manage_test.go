package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/supervisor"
)

// fakeExe is the executable the specs name in these tests.
var fakeExe = filepath.FromSlash("/opt/natsvisor/bin/natsvisor")

// cli runs natsvisor commands against a registry in a temporary home and
// a fake service manager.
type cli struct {
	t    *testing.T
	home string
	mgr  *supervisor.Fake
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, home: filepath.Join(t.TempDir(), "home"), mgr: supervisor.NewFake()}
	oldMgr, oldExe := newManager, executable
	newManager = func() (supervisor.Manager, error) { return c.mgr, nil }
	executable = func() (string, error) { return fakeExe, nil }
	t.Cleanup(func() { newManager, executable = oldMgr, oldExe })
	// States date from 90s ago, so uptimes are 1m30s.
	c.mgr.Now = func() time.Time { return time.Now().Add(-90 * time.Second) }
	t.Setenv(instance.HomeEnv, "")
	t.Setenv(startupDelayEnv, "")
	return c
}

// run runs natsvisor --home <home> args and returns its exit code and output.
func (c *cli) run(args ...string) (int, string, string) {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	code := execute(append([]string{"--home", c.home}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// ok runs args, fails unless they exit 0, and returns stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, stdout, stderr := c.run(args...)
	if code != 0 {
		c.t.Fatalf("natsvisor %q: exit %d\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
	}
	return stdout
}

// snapshot maps every path under the home to its mode and bytes.
func (c *cli) snapshot() map[string]string {
	c.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(c.home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var b []byte
		if !d.IsDir() {
			b, err = os.ReadFile(p)
		}
		out[p] = fi.Mode().String() + " " + string(b)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.t.Fatal(err)
	}
	return out
}

// callsOf returns the fake's calls of the given methods, as "Method name".
func callsOf(f *supervisor.Fake, methods ...string) []string {
	var out []string
	for _, c := range f.Calls() {
		for _, m := range methods {
			if strings.HasPrefix(c, m+" ") {
				out = append(out, c)
			}
		}
	}
	return out
}

func contains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func TestInstallLifecycle(t *testing.T) {
	c := newCLI(t)
	out := c.ok("install", "--name", "east", "--", "-p", "4222")
	contains(t, "install", out, "installed instance east as fake service east\n", "  args: -p 4222\n",
		filepath.Join(c.home, "east", "east.log"))

	spec, ok := c.mgr.Spec("east")
	want := supervisor.Spec{Name: "east", Description: "NATS broker east (natsvisor)", Executable: fakeExe,
		Args: []string{"run", "--name", "east", "--home", c.home}, Env: map[string]string{"NATSVISOR_HOME": c.home},
		StartTimeout: 15 * time.Second, StopTimeout: 150 * time.Second, RestartSec: 3 * time.Second,
		NoRestartExitCodes: []int{2, 3, 4}, LimitNOFILE: 65536}
	if !ok || !reflect.DeepEqual(spec, want) {
		t.Fatalf("spec %+v\nwant %+v", spec, want)
	}

	// Same flags: nothing is written, the manager is not asked to install.
	before := c.snapshot()
	out = c.ok("install", "--name", "east", "--", "-p", "4222")
	contains(t, "install again", out, "instance east is already installed with these flags: nothing changed\n")
	if n := len(callsOf(c.mgr, "Install")); n != 1 {
		t.Fatalf("%d Install calls, want 1", n)
	}
	if !mapsEqual(before, c.snapshot()) {
		t.Fatal("an unchanged install touched the registry")
	}

	out = c.ok("install", "--name", "east", "--", "-p", "4225")
	contains(t, "update", out, "updated instance east: args -p 4222 -> -p 4225 (it applies at the next start)\n")
	contains(t, "start", c.ok("start", "east"), "started east (pid 1001)\n")
	out = c.ok("install", "--name", "east", "--start", "--", "-p", "4226")
	contains(t, "update running", out, "(restart it to apply: natsvisor restart east)\n", "instance east is already running\n")
	contains(t, "restart", c.ok("restart", "east"), "restarted east (pid 1002)\n")
	contains(t, "stop", c.ok("stop", "east"), "stopped east\n")

	// uninstall keeps the log; --purge removes it.
	log := filepath.Join(c.home, "east", "east.log")
	if err := os.WriteFile(log, []byte("line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out = c.ok("uninstall", "east")
	contains(t, "uninstall", out, "removed fake service east\n", "removed instance east from the registry\n",
		"kept its logs and data in "+filepath.Join(c.home, "east"))
	if names := c.mgr.Names(); len(names) != 0 {
		t.Fatalf("services left: %v", names)
	}
	if _, err := os.Stat(log); err != nil {
		t.Fatalf("uninstall lost the log: %v", err)
	}
	if code, _, _ := c.run("start", "east"); code != exitNotFound {
		t.Fatalf("start after uninstall: exit %d, want %d", code, exitNotFound)
	}
	contains(t, "purge", c.ok("uninstall", "--purge", "east"), "removed "+filepath.Join(c.home, "east")+"\n")
	if _, err := os.Stat(filepath.Join(c.home, "east")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("purge left the directory: %v", err)
	}
	if code, _, stderr := c.run("uninstall", "east"); code != exitNotFound || !strings.Contains(stderr, "no such instance") {
		t.Fatalf("uninstall of nothing: exit %d, %s", code, stderr)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// The spec's timeouts come from NATS_STARTUP_DELAY and the lame duck
// duration, and the delay is passed on to the service.
func TestInstallSpecTimeouts(t *testing.T) {
	c := newCLI(t)
	conf := filepath.Join(t.TempDir(), "n.conf")
	if err := os.WriteFile(conf, []byte("lame_duck_duration: \"1m\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(startupDelayEnv, "20s")
	c.ok("install", "--name", "east", "--", "-c", conf)
	spec, _ := c.mgr.Spec("east")
	if spec.StartTimeout != 25*time.Second || spec.StopTimeout != 90*time.Second || spec.Env[startupDelayEnv] != "20s" {
		t.Fatalf("spec %+v", spec)
	}
}

func TestInstallDryRun(t *testing.T) {
	c := newCLI(t)
	out := c.ok("install", "--name", "east", "--dry-run", "--", "-p", "4222")
	want, err := c.mgr.Render(supervisor.Spec{Name: "east", Description: "NATS broker east (natsvisor)", Executable: fakeExe,
		Args: []string{"run", "--name", "east", "--home", c.home}, Env: map[string]string{"NATSVISOR_HOME": c.home},
		StartTimeout: 15 * time.Second, StopTimeout: 150 * time.Second, RestartSec: 3 * time.Second,
		NoRestartExitCodes: []int{2, 3, 4}, LimitNOFILE: 65536})
	if err != nil || out != want {
		t.Fatalf("dry run printed:\n%s\nwant (%v):\n%s", out, err, want)
	}
	if _, err := os.Stat(c.home); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("dry run created the home: %v", err)
	}
	if calls := callsOf(c.mgr, "Install", "Start"); len(calls) != 0 {
		t.Fatalf("dry run called the manager: %v", calls)
	}
}

// Every refused install leaves the registry byte for byte as it was, and
// the services as they were.
func TestInstallRefused(t *testing.T) {
	c := newCLI(t)
	c.ok("install", "--name", "east", "--", "-p", "4222", "-a", "127.0.0.1")
	c.mgr.AddForeign("other")
	tests := []struct {
		name   string
		args   []string
		setup  func()
		code   int
		stderr string
	}{
		{"no name", []string{"--", "-p", "1"}, nil, exitUsage, "--name is required"},
		{"bad name", []string{"--name", "a/b"}, nil, exitUsage, `instance "a/b": invalid instance name`},
		{"flags without --", []string{"--name", "west", "-p", "1"}, nil, exitUsage, `nats-server flags go after "--"`},
		{"positional before --", []string{"--name", "west", "x", "--", "-p", "1"}, nil, exitUsage, `broker flags go after "--"`},
		{"help", []string{"--name", "west", "--", "-h"}, nil, exitUsage, "-h asks for help"},
		{"version", []string{"--name", "west", "--", "--version"}, nil, exitUsage, "--version asks for version"},
		{"config test", []string{"--name", "west", "--", "-t"}, nil, exitUsage, "-t asks for a config test"},
		{"signal", []string{"--name", "west", "--", "--signal", "reload"}, nil, exitUsage, "--signal asks for signals"},
		{"unknown flag", []string{"--name", "west", "--", "-x"}, nil, exitUsage, "unknown flag: -x"},
		{"missing config", []string{"--name", "west", "--", "-c", "missing.conf"}, nil, exitConfig, "missing.conf"},
		{"port clash", []string{"--name", "west", "--", "-p", "4222"}, nil, exitConflict, `client port 4222 is instance "east"'s`},
		{"name case clash", []string{"--name", "EAST", "--", "-p", "4400"}, nil, exitConflict, "name taken by another instance"},
		{"foreign service", []string{"--name", "other", "--", "-p", "4401"}, nil, exitConflict, "not installed by natsvisor"},
		{"bad startup delay", []string{"--name", "west", "--", "-p", "4402"}, func() { t.Setenv(startupDelayEnv, "10") }, exitUsage, "NATS_STARTUP_DELAY"},
		{"manager refuses a new one", []string{"--name", "west", "--", "-p", "4403"}, func() {
			c.mgr.FailNext("Install", errors.New("permission denied"))
		}, exitFailed, "installing the service: permission denied"},
		{"manager refuses an update", []string{"--name", "east", "--", "-p", "4404"}, func() {
			c.mgr.FailNext("Install", errors.New("permission denied"))
		}, exitFailed, "installing the service: permission denied"},
		{"manager times out", []string{"--name", "west", "--", "-p", "4405"}, func() {
			c.mgr.FailNext("Install", supervisor.ErrTimeout)
		}, exitTimeout, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(startupDelayEnv, "")
			if tt.setup != nil {
				tt.setup()
			}
			before, services := c.snapshot(), c.mgr.Names()
			code, stdout, stderr := c.run(append([]string{"install"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q; stdout %q", code, tt.code, stderr, tt.stderr, stdout)
			}
			if !mapsEqual(before, c.snapshot()) {
				t.Fatalf("refused install changed the registry:\nbefore %v\nafter  %v", before, c.snapshot())
			}
			if !slices.Equal(services, c.mgr.Names()) {
				t.Fatalf("refused install changed the services: %v -> %v", services, c.mgr.Names())
			}
		})
	}
	if code, _, _ := c.run("install", "--name", "fresh", "--", "-p", "4410"); code != 0 {
		t.Fatal("the registry is unusable after the refusals")
	}
}

func TestControlErrors(t *testing.T) {
	c := newCLI(t)
	c.ok("install", "--name", "east", "--", "-p", "-1")
	tests := []struct {
		name   string
		setup  func()
		args   []string
		code   int
		stderr string
	}{
		{"unknown instance", nil, []string{"start", "west"}, exitNotFound, `instance "west": no such instance in ` + c.home},
		{"bad name", nil, []string{"stop", "a b"}, exitUsage, "invalid instance name"},
		{"no name", nil, []string{"restart"}, exitUsage, "accepts 1 arg(s), received 0"},
		{"timeout", func() { c.mgr.FailNext("Start", supervisor.ErrTimeout) }, []string{"start", "east"}, exitTimeout,
			`instance "east": cannot start: timed out`},
		{"service missing", func() { c.mgr.FailNext("Stop", supervisor.ErrNotInstalled) }, []string{"stop", "east"}, exitNotFound,
			"install it again (natsvisor install --name east -- <flags>)"},
		{"manager fails", func() { c.mgr.FailNext("Restart", errors.New("dbus: no")) }, []string{"restart", "east"}, exitFailed, "dbus: no"},
		{"no manager", func() {
			newManager = func() (supervisor.Manager, error) { return nil, supervisor.ErrNoManager }
		}, []string{"start", "east"}, exitFailed, "no supported service manager"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			code, _, stderr := c.run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q", code, tt.code, stderr, tt.stderr)
			}
		})
	}
}
