package supervisor_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/supervisor"
)

// sdRig is one systemd rig; natsvisor, rigctl and spec files are bound at
// /opt/nv.
type sdRig struct {
	t      *testing.T
	script string
	id     string
	bin    string    // host side of /opt/nv
	start  time.Time // when the test began its own work (after t.Parallel)
}

func (r *sdRig) exec(args ...string) result {
	r.t.Helper()
	return run(r.t, 2*time.Minute, nil, r.script, append([]string{"exec", r.id}, args...)...)
}

func (r *sdRig) natsvisor(args ...string) result {
	r.t.Helper()
	return r.exec(append([]string{"/opt/nv/natsvisor"}, args...)...)
}

func (r *sdRig) rigctl(args ...string) result {
	r.t.Helper()
	return r.exec(append([]string{"/opt/nv/rigctl"}, args...)...)
}

// status is the Manager's State of name, through rigctl.
func (r *sdRig) status(name string) supervisor.State {
	r.t.Helper()
	return parseState(r.t, r.rigctl("status", name))
}

// install writes spec into the bound directory and installs it with rigctl.
func (r *sdRig) install(spec supervisor.Spec) result {
	r.t.Helper()
	writeSpec(r.t, filepath.Join(r.bin, spec.Name+".json"), spec)
	return r.rigctl("install", "/opt/nv/"+spec.Name+".json")
}

// probe connects to a broker with nats.go from inside the rig (its network
// is its own).
func (r *sdRig) probe(port int) {
	r.t.Helper()
	must(r.t, r.rigctl("probe", "127.0.0.1:"+strconv.Itoa(port)), 0, "nats.go client to port "+strconv.Itoa(port))
}

// newSDRig builds natsvisor and rigctl for Linux, boots a systemd rig with
// them bound at /opt/nv and downs it when the test ends. It makes the test
// parallel: rigs boot side by side.
func newSDRig(t *testing.T) *sdRig {
	t.Helper()
	rigs := rigsDir(t)
	t.Parallel()
	start := time.Now()
	bin := t.TempDir()
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	buildBinaries(t, "linux", bin)

	r := &sdRig{t: t, script: filepath.Join(rigs, "systemd-rig.sh"), bin: bin, start: start}
	up := run(t, 5*time.Minute, nil, r.script, "up", "--bind", bin+":/opt/nv")
	if id := strings.TrimSpace(up.stdout); id != "" {
		r.id = id
		t.Cleanup(func() {
			if d := run(t, 2*time.Minute, nil, r.script, "down", r.id); d.code != 0 {
				t.Errorf("rig down: %s", d)
			}
		})
	}
	must(t, up, 0, "systemd-rig.sh up")
	t.Logf("rig up in %v", up.took.Round(time.Millisecond))
	if k := must(t, r.rigctl("kind"), 0, "kind"); strings.TrimSpace(k.stdout) != "systemd" {
		t.Fatalf("Detect in the rig: %q, want systemd", k.stdout)
	}
	return r
}

