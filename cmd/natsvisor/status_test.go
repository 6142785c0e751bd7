package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/natsvisor/natsvisor/supervisor"
)

func TestListAndStatus(t *testing.T) {
	c := newCLI(t)
	contains(t, "empty list", c.ok("list"), "no instances installed")
	if out := c.ok("list", "-o", "json"); out != "[]\n" {
		t.Fatalf("empty list -o json = %q", out)
	}
	c.ok("install", "--name", "east", "--start", "--", "-p", "4222")
	c.ok("install", "--name", "west", "--", "-p", "-1", "-a", "127.0.0.1")
	c.ok("install", "--name", "north", "--", "-p", "4224")
	_ = c.mgr.SetState("north", supervisor.State{Active: "activating", Sub: "auto-restart", ExitCode: 1, StatusText: "waiting for client listener"})

	out := c.ok("list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || strings.Join(strings.Fields(lines[0]), " ") != "NAME STATE READY PID PORTS UPTIME MONITOR" {
		t.Fatalf("list:\n%s", out)
	}
	for i, want := range []string{
		"east active (running) yes 1001 4222 1m30s off",
		"north activating (auto-restart) no: restarting after a failure (exit 1, start failed): waiting for client listener - 4224 - off",
		"west inactive (dead) no: stopped - 127.0.0.1:random - off",
	} {
		if got := strings.Join(strings.Fields(lines[i+1]), " "); got != want {
			t.Errorf("row %d: %q, want %q", i+1, got, want)
		}
	}

	var rows []map[string]any
	if err := json.Unmarshal([]byte(c.ok("list", "-o", "json")), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("list -o json: %v, %v", rows, err)
	}
	east := rows[0]
	if east["name"] != "east" || east["state"] != "active" || east["ready"] != true || east["pid"] != 1001.0 || east["uptime_seconds"] != 90.0 {
		t.Fatalf("east: %v", east)
	}
	if ports := east["ports"].([]any); len(ports) != 1 || ports[0].(map[string]any)["port"] != 4222.0 {
		t.Fatalf("east ports: %v", east["ports"])
	}
	if m, _ := east["monitor"].(map[string]any); m == nil || m["enabled"] != false || len(m) != 1 {
		t.Fatalf("east monitor: %v", east["monitor"])
	}
	if rows[2]["reason"] != "stopped" || rows[2]["ready"] != false {
		t.Fatalf("west: %v", rows[2])
	}

	out = c.ok("status", "east")
	contains(t, "status", out, "east\n", "service:", "active (running), fake, since ", "ready:", "yes", "pid:", "1001",
		"args:", "-p 4222", filepath.Join(c.home, "east", "east.pid.reload"))
	var st map[string]any
	if err := json.Unmarshal([]byte(c.ok("status", "west", "-o", "json")), &st); err != nil {
		t.Fatal(err)
	}
	paths, _ := st["paths"].(map[string]any)
	if st["name"] != "west" || st["manager"] != "fake" || paths["log_file"] != filepath.Join(c.home, "west", "west.log") {
		t.Fatalf("status -o json: %v", st)
	}
	if err := json.Unmarshal([]byte(c.ok("status", "-o", "json")), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("status -o json of all: %v, %v", rows, err)
	}
	if code, _, stderr := c.run("list", "-o", "yaml"); code != exitUsage || !strings.Contains(stderr, `-o "yaml"`) {
		t.Fatalf("list -o yaml: exit %d, %s", code, stderr)
	}
	if code, _, _ := c.run("status", "south"); code != exitNotFound {
		t.Fatalf("status of an unknown instance: exit %d", code)
	}

	// Without a service manager the registry is still listed.
	newManager = func() (supervisor.Manager, error) { return nil, supervisor.ErrNoManager }
	code, stdout, stderr := c.run("list")
	if code != 0 || !strings.Contains(stdout, "unknown") || !strings.Contains(stderr, "warning: no supported service manager") {
		t.Fatalf("list without a manager: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestCompletion(t *testing.T) {
	c := newCLI(t)
	c.ok("install", "--name", "east", "--", "-p", "4222")
	c.ok("install", "--name", "west", "--", "-p", "4223")
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "start", ""}, []string{"east", "west"}},
		{[]string{"__complete", "status", "w"}, []string{"west"}},
		{[]string{"__complete", "uninstall", "east", ""}, nil},
		{[]string{"__complete", "install", "--name", "e"}, []string{"east"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out := c.ok(tt.args...)
			var got []string
			for _, l := range strings.Split(out, "\n") {
				if l != "" && !strings.HasPrefix(l, ":") && !strings.HasPrefix(l, "Completion ended") {
					got = append(got, l)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("completions %q, want %q (output %q)", got, tt.want, out)
			}
		})
	}
}
