package supervisor

import (
	"context"
	"testing"
	"time"
)

// fastTiming makes pending states report progress quickly.
var fastTiming = loopTiming{progress: 5 * time.Millisecond, startHint: time.Second, stopHint: 2 * time.Second}

// loopRun drives controlLoop as the SCM would: it returns the requests
// channel, the statuses channel and the loop's result.
func loopRun(fn ServiceFunc) (chan<- serviceCmd, <-chan serviceStatus, <-chan int) {
	reqs := make(chan serviceCmd)
	status := make(chan serviceStatus, 100)
	result := make(chan int, 1)
	go func() { result <- controlLoop(reqs, status, fn, fastTiming, nil) }()
	return reqs, status, result
}

// waitState reads statuses until one has state want; it fails after 5s.
func waitState(t *testing.T, status <-chan serviceStatus, want serviceState) serviceStatus {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case st := <-status:
			if st.state == want {
				return st
			}
		case <-timeout:
			t.Fatalf("no status %d within 5s", want)
		}
	}
}

func waitResult(t *testing.T, result <-chan int) int {
	t.Helper()
	select {
	case code := <-result:
		return code
	case <-time.After(5 * time.Second):
		t.Fatal("the loop did not return within 5s")
		return -1
	}
}

// broker is a ServiceFunc: ready after readyAfter (never if negative),
// then runs until ctx ends and returns code.
func broker(readyAfter time.Duration, code int) ServiceFunc {
	return func(ctx context.Context, ready func()) int {
		if readyAfter >= 0 {
			select {
			case <-time.After(readyAfter):
				ready()
				ready() // a second call is harmless
			case <-ctx.Done():
				return code
			}
		}
		<-ctx.Done()
		return code
	}
}

func TestControlLoopStartRunStop(t *testing.T) {
	for _, cmd := range []serviceCmd{cmdStop, cmdShutdown} {
		reqs, status, result := loopRun(broker(30*time.Millisecond, 0))
		first := <-status
		if first.state != stateStartPending || first.checkPoint != 1 || first.waitHint != fastTiming.startHint {
			t.Fatalf("first status %+v, want StartPending checkpoint 1 with the start hint", first)
		}
		// Progress while pending: checkpoints rise.
		next := waitState(t, status, stateStartPending)
		if next.checkPoint <= first.checkPoint {
			t.Errorf("checkpoint did not rise: %d then %d", first.checkPoint, next.checkPoint)
		}
		run := waitState(t, status, stateRunning)
		if run.accepts != acceptStop|acceptShutdown {
			t.Errorf("running accepts %#x, want stop|shutdown", run.accepts)
		}
		reqs <- cmdInterrogate
		if echo := <-status; echo != run {
			t.Errorf("interrogate answered %+v, want %+v", echo, run)
		}
		reqs <- cmd
		if st := waitState(t, status, stateStopPending); st.waitHint != fastTiming.stopHint {
			t.Errorf("stop pending %+v, want the stop hint", st)
		}
		if code := waitResult(t, result); code != 0 {
			t.Errorf("cmd %d: exit code %d, want 0", cmd, code)
		}
	}
}

func TestControlLoopFailedStart(t *testing.T) {
	_, status, result := loopRun(func(context.Context, func()) int { return 3 })
	if code := waitResult(t, result); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	for len(status) > 0 {
		if st := <-status; st.state != stateStartPending {
			t.Errorf("status %+v before a failed start, want only StartPending", st)
		}
	}
}

func TestControlLoopStopWhileStarting(t *testing.T) {
	reqs, status, result := loopRun(broker(-1, 0))
	waitState(t, status, stateStartPending)
	reqs <- cmdStop
	waitState(t, status, stateStopPending)
	if code := waitResult(t, result); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestControlLoopSlowStop(t *testing.T) {
	// The broker takes a while to stop: StopPending reports progress.
	fn := func(ctx context.Context, ready func()) int {
		ready()
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond)
		return 0
	}
	reqs, status, result := loopRun(fn)
	waitState(t, status, stateRunning)
	reqs <- cmdStop
	reqs <- cmdStop // a second stop changes nothing
	a := waitState(t, status, stateStopPending)
	b := waitState(t, status, stateStopPending)
	if b.checkPoint <= a.checkPoint {
		t.Errorf("stop checkpoints %d then %d, want rising", a.checkPoint, b.checkPoint)
	}
	waitResult(t, result)
}

func TestControlLoopUnexpectedExit(t *testing.T) {
	// The broker dies on its own after it was running: the code comes back.
	fn := func(ctx context.Context, ready func()) int {
		ready()
		time.Sleep(20 * time.Millisecond)
		return 1
	}
	reqs, status, result := loopRun(fn)
	waitState(t, status, stateRunning)
	reqs <- serviceCmd(129) // unknown controls are ignored
	if code := waitResult(t, result); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

func TestControlLoopClosedRequests(t *testing.T) {
	// A closed request channel does not end the loop: the broker does.
	reqs := make(chan serviceCmd)
	close(reqs)
	release := make(chan struct{})
	fn := func(_ context.Context, ready func()) int {
		ready()
		<-release
		return 7
	}
	status := make(chan serviceStatus, 100)
	result := make(chan int, 1)
	go func() { result <- controlLoop(reqs, status, fn, fastTiming, nil) }()
	waitState(t, status, stateRunning)
	select {
	case <-result:
		t.Fatal("loop returned while the broker runs")
	case <-time.After(30 * time.Millisecond):
	}
	close(release)
	if code := waitResult(t, result); code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
}

// TestLoopForwardsControls: ParamChange, 128 and 129 reach the body while
// it runs, and Running accepts ParamChange.
func TestLoopForwardsControls(t *testing.T) {
	reqs := make(chan serviceCmd)
	status := make(chan serviceStatus, 100)
	result := make(chan int, 1)
	controls := make(chan Control, 4)
	go func() { result <- controlLoop(reqs, status, broker(0, 0), fastTiming, controls) }()
	st := waitState(t, status, stateRunning)
	if st.accepts&acceptParamChange == 0 {
		t.Fatalf("running accepts %#x, want ParamChange", st.accepts)
	}
	for cmd, want := range map[serviceCmd]Control{cmdParamChange: ControlReload, cmdReopen: ControlReopen, cmdLDM: ControlLDM} {
		reqs <- cmd
		select {
		case got := <-controls:
			if got != want {
				t.Fatalf("control %d forwarded as %q, want %q", cmd, got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("control %d was not forwarded", cmd)
		}
	}
	reqs <- cmdStop
	waitState(t, status, stateStopPending)
	if code := waitResult(t, result); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
