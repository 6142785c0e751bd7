//go:build !windows

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/instance"
)

// runCLI runs natsvisor to completion and returns its output and exit code.
func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(natsvisorBinary(t), args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("natsvisor %v: %v", args, err)
	return "", -1
}

// signalRig registers and starts instances from config files; it returns
// the home, each instance's config path and its running process.
func signalRig(t *testing.T, names ...string) (string, map[string]string, map[string]*proc) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	reg, err := instance.OpenRegistry(home)
	if err != nil {
		t.Fatal(err)
	}
	confs, procs := map[string]string{}, map[string]*proc{}
	for _, name := range names {
		conf := filepath.Join(t.TempDir(), name+".conf")
		writeConf(t, conf, "listen: 127.0.0.1:-1\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n")
		inst, err := reg.New(name, t.TempDir(), []string{"-c", conf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Put(inst); err != nil {
			t.Fatal(err)
		}
		p := start(t, "run", "--name", name, "--home", home)
		p.waitLogListening(t, inst.Paths().LogFile)
		confs[name], procs[name] = conf, p
	}
	return home, confs, procs
}

func writeConf(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Commands reach the right instances by name, glob, pid and pid file, and
// report their effect: a reload's result, reopen and lame duck log lines,
// a quit's exit.
func TestE2ESignalCommands(t *testing.T) {
	home, confs, procs := signalRig(t, "east-1", "east-2", "west")
	h := "--home=" + home
	logOf := func(name string) string { return filepath.Join(home, name, name+".log") }
	pidOf := func(name string) string { return filepath.Join(home, name, name+".pid") }

	// A reload that applies, by name: the new max_payload is in a new INFO.
	writeConf(t, confs["east-1"], "listen: 127.0.0.1:-1\nmax_payload: 2048\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n")
	out, code := runCLI(t, h, "reload", "east-1")
	if code != 0 || !strings.Contains(out, "reload east-1: reloaded (sha256:") {
		t.Fatalf("reload east-1: exit %d\n%s", code, out)
	}
	addr := logListenLine.FindStringSubmatch(readFile(t, logOf("east-1")))[1]
	nc, err := nats.Connect("nats://"+addr, nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if mp := nc.MaxPayload(); mp != 2048 {
		t.Fatalf("max payload after reload %d, want 2048", mp)
	}
	nc.Close()

	// By glob, in nats-server's --signal form: both east instances.
	out, code = runCLI(t, h, "--signal", "reload=east-*")
	if code != 0 || strings.Count(out, ": reloaded (sha256:") != 2 || strings.Contains(out, "west") {
		t.Fatalf("reload east-*: exit %d\n%s", code, out)
	}

	// A reload the instance rejects: the error and a non-zero exit.
	writeConf(t, confs["east-2"], "listen: 127.0.0.1:4999\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n")
	out, code = runCLI(t, h, "signal", "reload=east-2")
	if code != exitFailed || !strings.Contains(out, "config reload not supported for Port") {
		t.Fatalf("rejected reload: exit %d\n%s", code, out)
	}

	// A broken config is refused before anything is sent.
	writeConf(t, confs["east-2"], "listen: 127.0.0.1:-1\nbogus: 1\n")
	before := readFile(t, logOf("east-2"))
	out, code = runCLI(t, h, "reload", "east-2")
	if code != exitConfig || !strings.Contains(out, `unknown field "bogus"`) {
		t.Fatalf("broken config: exit %d\n%s", code, out)
	}
	if after := readFile(t, logOf("east-2")); strings.Count(after, "Trapped") != strings.Count(before, "Trapped") {
		t.Fatalf("a reload was sent despite the broken config:\n%s", after)
	}

	// Reopen by pid, after an external rotation: a new file at the path.
	pid := strings.TrimSpace(readFile(t, pidOf("east-1")))
	if err := os.Rename(logOf("east-1"), logOf("east-1")+".1"); err != nil {
		t.Fatal(err)
	}
	out, code = runCLI(t, h, "reopen", pid)
	if code != 0 || !strings.Contains(out, "File log re-opened") {
		t.Fatalf("reopen %s: exit %d\n%s", pid, code, out)
	}
	if !strings.Contains(readFile(t, logOf("east-1")), "File log re-opened") {
		t.Fatal("no new log file at the path after reopen")
	}

	// Lame duck by pid file (with a newline): no clients, so it shuts down.
	pf := filepath.Join(t.TempDir(), "west.pid")
	writeConf(t, pf, readFile(t, pidOf("west"))+"\n")
	out, code = runCLI(t, "-sl", "ldm="+pf, h)
	if code != 0 || !strings.Contains(out, "Entering lame duck mode") {
		t.Fatalf("ldm west: exit %d\n%s", code, out)
	}
	if c := procs["west"].wait(t, 15*time.Second); c != 0 {
		t.Fatalf("west exit %d after lame duck", c)
	}

	// Targets that match nothing, or are gone.
	for _, args := range [][]string{{"reload", "north"}, {"signal", "quit=999999999"}, {"reload", "west"}} {
		if out, code := runCLI(t, append([]string{h}, args...)...); code != exitNotFound {
			t.Fatalf("%v: exit %d, want %d\n%s", args, code, exitNotFound, out)
		}
	}

	// Quit every running instance: each exits 0.
	out, code = runCLI(t, h, "signal", "quit", "--all")
	if code != 0 || strings.Count(out, "process exited") != 2 {
		t.Fatalf("quit --all: exit %d\n%s", code, out)
	}
	for _, name := range []string{"east-1", "east-2"} {
		if c := procs[name].wait(t, 15*time.Second); c != 0 {
			t.Fatalf("%s exit %d", name, c)
		}
	}
}

// SIGTERM is ignored during lame duck mode, as nats-server does; SIGINT
// still stops.
func TestE2ETermIgnoredInLameDuck(t *testing.T) {
	home, _, procs := signalRig(t, "duck")
	addr := logListenLine.FindStringSubmatch(readFile(t, filepath.Join(home, "duck", "duck.log")))[1]
	nc, err := nats.Connect("nats://"+addr, nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if out, code := runCLI(t, "--home="+home, "ldm", "duck"); code != 0 {
		t.Fatalf("ldm: exit %d\n%s", code, out)
	}
	p := procs["duck"]
	if out, code := runCLI(t, "--home="+home, "signal", "term=duck", "--timeout", "500ms"); code == 0 {
		t.Fatalf("term during lame duck stopped the broker:\n%s", out)
	}
	select {
	case <-p.exited:
		t.Fatal("the broker exited on SIGTERM during lame duck")
	default:
	}
	if out, code := runCLI(t, "--home="+home, "signal", "quit=duck"); code != 0 {
		t.Fatalf("quit: exit %d\n%s", code, out)
	}
	if c := p.wait(t, 15*time.Second); c != 0 {
		t.Fatalf("exit %d", c)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
