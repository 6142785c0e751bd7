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

// wineRig is one wine prefix. natsvisor.exe and rigctl.exe sit in
// C:\Program Files\natsvisor\ (a space: the binPath must be quoted); spec
// and config files go to C:\rig\.
type wineRig struct {
	t      *testing.T
	script string
	id     string
	drive  string    // host path of C:\
	start  time.Time // when the test began its own work (after t.Parallel)
}

const wineDir = `C:\Program Files\natsvisor\`

func (r *wineRig) exec(program string, args ...string) result {
	r.t.Helper()
	return run(r.t, 2*time.Minute, nil, r.script, append([]string{"exec", r.id, program}, args...)...)
}

func (r *wineRig) natsvisor(args ...string) result {
	r.t.Helper()
	return r.exec(wineDir+"natsvisor.exe", args...)
}

func (r *wineRig) rigctl(args ...string) result {
	r.t.Helper()
	return r.exec(wineDir+"rigctl.exe", args...)
}

func (r *wineRig) status(name string) supervisor.State {
	r.t.Helper()
	return parseState(r.t, r.rigctl("status", name))
}

// hostPath maps a path under C:\ to the host.
func (r *wineRig) hostPath(win string) string {
	return filepath.Join(r.drive, filepath.FromSlash(strings.ReplaceAll(strings.TrimPrefix(win, `C:\`), `\`, "/")))
}

// freePort returns a TCP port that is free on the loopback now (wine
// shares the host's network).
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

// newWineRig builds natsvisor.exe and rigctl.exe, makes a wine prefix,
// puts them in wineDir and downs the prefix when the test ends. It makes
// the test parallel: rigs boot side by side.
func newWineRig(t *testing.T) *wineRig {
	t.Helper()
	rigs := rigsDir(t)
	t.Parallel()
	start := time.Now()
	bin := t.TempDir()
	buildBinaries(t, "windows", bin)

	r := &wineRig{t: t, script: filepath.Join(rigs, "wine-rig.sh"), start: start}
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
	for _, d := range []string{wineDir, `C:\rig\`} {
		if err := os.MkdirAll(r.hostPath(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, exe := range []string{"natsvisor.exe", "rigctl.exe"} {
		data, err := os.ReadFile(filepath.Join(bin, exe))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(r.hostPath(wineDir+exe), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if k := must(t, r.rigctl("kind"), 0, "kind"); strings.TrimSpace(k.stdout) != "windows" {
		t.Fatalf("Detect under wine: %q, want windows", k.stdout)
	}
	return r
}

// TestRigWine runs natsvisor.exe against wine's SCM: two services installed
// from a path with a space and started (RUNNING only once the broker is
// ready; a client connects from the host), updated, restarted, stopped and
// uninstalled; a config error that fails the start with its exit code;
// through rigctl, a foreign service left alone.
func TestRigWine(t *testing.T) {
	r := newWineRig(t)

	ports := map[string]int{"w1": freePort(t), "w2": freePort(t)}
	pids := map[string]int{}
	for _, n := range []string{"w1", "w2"} {
		res := must(t, r.natsvisor("install", "--name", n, "--start", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(ports[n])),
			0, "install --start "+n)
		st := r.status(n)
		if !st.Running() || st.PID == 0 || !st.Ours {
			t.Fatalf("%s after install --start: %+v", n, st)
		}
		pids[n] = st.PID
		natsRoundTrip(t, ports[n])
		t.Logf("install --start %s: %v (pid %d, port %d)", n, res.took.Round(time.Millisecond), st.PID, ports[n])
	}
	if pids["w1"] == pids["w2"] {
		t.Errorf("one pid for two services: %v", pids)
	}
	dry := must(t, r.natsvisor("install", "--dry-run", "--name", "w9", "--", "-p", strconv.Itoa(freePort(t))), 0, "install --dry-run")
	if want := `"C:\Program Files\natsvisor\natsvisor.exe" run --service --name w9`; !strings.Contains(dry.stdout, want) {
		t.Errorf("install --dry-run: no %s in\n%s", want, dry.stdout)
	}

	// Update w1 (a new port); a restart applies it.
	newPort := freePort(t)
	must(t, r.natsvisor("install", "--name", "w1", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(newPort)), 0, "update w1")
	res := must(t, r.natsvisor("restart", "w1"), 0, "restart w1")
	if st := r.status("w1"); !st.Running() || st.PID == pids["w1"] {
		t.Errorf("w1 after restart: %+v (old pid %d)", st, pids["w1"])
	}
	natsRoundTrip(t, newPort)
	t.Logf("restart w1: %v", res.took.Round(time.Millisecond))

	for _, n := range []string{"w1", "w2"} {
		res := must(t, r.natsvisor("stop", n), 0, "stop "+n)
		if st := r.status(n); st.Active != "inactive" || st.PID != 0 || st.ExitCode != 0 {
			t.Errorf("%s after stop: %+v", n, st)
		}
		t.Logf("stop %s: %v", n, res.took.Round(time.Millisecond))
	}

	// A config error: the start fails with the broker's exit code. The
	// config is broken after install, which checks it.
	conf := `C:\rig\bad.conf`
	if err := os.WriteFile(r.hostPath(conf), []byte("port: "+strconv.Itoa(freePort(t))+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, r.natsvisor("install", "--name", "w3", "--", "-a", "127.0.0.1", "-c", conf), 0, "install w3")
	if err := os.WriteFile(r.hostPath(conf), []byte("port: {{{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fail := r.natsvisor("start", "w3")
	if fail.code == 0 || !strings.Contains(fail.stderr, "exit code 3") {
		t.Errorf("start w3: want a failure with exit code 3, got %s", fail)
	}
	if st := r.status("w3"); st.Active != "failed" || st.ExitCode != 3 {
		t.Errorf("w3 after its failed start: %+v", st)
	}

	// A service natsvisor did not create is left alone.
	must(t, r.exec("sc.exe", "create", "foreignsvc", "binpath=", `C:\x.exe`), 0, "sc create")
	spec := supervisor.Spec{Name: "foreignsvc", Executable: wineDir + "rigctl.exe"}
	writeSpec(t, r.hostPath(`C:\rig\foreignsvc.json`), spec)
	must(t, r.rigctl("install", `C:\rig\foreignsvc.json`), exitForeign, "install over a foreign service")
	must(t, r.rigctl("uninstall", "foreignsvc"), exitForeign, "uninstall a foreign service")
	if st := r.status("foreignsvc"); !st.Installed || st.Ours {
		t.Errorf("status of the foreign service: %+v", st)
	}

	for _, n := range []string{"w1", "w2", "w3"} {
		must(t, r.natsvisor("uninstall", "--purge", n), 0, "uninstall "+n)
		must(t, r.rigctl("status", n), exitNotInstalled, "status after uninstall "+n)
	}
	t.Logf("wine rig: %v in all", time.Since(r.start).Round(time.Millisecond))
}
