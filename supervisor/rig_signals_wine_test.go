package supervisor_test

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/supervisor"
)

// SCM states and the accept bits rigctl watch-start prints.
const (
	scmStopped      = 1
	scmStartPending = 2
	scmRunning      = 4

	acceptStop, acceptShutdown, acceptParamChange = 1, 4, 8
)

// scmTrace is one status line of rigctl watch-start.
type scmTrace struct {
	MS           int64  `json:"ms"`
	State        uint32 `json:"state"`
	CheckPoint   uint32 `json:"checkpoint"`
	WaitHint     uint32 `json:"wait_hint"`
	Accepts      uint32 `json:"accepts"`
	Win32Exit    uint32 `json:"win32_exit"`
	SpecificExit uint32 `json:"service_exit"`
}

func parseTrace(t *testing.T, r result) []scmTrace {
	t.Helper()
	var out []scmTrace
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var st scmTrace
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			t.Fatalf("watch-start line %q: %v\n%s", sc.Text(), err, r)
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		t.Fatalf("watch-start printed nothing: %s", r)
	}
	return out
}

// winInstance is an installed instance's files, on the host, and the
// reload status's Windows path.
type winInstance struct {
	name, log, reload, reloadWin string
	port                         int
}

// installed reads the log and pid paths natsvisor install reports.
func (r *wineRig) installed(res result, name string, port int) winInstance {
	r.t.Helper()
	in := winInstance{name: name, port: port}
	for _, l := range strings.Split(res.stdout, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "log:"); ok {
			in.log = r.hostPath(strings.TrimSpace(v))
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "pid:"); ok {
			in.reloadWin = strings.TrimSpace(v) + ".reload"
			in.reload = r.hostPath(in.reloadWin)
		}
	}
	if in.log == "" || in.reload == "" {
		r.t.Fatalf("install %s: no log or pid path in\n%s", name, res)
	}
	return in
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func readReload(t *testing.T, path string) reloadResult {
	t.Helper()
	var st reloadResult
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("reload status %s: %v\n%s", path, err, b)
		}
	}
	return st
}

// maxPayloadFromHost connects with nats.go from the host (wine shares its
// network) and returns the max_payload the server announces.
func maxPayloadFromHost(t *testing.T, port int) int64 {
	t.Helper()
	nc, err := nats.Connect("nats://127.0.0.1:"+strconv.Itoa(port), nats.Timeout(3*time.Second), nats.NoReconnect())
	if err != nil {
		t.Fatalf("connect to port %d: %v", port, err)
	}
	defer nc.Close()
	return nc.MaxPayload()
}

