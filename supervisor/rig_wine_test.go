package supervisor_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/supervisor"
)

// wineRig is one wine prefix; rigctl.exe sits in C:\rig dir\ (a space, so
// the binPath must be quoted) and spec files in C:\specs\.
type wineRig struct {
	t      *testing.T
	script string
	id     string
	drive  string // host path of C:\
}

const wineRigctl = `C:\rig dir\rigctl.exe`

func (r *wineRig) rigctl(args ...string) result {
	r.t.Helper()
	return run(r.t, 2*time.Minute, nil, r.script, append([]string{"exec", r.id, wineRigctl}, args...)...)
}

func (r *wineRig) status(name string) supervisor.State {
	r.t.Helper()
	return parseState(r.t, r.rigctl("status", name))
}

func (r *wineRig) install(spec supervisor.Spec) result {
	r.t.Helper()
	writeSpec(r.t, filepath.Join(r.drive, "specs", spec.Name+".json"), spec)
	return r.rigctl("install", `C:\specs\`+spec.Name+".json")
}

// winBrokerSpec is an instance as the wine rig runs it: a broker on
// 127.0.0.1:port (wine shares the host's network) logging to C:\rig dir\.
func winBrokerSpec(name string, port int, extra ...string) supervisor.Spec {
	args := []string{"run", "--name", name, "--", "-a", "127.0.0.1", "-p", strconv.Itoa(port),
		"-l", `C:\rig dir\` + name + ".log"}
	return supervisor.Spec{
		Name:         name,
		Description:  "rig broker " + name,
		Executable:   wineRigctl,
		Args:         append(args, extra...),
		StartTimeout: 30 * time.Second,
		StopTimeout:  15 * time.Second,
		RestartSec:   time.Second,
	}
}

// freePort returns a TCP port that is free on the loopback now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// natsRoundTrip connects from the host with nats.go and does a request.
func natsRoundTrip(t *testing.T, port int) {
	t.Helper()
	nc, err := nats.Connect("nats://127.0.0.1:"+strconv.Itoa(port), nats.Timeout(3*time.Second), nats.NoReconnect())
	if err != nil {
		t.Fatalf("connect to port %d: %v", port, err)
	}
	defer nc.Close()
	sub, err := nc.Subscribe("rig.echo", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if _, err := nc.Request("rig.echo", []byte("ping"), 3*time.Second); err != nil {
		t.Fatalf("request via port %d: %v", port, err)
	}
}

// TestRigWine runs the SCM lifecycle under wine: two services installed
// from a path with a space, started (RUNNING only once the broker is ready;
// a client connects from the host), updated, restarted, stopped and
// uninstalled; a config error that stops the start with its exit code; a
// foreign service left alone.
func TestRigWine(t *testing.T) {
	rigs := rigsDir(t)
	t.Parallel()
	t0 := time.Now()
	exe := buildRigctl(t, "windows", t.TempDir(), "rigctl.exe")

	r := &wineRig{t: t, script: filepath.Join(rigs, "wine-rig.sh")}
	up := run(t, 5*time.Minute, nil, r.script, "up")
	if id := strings.TrimSpace(up.stdout); id != "" {
		r.id = id
		t.Cleanup(func() {
			if d := run(t, 2*time.Minute, nil, r.script, "down", r.id); d.code != 0 {
				t.Errorf("rig down: %s", d)
			}
		})
	}
	must(t, up, 0, "wine-rig.sh up")
	t.Logf("rig up in %v", up.took.Round(time.Millisecond))
	r.drive = strings.TrimSpace(must(t, run(t, time.Minute, nil, r.script, "path", r.id), 0, "path").stdout)
	for _, d := range []string{"rig dir", "specs"} {
		if err := os.MkdirAll(filepath.Join(r.drive, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.drive, "rig dir", "rigctl.exe"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	if k := must(t, r.rigctl("kind"), 0, "kind"); strings.TrimSpace(k.stdout) != "windows" {
		t.Fatalf("Detect under wine: %q, want windows", k.stdout)
	}

	ports := map[string]int{"w1": freePort(t), "w2": freePort(t)}
	for _, n := range []string{"w1", "w2"} {
		must(t, r.install(winBrokerSpec(n, ports[n])), 0, "install "+n)
		if st := r.status(n); !st.Installed || !st.Ours || st.Active != "inactive" {
			t.Fatalf("%s after install: %+v", n, st)
		}
	}
	pids := map[string]int{}
	for _, n := range []string{"w1", "w2"} {
		res := must(t, r.rigctl("start", n), 0, "start "+n)
		st := r.status(n)
		if !st.Running() || st.PID == 0 {
			t.Fatalf("%s after start: %+v", n, st)
		}
		pids[n] = st.PID
		natsRoundTrip(t, ports[n])
		t.Logf("start %s: %v (pid %d, port %d)", n, res.took.Round(time.Millisecond), st.PID, ports[n])
	}
	if pids["w1"] == pids["w2"] {
		t.Errorf("one pid for two services: %v", pids)
	}

	// Update w1 while it runs (a new port), then restart it onto the new port.
	newPort := freePort(t)
	must(t, r.install(winBrokerSpec("w1", newPort)), 0, "update w1")
	must(t, r.rigctl("restart", "w1"), 0, "restart w1")
	if st := r.status("w1"); !st.Running() || st.PID == pids["w1"] {
		t.Errorf("w1 after restart: %+v (old pid %d)", st, pids["w1"])
	}
	natsRoundTrip(t, newPort)

	// Stop both.
	for _, n := range []string{"w1", "w2"} {
		res := must(t, r.rigctl("stop", n), 0, "stop "+n)
		if st := r.status(n); st.Active != "inactive" || st.PID != 0 || st.ExitCode != 0 {
			t.Errorf("%s after stop: %+v", n, st)
		}
		t.Logf("stop %s: %v", n, res.took.Round(time.Millisecond))
	}

	// A config error: the start fails with the broker's exit code.
	must(t, r.install(winBrokerSpec("w3", freePort(t), "-c", `C:\missing\nats.conf`)), 0, "install w3")
	fail := r.rigctl("start", "w3")
	if fail.code == 0 || !strings.Contains(fail.stderr, "exit code 3") {
		t.Errorf("start w3: want a failure with exit code 3, got %s", fail)
	}
	if st := r.status("w3"); st.Active != "failed" || st.ExitCode != 3 {
		t.Errorf("w3 after its failed start: %+v", st)
	}

	// A service natsvisor did not create is left alone.
	sc := run(t, time.Minute, nil, r.script, "exec", r.id, "sc.exe", "create", "foreignsvc", "binpath=", `C:\x.exe`)
	must(t, sc, 0, "sc create")
	must(t, r.install(winBrokerSpec("foreignsvc", freePort(t))), exitForeign, "install over a foreign service")
	must(t, r.rigctl("uninstall", "foreignsvc"), exitForeign, "uninstall a foreign service")
	if st := r.status("foreignsvc"); !st.Installed || st.Ours {
		t.Errorf("status of the foreign service: %+v", st)
	}

	for _, n := range []string{"w1", "w2", "w3"} {
		must(t, r.rigctl("uninstall", n), 0, "uninstall "+n)
		must(t, r.rigctl("status", n), exitNotInstalled, "status after uninstall "+n)
	}
	t.Logf("wine rig lifecycle: %v in all", time.Since(t0).Round(time.Millisecond))
}
