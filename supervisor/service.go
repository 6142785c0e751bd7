package supervisor

import (
	"context"
	"sync"
	"time"
)

// This file is the SCM control loop of a service process, kept free of
// Windows types so it is unit-tested on every OS; service_windows.go only
// translates between it and golang.org/x/sys/windows/svc.

// ServiceFunc is the body of a service process: it runs the broker until
// ctx ends, calls ready once the broker accepts connections, and returns
// the process exit code (0 for a requested stop).
type ServiceFunc func(ctx context.Context, ready func()) int

// Service controls and states, with the Windows SERVICE_* values.
type (
	serviceCmd   uint32
	serviceState uint32
)

const (
	cmdStop        serviceCmd = 1
	cmdInterrogate serviceCmd = 4
	cmdShutdown    serviceCmd = 5
	cmdParamChange serviceCmd = 6
	// cmdReopen and cmdLDM are nats-server's custom controls.
	cmdReopen serviceCmd = 128
	cmdLDM    serviceCmd = 129

	stateStartPending serviceState = 2
	stateStopPending  serviceState = 3
	stateRunning      serviceState = 4

	// acceptStop, acceptShutdown and acceptParamChange are
	// SERVICE_ACCEPT_STOP, _SHUTDOWN and _PARAMCHANGE. Custom controls
	// (128-255) need no accept bit.
	acceptStop        = 1
	acceptShutdown    = 4
	acceptParamChange = 8
)

// Control is a service control the broker acts on while it runs; its
// value is the signals command it means.
type Control string

// The controls a running service forwards: ParamChange, 128 and 129.
const (
	ControlReload Control = "reload"
	ControlReopen Control = "reopen"
	ControlLDM    Control = "ldm"
)

// forwarded maps SCM controls to the Control the body receives.
var forwarded = map[serviceCmd]Control{cmdParamChange: ControlReload, cmdReopen: ControlReopen, cmdLDM: ControlLDM}

// serviceStatus is one status report to the SCM.
type serviceStatus struct {
	state      serviceState
	accepts    uint32
	checkPoint uint32
	waitHint   time.Duration
}

// loopTiming sets how often a pending state reports progress and the wait
// hints the SCM gets.
type loopTiming struct {
	// progress is the interval between checkpoints while start or stop
	// is pending.
	progress time.Duration
	// startHint and stopHint are the WaitHints: how long the SCM should
	// wait for the next checkpoint.
	startHint, stopHint time.Duration
}

// controlLoop runs fn and speaks the SCM protocol through two channels,
// and returns fn's exit code:
//
//   - StartPending at once, with a rising checkpoint while fn starts;
//
//   - Running, accepting Stop and Shutdown, when fn calls ready;
//
//   - on Stop or Shutdown: ctx is cancelled, StopPending with a rising
//     checkpoint until fn returns;
//
//   - Interrogate: the current status again;
//
//   - when fn returns (asked to or not) the loop returns its code; the
//     caller reports Stopped with it.
//
//   - ParamChange, 128 and 129, while running and when controls is not
//     nil: forwarded to controls as reload, reopen and lame duck.
func controlLoop(reqs <-chan serviceCmd, status chan<- serviceStatus, fn ServiceFunc, t loopTiming, controls chan<- Control) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	readyc := make(chan struct{})
	var once sync.Once
	done := make(chan int, 1)
	go func() { done <- fn(ctx, func() { once.Do(func() { close(readyc) }) }) }()

	cur := serviceStatus{state: stateStartPending, checkPoint: 1, waitHint: t.startHint}
	status <- cur
	tick := time.NewTicker(t.progress)
	defer tick.Stop()
	for {
		select {
		case code := <-done:
			return code
		case <-readyc:
			readyc = nil // a nil channel blocks: handled once
			if cur.state == stateStartPending {
				cur = serviceStatus{state: stateRunning, accepts: acceptStop | acceptShutdown}
				if controls != nil {
					cur.accepts |= acceptParamChange
				}
				status <- cur
			}
		case <-tick.C:
			if cur.state == stateStartPending || cur.state == stateStopPending {
				cur.checkPoint++
				status <- cur
			}
		case c, ok := <-reqs:
			if !ok {
				reqs = nil // no more controls; fn still ends the loop
				continue
			}
			if ctl, ok := forwarded[c]; ok && controls != nil && cur.state == stateRunning {
				select {
				case controls <- ctl:
				case code := <-done:
					return code
				}
				continue
			}
			switch c {
			case cmdInterrogate:
				status <- cur
			case cmdStop, cmdShutdown:
				if cur.state != stateStopPending {
					cancel()
					cur = serviceStatus{state: stateStopPending, checkPoint: 1, waitHint: t.stopHint}
					status <- cur
				}
			}
		}
	}
}
