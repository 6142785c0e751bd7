package supervisor

import (
	"fmt"
	"time"

	"golang.org/x/sys/windows/svc"
)

// RunService runs fn as the SCM service name and returns fn's exit code
// once the service has stopped. The process must have been started by the
// SCM (its command line carries ServiceFlag); otherwise the error says so.
// A non-zero code is reported to the SCM as a service-specific exit code.
// While the service runs, ParamChange, 128 and 129 arrive on controls
// (when not nil), which fn must keep reading.
func RunService(name string, fn ServiceFunc, controls chan<- Control) (int, error) {
	h := &handler{fn: fn, controls: controls}
	if err := svc.Run(name, h); err != nil {
		return 1, fmt.Errorf("run as Windows service %q (was it started by the SCM?): %w", name, err)
	}
	return h.code, nil
}

// defaultTiming: a checkpoint a second, and hints with a wide margin.
var defaultTiming = loopTiming{progress: time.Second, startHint: 5 * time.Second, stopHint: 10 * time.Second}

// handler adapts controlLoop to svc.Handler.
type handler struct {
	fn       ServiceFunc
	controls chan<- Control
	code     int
}

// Execute translates SCM requests into controlLoop's commands and its
// status reports into svc.Status, until the loop returns.
func (h *handler) Execute(_ []string, r <-chan svc.ChangeRequest, s chan<- svc.Status) (bool, uint32) {
	reqs := make(chan serviceCmd)
	status := make(chan serviceStatus)
	result := make(chan int, 1)
	finished := make(chan struct{})
	defer close(finished)
	go func() { result <- controlLoop(reqs, status, h.fn, defaultTiming, h.controls) }()
	go func() {
		for {
			select {
			case c := <-r:
				select {
				case reqs <- serviceCmd(c.Cmd):
				case <-finished:
					return
				}
			case <-finished:
				return
			}
		}
	}()
	for {
		select {
		case st := <-status:
			s <- svc.Status{State: svc.State(st.state), Accepts: svc.Accepted(st.accepts),
				CheckPoint: st.checkPoint, WaitHint: uint32(st.waitHint / time.Millisecond)}
		case code := <-result:
			h.code = code
			return code != 0, uint32(code)
		}
	}
}