// TestRigWineSignals proves, under wine's SCM, what natsvisor's service
// loop does between start and stop: START_PENDING with a rising checkpoint
// until the body is ready, then RUNNING (accepting ParamChange for
// natsvisor); reload, reopen and ldm sent by natsvisor as SCM controls
// reach the one service named (another's log shows nothing) and their
// effects are confirmed; NATS_STARTUP_DELAY reaches the service; a start
// whose port is taken fails, reported by natsvisor start, not a hang. One
// prefix, steps in order.
func TestRigWineSignals(t *testing.T) {
	r := newWineRig(t)
	conf := func(name string) string { return `C:\rig\` + name + ".conf" }
	writeConf := func(name string, port, maxPayload int) {
		t.Helper()
		c := "port: " + strconv.Itoa(port) + "\nmax_payload: " + strconv.Itoa(maxPayload) +
			"\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n"
		if err := os.WriteFile(r.hostPath(conf(name)), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inst := map[string]winInstance{}
	pids := map[string]int{}

	// A body that reports ready 3s after its broker listens: the SCM shows
	// START_PENDING with a checkpoint rising every second, RUNNING after;
	// the broker accepts clients meanwhile.
	if !t.Run("start pending", func(t *testing.T) {
		slowPort := freePort(t)
		slow := supervisor.Spec{Name: "slow", Executable: wineDir + "rigctl.exe", StartTimeout: 30 * time.Second,
			Args: []string{"run", "--name", "slow", "--ready-after", "3s", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(slowPort)}}
		writeSpec(t, r.hostPath(`C:\rig\slow.json`), slow)
		must(t, r.rigctl("install", `C:\rig\slow.json`), 0, "install slow")
		done := make(chan result, 1)
		go func() { done <- runNoFatal(r.script, "exec", r.id, wineDir+"rigctl.exe", "watch-start", "slow") }()
		var res result
		listening := false
		waitFor(t, 30*time.Second, "watch-start slow", func() (bool, string) {
			select {
			case res = <-done:
				return true, ""
			default:
			}
			if !listening {
				if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(slowPort), 100*time.Millisecond); err == nil {
					c.Close()
					listening = true
					if st := r.status("slow"); st.Sub != "START_PENDING" && st.Active != "activating" {
						t.Errorf("slow's broker listens, the SCM says %+v", st)
					}
				}
			}
			return false, ""
		})
		must(t, res, 0, "watch-start slow")
		tr := parseTrace(t, res)
		last := tr[len(tr)-1]
		if last.State != scmRunning || last.MS < 3000 || last.Accepts != acceptStop|acceptShutdown {
			t.Errorf("slow's last status: %+v, want RUNNING after 3s, accepting Stop and Shutdown", last)
		}
		var cps []uint32
		for _, st := range tr[:len(tr)-1] {
			if st.State != scmStartPending || st.WaitHint == 0 {
				t.Errorf("slow before RUNNING: %+v, want START_PENDING with a wait hint", st)
			}
			if len(cps) > 0 && st.CheckPoint <= cps[len(cps)-1] {
				t.Errorf("checkpoint did not rise: %v then %d", cps, st.CheckPoint)
			}
			cps = append(cps, st.CheckPoint)
		}
		if len(cps) < 3 || !listening {
			t.Errorf("slow: checkpoints %v (want at least 3), broker seen listening while pending: %v", cps, listening)
		}
		natsRoundTrip(t, slowPort)
		t.Logf("slow: START_PENDING checkpoints %v, RUNNING after %dms (wait hint %dms)", cps, last.MS, tr[0].WaitHint)
		must(t, r.rigctl("uninstall", "slow"), 0, "uninstall slow")
	}) {
		t.FailNow()
	}

	// Two instances with config files; w1 started through watch-start:
	// RUNNING, accepting ParamChange too.
	if !t.Run("two instances", func(t *testing.T) {
		for _, n := range []string{"w1", "w2"} {
			port := freePort(t)
			writeConf(n, port, 100000)
			res := must(t, r.natsvisor("install", "--name", n, "--", "-a", "127.0.0.1", "-c", conf(n)), 0, "install "+n)
			inst[n] = r.installed(res, n, port)
		}
		res := must(t, r.rigctl("watch-start", "w1"), 0, "watch-start w1")
		tr := parseTrace(t, res)
		last := tr[len(tr)-1]
		if last.State != scmRunning || last.Accepts != acceptStop|acceptShutdown|acceptParamChange {
			t.Errorf("w1's last status: %+v, want RUNNING accepting Stop, Shutdown and ParamChange", last)
		}
		t.Logf("w1: %d statuses, RUNNING after %dms: %s", len(tr), last.MS, strings.TrimSpace(res.stdout))
		must(t, r.natsvisor("start", "w2"), 0, "start w2")
		for _, n := range []string{"w1", "w2"} {
			st := r.status(n)
			if !st.Running() || st.PID == 0 {
				t.Fatalf("%s: %+v", n, st)
			}
			pids[n] = st.PID
			if got := maxPayloadFromHost(t, inst[n].port); got != 100000 {
				t.Errorf("%s: max_payload %d", n, got)
			}
		}
	}) {
		t.FailNow()
	}

	// otherQuiet fails if w2's log shows any of the controls sent to w1.
	otherQuiet := func(t *testing.T) {
		t.Helper()
		l := readFile(inst["w2"].log)
		for _, s := range []string{"Reloaded", "re-open", "lame duck", "Trapped"} {
			if strings.Contains(l, s) {
				t.Errorf("w2's log shows %q, sent to w1:\n%s", s, l)
			}
		}
		if _, err := os.Stat(inst["w2"].reload); err == nil {
			t.Errorf("w2 has a reload status %s", inst["w2"].reload)
		}
		if st := r.status("w2"); !st.Running() || st.PID != pids["w2"] {
			t.Errorf("w2: %+v, want running as pid %d", st, pids["w2"])
		}
	}

	// natsvisor reload w1: ParamChange; the new max_payload applies, the
	// reload status has a new seq, ok, from w1's process.
	t.Run("reload", func(t *testing.T) {
		before := readReload(t, inst["w1"].reload)
		writeConf("w1", inst["w1"].port, 200000)
		res := must(t, r.natsvisor("reload", "w1"), 0, "natsvisor reload w1")
		if !strings.Contains(res.stdout, "reload w1: reloaded") {
			t.Errorf("natsvisor reload w1: %s", res)
		}
		st := readReload(t, inst["w1"].reload)
		if st.Seq != before.Seq+1 || !st.OK || st.PID != pids["w1"] {
			t.Errorf("w1's reload status: %+v, want seq %d ok from pid %d", st, before.Seq+1, pids["w1"])
		}
		if got := maxPayloadFromHost(t, inst["w1"].port); got != 200000 {
			t.Errorf("w1: max_payload %d after reload, want 200000", got)
		}
		if l := readFile(inst["w1"].log); !strings.Contains(l, "Reloaded server configuration") {
			t.Errorf("w1's log has no reload line:\n%s", l)
		}
		otherQuiet(t)
		t.Logf("natsvisor reload w1: %v", res.took.Round(time.Millisecond))

		// Another reader holds the status file open (natsvisor's own
		// poll, a virus scanner): on Windows that makes the broker's
		// replacing rename fail while it lasts. The result comes late,
		// not never.
		marker := r.hostPath(`C:\rig\held`)
		held := make(chan result, 1)
		go func() {
			held <- runNoFatal(r.script, "exec", r.id, wineDir+"rigctl.exe", "hold", inst["w1"].reloadWin, "500ms", `C:\rig\held`)
		}()
		waitFor(t, 10*time.Second, "the status file held open", func() (bool, string) {
			_, err := os.Stat(marker)
			return err == nil, ""
		})
		writeConf("w1", inst["w1"].port, 250000)
		res = must(t, r.natsvisor("reload", "w1"), 0, "natsvisor reload w1 while its status file is held open")
		must(t, <-held, 0, "rigctl hold")
		if st2 := readReload(t, inst["w1"].reload); st2.Seq != st.Seq+1 || !st2.OK {
			t.Errorf("w1's reload status after a reload while it was held open: %+v", st2)
		}
		if l := readFile(inst["w1"].log); strings.Contains(l, "Unable to write reload status file") {
			t.Errorf("w1 could not write its reload status:\n%s", l)
		}
		t.Logf("natsvisor reload w1 while a reader held the status file for 500ms: %v", res.took.Round(time.Millisecond))
	})

	// A new port cannot be reloaded: natsvisor reload fails with the
	// broker's error, which came back through the reload status.
	t.Run("rejected reload", func(t *testing.T) {
		before := readReload(t, inst["w1"].reload)
		writeConf("w1", freePort(t), 200000)
		res := r.natsvisor("reload", "w1")
		if res.code == 0 || !strings.Contains(res.stdout, "config reload not supported for Port") {
			t.Errorf("natsvisor reload w1 with a new port: want a failure naming the port, got %s", res)
		}
		if st := readReload(t, inst["w1"].reload); st.Seq != before.Seq+1 || st.OK {
			t.Errorf("w1's reload status: %+v", st)
		}
		natsRoundTrip(t, inst["w1"].port)
		writeConf("w1", inst["w1"].port, 200000)
		t.Logf("rejected reload: exit %d in %v: %s", res.code, res.took.Round(time.Millisecond), strings.TrimSpace(res.stdout))
	})

	// A mv of the log (from the host: an external rotation), then
	// natsvisor reopen w1: control 128, a new log file.
	t.Run("reopen", func(t *testing.T) {
		if err := os.Rename(inst["w1"].log, inst["w1"].log+".1"); err != nil {
			t.Fatal(err)
		}
		res := must(t, r.natsvisor("reopen", "w1"), 0, "natsvisor reopen w1")
		if !strings.Contains(res.stdout, "File log re-opened") {
			t.Errorf("natsvisor reopen w1: %s", res)
		}
		if l := readFile(inst["w1"].log); !strings.Contains(l, "File log re-opened") {
			t.Errorf("w1's new log: %q", l)
		}
		otherQuiet(t)
		t.Logf("natsvisor reopen w1: %v", res.took.Round(time.Millisecond))
	})

	// natsvisor ldm w1: control 129; a client of w1 gets the lame duck
	// INFO, w1 stops with exit code 0 after the grace period; w2 runs on.
	t.Run("lame duck", func(t *testing.T) {
		ldm := make(chan struct{}, 1)
		nc, err := nats.Connect("nats://127.0.0.1:"+strconv.Itoa(inst["w1"].port), nats.Timeout(3*time.Second), nats.NoReconnect(),
			nats.LameDuckModeHandler(func(*nats.Conn) { ldm <- struct{}{} }))
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		t1 := time.Now()
		res := must(t, r.natsvisor("ldm", "w1"), 0, "natsvisor ldm w1")
		if !strings.Contains(res.stdout, "Entering lame duck mode") {
			t.Errorf("natsvisor ldm w1: %s", res)
		}
		select {
		case <-ldm:
		case <-time.After(10 * time.Second):
			t.Errorf("w1's client saw no lame duck INFO")
		}
		waitFor(t, 15*time.Second, "w1 stopped after lame duck", func() (bool, string) {
			st := r.status("w1")
			return st.Active != "active" && st.Active != "deactivating", jsonString(st)
		})
		stopped := time.Since(t1)
		if st := r.status("w1"); st.Active != "inactive" || st.ExitCode != 0 {
			t.Errorf("w1 after lame duck: %+v, want stopped with exit code 0", st)
		}
		if l := readFile(inst["w1"].log); !strings.Contains(l, "Entering lame duck mode") || !strings.Contains(l, "Server Exiting..") {
			t.Errorf("w1's log after lame duck:\n%s", l)
		}
		otherQuiet(t)
		natsRoundTrip(t, inst["w2"].port)
		t.Logf("natsvisor ldm w1: %v; stopped %v after it was sent", res.took.Round(time.Millisecond), stopped.Round(time.Millisecond))
	})

	// w1 is stopped, its pid file left behind: the SCM says it is not
	// running; a glob reaches only w2.
	t.Run("stopped instance", func(t *testing.T) {
		res := r.natsvisor("reload", "w1")
		if res.code != 4 || !strings.Contains(res.stderr, `service "w1" is stopped`) {
			t.Errorf("natsvisor reload w1 (stopped): want exit 4 saying it is stopped, got %s", res)
		}
		glob := must(t, r.natsvisor("reload", "w*"), 0, "natsvisor reload w*")
		if !strings.Contains(glob.stdout, "reload w2: reloaded") || strings.Contains(glob.stdout, "w1") {
			t.Errorf("natsvisor reload 'w*': %s", glob)
		}
		if st := readReload(t, inst["w2"].reload); st.Seq != 1 || !st.OK || st.PID != pids["w2"] {
			t.Errorf("w2's reload status: %+v", st)
		}
	})

	// NATS_STARTUP_DELAY set machine-wide reaches the service (a bad value
	// is logged). A port already taken (by the test, on the host's shared
	// network) fails the start at once: natsvisor start says so.
	t.Run("startup delay and port taken", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		taken := l.Addr().(*net.TCPAddr).Port
		res := must(t, r.natsvisor("install", "--name", "w4", "--", "-a", "127.0.0.1", "-p", strconv.Itoa(taken)), 0, "install w4")
		w4 := r.installed(res, "w4", taken)
		must(t, r.natsvisor("stop", "w2"), 0, "stop w2")
		must(t, run(t, 2*time.Minute, nil, r.script, "setenv", r.id, "NATS_STARTUP_DELAY", "bogus"), 0, "setenv NATS_STARTUP_DELAY")
		must(t, r.natsvisor("start", "w2"), 0, "start w2")
		if l := readFile(inst["w2"].log); !strings.Contains(l, `invalid NATS_STARTUP_DELAY value "bogus"`) {
			t.Errorf("w2's log has no warning about NATS_STARTUP_DELAY=bogus:\n%s", l)
		}
		fail := r.natsvisor("start", "w4")
		if fail.code == 0 || !strings.Contains(fail.stderr, "exit code 1") || fail.took > 10*time.Second {
			t.Errorf("natsvisor start w4 on a taken port: want a quick failure with exit code 1, got %s", fail)
		}
		if st := r.status("w4"); st.Active != "failed" || st.ExitCode != 1 {
			t.Errorf("w4 after its failed start: %+v", st)
		}
		if l := readFile(w4.log); !strings.Contains(l, "Error listening on port: 127.0.0.1:"+strconv.Itoa(taken)) {
			t.Errorf("w4's log:\n%s", l)
		}
		t.Logf("natsvisor start w4 (port taken): exit %d in %v: %s", fail.code, fail.took.Round(time.Millisecond), strings.TrimSpace(fail.stderr))
	})
	t.Logf("wine signals rig: %v in all", time.Since(r.start).Round(time.Millisecond))
}
