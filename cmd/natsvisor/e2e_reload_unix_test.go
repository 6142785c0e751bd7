//go:build !windows

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/instance"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// pollFor calls f every 10ms until it returns nil, failing the test with f's
// last error after 10s or when the process exits.
func (p *proc) pollFor(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("%s: natsvisor exited: %v\nstderr:\n%s", what, err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v\nstderr:\n%s", what, err, p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitStderr polls the log (stderr) after offset from for want.
func (p *proc) waitStderr(t *testing.T, from int, want string) {
	t.Helper()
	p.pollFor(t, "log", func() error {
		if !strings.Contains(p.stderr.String()[from:], want) {
			return fmt.Errorf("no %q in the log yet", want)
		}
		return nil
	})
}

// reloadStatus is the reload status file's content.
type reloadStatus struct {
	Seq     int      `json:"seq"`
	OK      bool     `json:"ok"`
	Error   string   `json:"error"`
	Digest  string   `json:"config_digest"`
	Changed []string `json:"changed"`
	PID     int      `json:"pid"`
}

// waitReloadStatus polls the reload status file until it records reload seq.
func (p *proc) waitReloadStatus(t *testing.T, path string, seq int) reloadStatus {
	t.Helper()
	var st reloadStatus
	p.pollFor(t, "reload status file", func() error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &st); err != nil {
			return fmt.Errorf("%q: %v", b, err)
		}
		if st.Seq != seq {
			return fmt.Errorf("seq %d, want %d", st.Seq, seq)
		}
		return nil
	})
	return st
}

// greetingMaxPayload dials addr and returns max_payload from the greeting INFO.
func greetingMaxPayload(t *testing.T, addr string) int {
	t.Helper()
	var info struct {
		MaxPayload int `json:"max_payload"`
	}
	testkit.Greeting(t, addr, &info)
	return info.MaxPayload
}