// TestRigSystemd runs natsvisor against systemd 252 as PID 1 of an nspawn
// container: three brokers installed and started (a nats.go client inside
// the rig connects to each), restarted, reloaded, killed (and brought back
// by Restart=on-failure), stopped, updated and uninstalled; a config error
// that fails its start and does not loop; a per-user service. Through
// rigctl: a foreign unit left alone, and ExecStart words that survive
// systemd's quoting rules.
func TestRigSystemd(t *testing.T) {
	r := newSDRig(t)

	// install --start returns once each broker has sent READY=1.
	names := []string{"a", "b", "c"}
	ports := map[string]int{"a": 4301, "b": 4302, "c": 4303}
	pids := map[string]int{}
	for _, n := range names {
		res := must(t, r.natsvisor("install", "--name", n, "--start", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(ports[n])),
			0, "install --start "+n)
		st := r.status(n)
		if !st.Running() || st.Sub != "running" || st.PID == 0 || !st.Ours || st.Since.IsZero() {
			t.Fatalf("status %s after install --start: %+v", n, st)
		}
		pids[n] = st.PID
		cmdline := must(t, r.exec("cat", "/proc/"+strconv.Itoa(st.PID)+"/cmdline"), 0, "cmdline").stdout
		if !strings.Contains(cmdline, "run\x00--name\x00"+n+"\x00") {
			t.Errorf("pid %d of %s runs %q", st.PID, n, cmdline)
		}
		r.probe(ports[n])
		t.Logf("install --start %s: %v (pid %d)", n, res.took.Round(time.Millisecond), st.PID)
	}
	if pids["a"] == pids["b"] || pids["b"] == pids["c"] || pids["a"] == pids["c"] {
		t.Errorf("pids not distinct: %v", pids)
	}
	unit := must(t, r.exec("systemctl", "show", "-p", "Type,NotifyAccess,Restart,RestartPreventExitStatus,UnitFileState,StatusText", "a"), 0, "show a")
	for _, want := range []string{"Type=notify", "NotifyAccess=main", "Restart=on-failure",
		"RestartPreventExitStatus=2 3", "UnitFileState=enabled"} {
		if !strings.Contains(unit.stdout, want) {
			t.Errorf("unit a: no %q in\n%s", want, unit.stdout)
		}
	}
	var report map[string]any
	if err := json.Unmarshal([]byte(must(t, r.natsvisor("status", "a", "-o", "json"), 0, "status -o json").stdout), &report); err != nil {
		t.Fatal(err)
	}
	if report["ready"] != true || report["state"] != "active" {
		t.Errorf("natsvisor status a: %v", report)
	}

	// restart: a new process; reload (ExecReload, SIGHUP): the same one.
	res := must(t, r.natsvisor("restart", "b"), 0, "restart b")
	if st := r.status("b"); !st.Running() || st.PID == pids["b"] || st.PID == 0 {
		t.Errorf("b after restart: %+v (old pid %d)", st, pids["b"])
	}
	t.Logf("restart b: %v", res.took.Round(time.Millisecond))
	must(t, r.exec("systemctl", "reload", "a"), 0, "systemctl reload a")
	waitFor(t, 10*time.Second, "a logs the reload signal", func() (bool, string) {
		l := r.exec("cat", "/var/lib/natsvisor/a/a.log")
		return strings.Contains(l.stdout, `Trapped "hangup" signal`), l.stdout
	})
	if st := r.status("a"); !st.Running() || st.PID != pids["a"] {
		t.Errorf("a after reload: %+v, want the same pid %d", st, pids["a"])
	}

	// kill -9: Restart=on-failure brings c back with a new process.
	must(t, r.exec("kill", "-9", strconv.Itoa(pids["c"])), 0, "kill -9 c")
	back := waitFor(t, 30*time.Second, "c restarted after kill -9", func() (bool, string) {
		st := r.status("c")
		return st.Running() && st.PID != pids["c"] && st.PID != 0 && st.Restarts >= 1, jsonString(st)
	})
	t.Logf("c back after kill -9 in %v", back.Round(time.Millisecond))
	r.probe(ports["c"])

	must(t, r.natsvisor("stop", "c"), 0, "stop c")
	if st := r.status("c"); st.Active != "inactive" || st.PID != 0 {
		t.Errorf("c after stop: %+v", st)
	}

	// Update a (a new port); a restart applies it.
	must(t, r.natsvisor("install", "--name", "a", "--", "-a", "127.0.0.1", "-p", "4311"), 0, "update a")
	must(t, r.natsvisor("restart", "a"), 0, "restart a")
	r.probe(4311)

	// A config error (exit 3, in RestartPreventExitStatus) fails the start
	// and does not loop. The config is broken after install, which checks it.
	must(t, r.exec("sh", "-c", "mkdir -p /srv && printf 'port: 4304\\n' >/srv/bad.conf"), 0, "write bad.conf")
	must(t, r.natsvisor("install", "--name", "bad", "--", "-a", "127.0.0.1", "-c", "/srv/bad.conf"), 0, "install bad")
	must(t, r.exec("sh", "-c", "printf 'port: {{{\\n' >/srv/bad.conf"), 0, "break bad.conf")
	fail := r.natsvisor("start", "bad")
	if fail.code == 0 || !strings.Contains(fail.stderr, "exit status 3") {
		t.Errorf("start bad: want a failure naming exit status 3, got %s", fail)
	}
	st := r.status("bad")
	if st.Active != "failed" || st.ExitCode != 3 {
		t.Errorf("bad after start: %+v", st)
	}
	// A restart loop would show within a few restart delays (3s each).
	waitFor(t, 30*time.Second, "the unit stays failed past a restart delay", func() (bool, string) {
		st := r.status("bad")
		return st.Active == "failed" && time.Since(st.Since) > 4*time.Second, jsonString(st)
	})
	if st := r.status("bad"); st.Active != "failed" || st.Restarts != 0 {
		t.Errorf("bad restarted after a config error: %+v", st)
	}

	// A unit natsvisor did not write is left alone.
	must(t, r.exec("sh", "-c", "printf '[Service]\\nExecStart=/bin/true\\n' >/etc/systemd/system/foreign.service && systemctl daemon-reload"), 0, "write foreign unit")
	must(t, r.install(supervisor.Spec{Name: "foreign", Executable: "/opt/nv/rigctl"}), exitForeign, "install over a foreign unit")
	must(t, r.rigctl("uninstall", "foreign"), exitForeign, "uninstall a foreign unit")
	if st := r.status("foreign"); !st.Installed || st.Ours {
		t.Errorf("status of the foreign unit: %+v", st)
	}

	// Quoting: every word arrives as written, from an executable whose path
	// has a space; installing again updates the unit.
	must(t, r.exec("sh", "-c", `mkdir -p "/srv/my apps" && ln -s /opt/nv/rigctl "/srv/my apps/rigctl"`), 0, "symlink")
	words := []string{"a b", "$USER", "${HOME}", "50%", "%n", "", `back\slash`, "semi;colon", ";", "it's",
		`say "hi"`, "tab\there", "ünï", "--name=x"}
	q := supervisor.Spec{Name: "quoting", Executable: "/srv/my apps/rigctl",
		Args: []string{"argv", "/run/quoting.json", "first"}, StartTimeout: 10 * time.Second}
	must(t, r.install(q), 0, "install quoting")
	must(t, r.rigctl("start", "quoting"), 0, "start quoting")
	q.Args = append([]string{"argv", "/run/quoting.json"}, words...)
	must(t, r.install(q), 0, "update quoting")
	must(t, r.rigctl("restart", "quoting"), 0, "restart quoting")
	var got []string
	if err := json.Unmarshal([]byte(must(t, r.exec("cat", "/run/quoting.json"), 0, "argv file").stdout), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, words) {
		t.Errorf("ExecStart words:\n got %q\nwant %q", got, words)
	}
	must(t, r.rigctl("uninstall", "quoting"), 0, "uninstall quoting")

	// A per-user service (systemctl --user), for a user whose manager
	// lingers: the unit goes to ~/.config/systemd/user, reload uses
	// systemctl --user kill.
	must(t, r.exec("sh", "-c", "useradd -m -u 1000 ann && mkdir -p /var/lib/systemd/linger && "+
		"touch /var/lib/systemd/linger/ann && systemctl start user@1000.service"), 0, "user ann with a user manager")
	asAnn := func(cmd string) result { t.Helper(); return r.exec("su", "-s", "/bin/sh", "ann", "-c", cmd) }
	must(t, asAnn("/opt/nv/natsvisor install --name u1 --start -- -a 127.0.0.1 -p 4320"), 0, "install --start as ann")
	if st := parseState(t, asAnn("/opt/nv/rigctl status u1")); !st.Running() || st.PID == 0 || !st.Ours {
		t.Errorf("ann's u1 after install --start: %+v", st)
	}
	must(t, asAnn("test -f ~/.config/systemd/user/u1.service"), 0, "ann's unit file")
	must(t, r.rigctl("status", "u1"), exitNotInstalled, "u1 is not a system unit")
	r.probe(4320)
	must(t, asAnn("systemctl --user reload u1"), 0, "systemctl --user reload u1")
	waitFor(t, 10*time.Second, "u1 logs the reload signal", func() (bool, string) {
		l := asAnn("cat ~/.local/state/natsvisor/u1/u1.log")
		return strings.Contains(l.stdout, `Trapped "hangup" signal`), l.stdout
	})
	must(t, asAnn("/opt/nv/natsvisor uninstall --purge u1"), 0, "uninstall as ann")
	must(t, asAnn("/opt/nv/rigctl status u1"), exitNotInstalled, "ann's u1 after uninstall")

	// Uninstall: units gone, the Manager says not installed.
	for _, n := range []string{"a", "b", "c", "bad"} {
		must(t, r.natsvisor("uninstall", "--purge", n), 0, "uninstall "+n)
		must(t, r.rigctl("status", n), exitNotInstalled, "status after uninstall "+n)
	}
	for _, n := range []string{"a", "b", "c", "bad", "quoting"} {
		if r.exec("test", "-e", "/etc/systemd/system/"+n+".service").code == 0 {
			t.Errorf("unit file of %s left behind", n)
		}
	}
	must(t, r.rigctl("uninstall", "a"), exitNotInstalled, "second uninstall")
	left := r.exec("systemctl", "list-units", "--all", "--no-legend", "--plain", "a.service", "b.service", "c.service", "bad.service")
	if strings.TrimSpace(left.stdout) != "" {
		t.Errorf("units still loaded after uninstall:\n%s", left.stdout)
	}
	t.Logf("systemd rig: %v in all", time.Since(r.start).Round(time.Millisecond))
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
