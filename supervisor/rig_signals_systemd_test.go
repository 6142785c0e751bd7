package supervisor_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/supervisor"
)

// reloadResult is the part of a broker's reload status file
// (<pid file>.reload) the rig tests read.
type reloadResult struct {
	Seq   int    `json:"seq"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	PID   int    `json:"pid"`
}

// unitProps reads systemd properties of a unit inside the rig.
func (r *sdRig) unitProps(name string, props ...string) map[string]string {
	r.t.Helper()
	out := must(r.t, r.exec("systemctl", "show", "-p", strings.Join(props, ","), name), 0, "systemctl show "+name).stdout
	p := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			p[k] = v
		}
	}
	return p
}

// file is a file's content inside the rig ("" when it does not exist).
func (r *sdRig) file(path string) string {
	r.t.Helper()
	return r.exec("cat", path).stdout
}

// reloadStatus reads a reload status file inside the rig (zero when none).
func (r *sdRig) reloadStatus(path string) reloadResult {
	r.t.Helper()
	var st reloadResult
	if b := r.file(path); b != "" {
		if err := json.Unmarshal([]byte(b), &st); err != nil {
			r.t.Fatalf("reload status %s: %v\n%s", path, err, b)
		}
	}
	return st
}

// maxPayload is the max_payload a nats.go client inside the rig is told.
func (r *sdRig) maxPayload(port int) int {
	r.t.Helper()
	out := must(r.t, r.rigctl("probe", "127.0.0.1:"+strconv.Itoa(port)), 0, "probe "+strconv.Itoa(port)).stdout
	_, v, _ := strings.Cut(out, "max_payload=")
	n, err := strconv.Atoi(strings.Fields(v + " x")[0])
	if err != nil {
		r.t.Fatalf("probe %d: no max_payload in %q", port, out)
	}
	return n
}

// TestRigSystemdSignals proves, under systemd 252 as PID 1, what an
// instance's service does between start and stop: `systemctl start` blocks
// until READY=1; NATS_STARTUP_DELAY reaches the service (a bad value is
// logged); `systemctl reload` and `natsvisor reload` apply a changed config
// (a reload status with a new seq, the log line, the max_payload a client
// sees) and a rejected reload fails `natsvisor reload`; `natsvisor reopen`
// after a mv of the log starts a new log file; `natsvisor ldm` sends the
// lame duck INFO to a connected nats.go client and the unit ends inactive,
// not restarted; a start whose port is taken fails instead of hanging.
// One rig, steps in order: each needs the one before.
func TestRigSystemdSignals(t *testing.T) {
	r := newSDRig(t)
	const (
		home     = "/var/lib/natsvisor/"
		conf     = "/opt/nv/s1.conf"
		log      = home + "s1/s1.log"
		status   = home + "s1/s1.pid.reload"
		port     = 4401
		slowPort = 4409
	)
	// The config is written from the host into the bound directory.
	writeConf := func(port, maxPayload int) {
		t.Helper()
		c := "port: " + strconv.Itoa(port) + "\nmax_payload: " + strconv.Itoa(maxPayload) +
			"\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n"
		if err := os.WriteFile(filepath.Join(r.bin, "s1.conf"), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pid := 0

	// A broker that sends READY=1 two seconds after it listens: `systemctl
	// start` waits for it, the unit is activating meanwhile (while a client
	// can already connect), and active the moment start returns.
	if !t.Run("start blocks until READY=1", func(t *testing.T) {
		slow := supervisor.Spec{Name: "slow", Executable: "/opt/nv/rigctl", StartTimeout: 30 * time.Second,
			Args: []string{"run", "--name", "slow", "--ready-after", "2s", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(slowPort)}}
		must(t, r.install(slow), 0, "install slow")
		started := make(chan result, 1)
		go func() { started <- runNoFatal(r.script, "exec", r.id, "systemctl", "start", "slow") }()
		sawActivating := false
		waitFor(t, 10*time.Second, "slow activating with its port open", func() (bool, string) {
			p := r.unitProps("slow", "ActiveState", "SubState")
			if p["ActiveState"] == "activating" {
				sawActivating = true
			}
			return sawActivating && r.rigctl("probe", "127.0.0.1:"+strconv.Itoa(slowPort)).code == 0, jsonString(p)
		})
		if p := r.unitProps("slow", "ActiveState"); p["ActiveState"] != "activating" {
			t.Errorf("slow: the port accepts but the unit is %s before READY=1", p["ActiveState"])
		}
		res := <-started
		p := r.unitProps("slow", "ActiveState", "SubState", "Type")
		must(t, res, 0, "systemctl start slow")
		if p["ActiveState"] != "active" || p["SubState"] != "running" || p["Type"] != "notify" {
			t.Errorf("slow right after systemctl start returned: %v", p)
		}
		if res.took < 2*time.Second {
			t.Errorf("systemctl start slow returned after %v, before READY=1 (2s after the broker was up)", res.took)
		}
		t.Logf("systemctl start slow: %v (READY=1 2s after listening)", res.took.Round(time.Millisecond))
	}) {
		t.FailNow()
	}

	// NATS_STARTUP_DELAY from natsvisor install's environment becomes an
	// Environment= line and the start timeout; a bad one is refused by
	// install, and one that reaches the broker anyway (a drop-in) is
	// logged. The real instance is active the moment start returns.
	if !t.Run("NATS_STARTUP_DELAY and start", func(t *testing.T) {
		writeConf(port, 100000)
		bad := r.exec("env", "NATS_STARTUP_DELAY=soon", "/opt/nv/natsvisor", "install", "--name", "s9", "--", "-a", "127.0.0.1", "-p", "4499")
		if bad.code != 2 || !strings.Contains(bad.stderr, "NATS_STARTUP_DELAY") {
			t.Errorf("install with NATS_STARTUP_DELAY=soon: want exit 2 naming it, got %s", bad)
		}
		must(t, r.exec("env", "NATS_STARTUP_DELAY=3s", "/opt/nv/natsvisor", "install", "--name", "s1", "--", "-a", "127.0.0.1", "-c", conf), 0, "install s1")
		p := r.unitProps("s1", "Environment", "TimeoutStartUSec")
		if !strings.Contains(" "+p["Environment"]+" ", " NATS_STARTUP_DELAY=3s ") || p["TimeoutStartUSec"] != "8s" {
			t.Errorf("unit s1: %v, want NATS_STARTUP_DELAY=3s in Environment and TimeoutStartUSec=8s", p)
		}
		must(t, r.exec("sh", "-c", "mkdir -p /etc/systemd/system/s1.service.d && "+
			"printf '[Service]\\nEnvironment=NATS_STARTUP_DELAY=bogus\\n' >/etc/systemd/system/s1.service.d/delay.conf && "+
			"systemctl daemon-reload"), 0, "drop-in NATS_STARTUP_DELAY=bogus")
		res := must(t, r.exec("systemctl", "start", "s1"), 0, "systemctl start s1")
		p = r.unitProps("s1", "ActiveState", "SubState", "MainPID")
		if p["ActiveState"] != "active" || p["SubState"] != "running" {
			t.Fatalf("s1 right after systemctl start returned: %v", p)
		}
		t.Logf("systemctl start s1: %v", res.took.Round(time.Millisecond))
		env := r.file("/proc/" + p["MainPID"] + "/environ")
		if !strings.Contains(env, "\x00NATS_STARTUP_DELAY=bogus\x00") && !strings.HasPrefix(env, "NATS_STARTUP_DELAY=bogus\x00") {
			t.Errorf("s1's environment has no NATS_STARTUP_DELAY=bogus: %q", env)
		}
		if l := r.file(log); !strings.Contains(l, `invalid NATS_STARTUP_DELAY value "bogus"`) {
			t.Errorf("s1's log has no warning about NATS_STARTUP_DELAY=bogus:\n%s", l)
		}
		must(t, r.exec("sh", "-c", "rm -r /etc/systemd/system/s1.service.d && systemctl daemon-reload && systemctl restart s1"), 0, "restart s1 without the drop-in")
		p = r.unitProps("s1", "ActiveState", "MainPID")
		if env := r.file("/proc/" + p["MainPID"] + "/environ"); p["ActiveState"] != "active" || !strings.Contains(env, "NATS_STARTUP_DELAY=3s\x00") {
			t.Errorf("s1 after restart: %v, environment %q", p, env)
		}
		pid, _ = strconv.Atoi(p["MainPID"])
		if n := r.maxPayload(port); n != 100000 {
			t.Errorf("s1: max_payload %d, want 100000", n)
		}
	}) {
		t.FailNow()
	}

	// systemctl reload (ExecReload: SIGHUP) and natsvisor reload both
	// apply a changed max_payload to the same process.
	t.Run("reload", func(t *testing.T) {
		before := r.reloadStatus(status)
		writeConf(port, 200000)
		must(t, r.exec("systemctl", "reload", "s1"), 0, "systemctl reload s1")
		took := waitFor(t, 10*time.Second, "a new reload result after systemctl reload", func() (bool, string) {
			st := r.reloadStatus(status)
			return st.Seq > before.Seq, jsonString(st)
		})
		st := r.reloadStatus(status)
		if !st.OK || st.PID != pid {
			t.Errorf("reload status after systemctl reload: %+v (pid %d)", st, pid)
		}
		if n := r.maxPayload(port); n != 200000 {
			t.Errorf("max_payload after systemctl reload: %d, want 200000", n)
		}
		t.Logf("systemctl reload s1: applied in %v (seq %d)", took.Round(time.Millisecond), st.Seq)

		writeConf(port, 300000)
		res := must(t, r.natsvisor("reload", "s1"), 0, "natsvisor reload s1")
		if !strings.Contains(res.stdout, "reload s1: reloaded") {
			t.Errorf("natsvisor reload s1: %s", res)
		}
		st2 := r.reloadStatus(status)
		if st2.Seq != st.Seq+1 || !st2.OK || st2.PID != pid {
			t.Errorf("reload status after natsvisor reload: %+v, want seq %d ok from pid %d", st2, st.Seq+1, pid)
		}
		if n := r.maxPayload(port); n != 300000 {
			t.Errorf("max_payload after natsvisor reload: %d, want 300000", n)
		}
		if n := strings.Count(r.file(log), "Reloaded server configuration"); n < 2 {
			t.Errorf("s1's log has %d reload lines, want 2", n)
		}
		res2 := must(t, r.natsvisor("-sl", "reload=s1"), 0, "natsvisor -sl reload=s1")
		if st3 := r.reloadStatus(status); st3.Seq != st2.Seq+1 || !st3.OK {
			t.Errorf("reload status after -sl reload=s1: %+v", st3)
		}
		t.Logf("natsvisor reload s1: %v; -sl reload=s1: %v", res.took.Round(time.Millisecond), res2.took.Round(time.Millisecond))
		if p := r.unitProps("s1", "ActiveState", "MainPID"); p["ActiveState"] != "active" || p["MainPID"] != strconv.Itoa(pid) {
			t.Errorf("s1 after the reloads: %v, want active with pid %d", p, pid)
		}
	})

	// A change a reload cannot apply (the port): the broker refuses it,
	// natsvisor reload fails with the broker's error, the broker goes on.
	t.Run("rejected reload", func(t *testing.T) {
		before := r.reloadStatus(status)
		writeConf(port+1, 300000)
		res := r.natsvisor("reload", "s1")
		if res.code == 0 || !strings.Contains(res.stdout, "config reload not supported for Port") {
			t.Errorf("natsvisor reload s1 with a new port: want a failure naming the port, got %s", res)
		}
		if st := r.reloadStatus(status); st.Seq != before.Seq+1 || st.OK || !strings.Contains(st.Error, "Port") {
			t.Errorf("reload status after a rejected reload: %+v", st)
		}
		if n := r.maxPayload(port); n != 300000 {
			t.Errorf("after a rejected reload: max_payload %d, want 300000 still", n)
		}
		t.Logf("rejected reload: exit %d in %v: %s", res.code, res.took.Round(time.Millisecond), strings.TrimSpace(res.stdout))
		writeConf(port, 300000)
	})

	// An external rotation (mv), then natsvisor reopen: a new file at the
	// log path, with the reopen line.
	t.Run("reopen", func(t *testing.T) {
		must(t, r.exec("mv", log, log+".1"), 0, "mv the log")
		res := must(t, r.natsvisor("reopen", "s1"), 0, "natsvisor reopen s1")
		if !strings.Contains(res.stdout, "File log re-opened") {
			t.Errorf("natsvisor reopen s1: %s", res)
		}
		if l := r.file(log); !strings.Contains(l, "File log re-opened") {
			t.Errorf("new log file: %q", l)
		}
		if old := r.file(log + ".1"); !strings.Contains(old, "Reloaded server configuration") || strings.Contains(old, "File log re-opened") {
			t.Errorf("the moved log: %q", old)
		}
		t.Logf("natsvisor reopen s1: %v", res.took.Round(time.Millisecond))
	})

	// natsvisor ldm: a connected nats.go client gets the lame duck INFO,
	// is closed after the grace period (1s) and the broker exits 0; the
	// unit is inactive and stays so (Restart=on-failure).
	t.Run("lame duck", func(t *testing.T) {
		must(t, r.exec("sh", "-c", "/opt/nv/rigctl ldmwatch 127.0.0.1:"+strconv.Itoa(port)+" >/run/ldm.out 2>&1 &"), 0, "start ldmwatch")
		waitFor(t, 10*time.Second, "ldmwatch connected", func() (bool, string) {
			out := r.file("/run/ldm.out")
			return strings.Contains(out, "connected"), out
		})
		t1 := time.Now()
		res := must(t, r.natsvisor("ldm", "s1"), 0, "natsvisor ldm s1")
		if !strings.Contains(res.stdout, "Entering lame duck mode") {
			t.Errorf("natsvisor ldm s1: %s", res)
		}
		waitFor(t, 10*time.Second, "the client sees the lame duck INFO", func() (bool, string) {
			out := r.file("/run/ldm.out")
			return strings.Contains(out, "ldm 127.0.0.1"), out
		})
		waitFor(t, 15*time.Second, "s1 inactive after lame duck", func() (bool, string) {
			p := r.unitProps("s1", "ActiveState", "SubState", "Result", "ExecMainStatus")
			return p["ActiveState"] == "inactive", jsonString(p)
		})
		down := time.Since(t1)
		p := r.unitProps("s1", "ActiveState", "SubState", "Result", "ExecMainStatus", "NRestarts")
		if p["SubState"] != "dead" || p["Result"] != "success" || p["ExecMainStatus"] != "0" || p["NRestarts"] != "0" {
			t.Errorf("s1 after lame duck: %v, want dead, success, exit 0, no restart", p)
		}
		waitFor(t, 30*time.Second, "s1 stays inactive past the restart delay (3s)", func() (bool, string) {
			st := r.status("s1")
			return st.Active == "inactive" && time.Since(st.Since) > 4*time.Second, jsonString(st)
		})
		if st := r.status("s1"); st.Active != "inactive" || st.Restarts != 0 {
			t.Errorf("s1 restarted after lame duck: %+v", st)
		}
		if l := r.file(log); !strings.Contains(l, "Entering lame duck mode") || !strings.Contains(l, "Server Exiting..") {
			t.Errorf("s1's log after lame duck:\n%s", l)
		}
		if nr := r.natsvisor("reload", "s1"); nr.code != 4 || !strings.Contains(nr.stderr, "not running") {
			t.Errorf("natsvisor reload s1 after it stopped: want exit 4, not running, got %s", nr)
		}
		t.Logf("natsvisor ldm s1: %v; inactive %v after it was sent", res.took.Round(time.Millisecond), down.Round(time.Millisecond))
	})

	// A broker whose port is taken (by slow, a broker outside the
	// registry) never becomes ready: the start fails at once with exit 1,
	// both through systemctl and natsvisor.
	t.Run("port taken", func(t *testing.T) {
		must(t, r.natsvisor("install", "--name", "s2", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(slowPort)), 0, "install s2")
		res := r.exec("systemctl", "start", "s2")
		if res.code == 0 || res.took > 5*time.Second {
			t.Errorf("systemctl start s2 on a taken port: want a quick failure, got %s", res)
		}
		p := r.unitProps("s2", "ActiveState", "SubState", "Result", "ExecMainStatus")
		if p["Result"] != "exit-code" || p["ExecMainStatus"] != "1" {
			t.Errorf("s2 after its failed start: %v", p)
		}
		if l := r.file(home + "s2/s2.log"); !strings.Contains(l, "Error listening on port: 127.0.0.1:"+strconv.Itoa(slowPort)) {
			t.Errorf("s2's log:\n%s", l)
		}
		t.Logf("systemctl start s2 (port taken): exit %d in %v, unit %v", res.code, res.took.Round(time.Millisecond), p)
		// Restart=on-failure retries every 3s (the port may be freed):
		// stop that, then start through natsvisor.
		must(t, r.exec("systemctl", "stop", "s2"), 0, "systemctl stop s2")
		nv := r.natsvisor("start", "s2")
		if nv.code == 0 || !strings.Contains(nv.stderr, "exit status 1") || nv.took > 5*time.Second {
			t.Errorf("natsvisor start s2 on a taken port: want a quick failure naming exit status 1, got %s", nv)
		}
		t.Logf("natsvisor start s2 (port taken): exit %d in %v: %s", nv.code, nv.took.Round(time.Millisecond), strings.TrimSpace(nv.stderr))
		must(t, r.natsvisor("stop", "s2"), 0, "stop s2")
	})
	t.Logf("systemd signals rig: %v in all", time.Since(r.start).Round(time.Millisecond))
}