// natsRoundTrip checks that nc still publishes and receives.
func natsRoundTrip(t *testing.T, nc *nats.Conn) {
	t.Helper()
	sub, err := nc.SubscribeSync("e2e.reload")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.Publish("e2e.reload", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(5 * time.Second); err != nil || string(m.Data) != "hi" {
		t.Fatalf("round trip: %v, %v", m, err)
	}
}

func writeConfigFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// SIGHUP reloads the config file: a good change applies while a nats.go
// connection keeps working; a non-reloadable or malformed one leaves the old
// config serving, with the error in the log and in <pid_file>.reload.
func TestE2EReload(t *testing.T) {
	dir := t.TempDir()
	conf, pid := filepath.Join(dir, "n.conf"), filepath.Join(dir, "n.pid")
	status := pid + ".reload"
	const listen = "listen: 127.0.0.1:-1\n"
	writeConfigFile(t, conf, listen+"max_payload: 1MB\ndebug: false\n")
	p := start(t, "run", "--", "-c", conf, "-P", pid)
	addr := p.waitListening(t)
	nc, err := nats.Connect("nats://"+addr, nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	hup := func() {
		t.Helper()
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	// A good change.
	from := len(p.stderr.String())
	writeConfigFile(t, conf, listen+"max_payload: 256KB\ndebug: true\n")
	hup()
	p.waitStderr(t, from, `[INF] Trapped "hangup" signal`)
	p.waitStderr(t, from, "[INF] Reloaded: max_payload = 262144")
	p.waitStderr(t, from, "[INF] Reloaded: debug = true")
	p.waitStderr(t, from, "[INF] Reloaded server configuration (sha256:")
	st := p.waitReloadStatus(t, status, 1)
	if !st.OK || st.Error != "" || st.PID != p.cmd.Process.Pid || !strings.HasPrefix(st.Digest, "sha256:") ||
		strings.Join(st.Changed, ",") != "debug,max_payload" {
		t.Fatalf("status after a good reload: %+v", st)
	}
	if got := greetingMaxPayload(t, addr); got != 262144 {
		t.Fatalf("INFO max_payload %d after reload", got)
	}
	p.waitStderr(t, from, "[DBG] 127.0.0.1:") // the new connection is logged
	p.waitStderr(t, from, "- Client connection created")
	natsRoundTrip(t, nc)

	// Changes that cannot apply: the old config keeps serving.
	bad := []struct {
		name, body, want string
	}{
		{"not reloadable", listen + "max_payload: 512KB\ndebug: true\nserver_name: foo\n",
			"config reload not supported for ServerName: old=, new=foo"},
		{"malformed", listen + "max_payload: 512KB\ndebug: [true\n",
			conf + `:4:1: Expected an array value terminator "," or an array terminator "]", but got EOF instead.`},
		{"unknown key", listen + "max_payload: 512KB\nbogus: 1\n", conf + `:3:1: unknown field "bogus"`},
	}
	for i, b := range bad {
		from := len(p.stderr.String())
		writeConfigFile(t, conf, b.body)
		hup()
		p.waitStderr(t, from, "[ERR] Failed to reload server configuration: "+b.want)
		st := p.waitReloadStatus(t, status, i+2)
		if st.OK || st.Error != b.want {
			t.Fatalf("%s: status %+v, want error %q", b.name, st, b.want)
		}
		if got := greetingMaxPayload(t, addr); got != 262144 {
			t.Fatalf("%s: INFO max_payload %d, want the old 262144", b.name, got)
		}
		natsRoundTrip(t, nc)
		if strings.Contains(p.stderr.String()[from:], "Reloaded:") {
			t.Fatalf("%s: a refused reload logged a change:\n%s", b.name, p.stderr.String()[from:])
		}
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != instance.ExitOK {
		t.Fatalf("exit %d after SIGTERM\nstderr:\n%s", code, p.stderr.String())
	}
}

// -t exits 0 for a valid file and 3 (ExitConfig) for an invalid one or one
// with warnings, as nats-server exits non-zero for both.
func TestE2ECheckConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body string
		code       int
		want       string // in stderr; %s is the file
	}{
		{"valid", "port: 4222\n", instance.ExitOK,
			"natsvisor: configuration file %s is valid (sha256:797533ebd0dfba7d34a0f9337ecf147e442871f48ddfd07ed751575a5737267e)\n"},
		{"warning", "ping_interval: 5\n", instance.ExitConfig,
			`natsvisor: %s:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration`},
		{"empty", "", instance.ExitConfig, "natsvisor: %s: config has no values or is empty"},
		{"unknown", "port: 1\nbogus: 1\n", instance.ExitConfig, `natsvisor: %s:2:1: unknown field "bogus"`},
		{"syntax", "port: \"1\n", instance.ExitConfig, "natsvisor: %s:"},
		{"unsupported", "cluster {}\n", instance.ExitConfig, `natsvisor: %s:1:0: field "cluster" is not supported yet`},
		{"missing", "", instance.ExitConfig, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tt.name+".conf")
			if tt.name != "missing" {
				writeConfigFile(t, path, tt.body)
			}
			p := start(t, "run", "--", "-t", "-c", path)
			if code := p.wait(t, 30*time.Second); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, p.stderr.String())
			}
			want := tt.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, path)
			}
			if !strings.Contains(p.stderr.String(), want) {
				t.Fatalf("stderr %q lacks %q", p.stderr.String(), want)
			}
			if strings.Contains(p.stderr.String(), "Listening for client connections") {
				t.Fatal("-t started a server")
			}
		})
	}
}

// --ports_file_dir: <exe>_<pid>.ports holds the listener's URL while the
// broker runs and is removed after SIGTERM.
func TestE2EPortsFile(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "run", "--", "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir)
	addr := p.waitListening(t)
	path := filepath.Join(dir, "natsvisor_"+strconv.Itoa(p.cmd.Process.Pid)+".ports")
	p.pollFor(t, "ports file", func() error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var ports struct {
			Nats []string `json:"nats"`
		}
		if err := json.Unmarshal(b, &ports); err != nil {
			return fmt.Errorf("%q: %v", b, err)
		}
		if len(ports.Nats) != 1 || ports.Nats[0] != "nats://"+addr {
			return fmt.Errorf("ports file %s, want nats://%s", b, addr)
		}
		return nil
	})
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != instance.ExitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, p.stderr.String())
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ports file after exit: %v", err)
	}
}
