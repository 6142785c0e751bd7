package startup

import (
	"context"
	"fmt"
	"time"
)

// Check reports whether the broker is ready and, while it is not, what it
// is waiting for ("client listener on 0.0.0.0:4222").
type Check func() (ready bool, waitingFor string)

// ErrNotReady wraps the reason a broker did not become ready in time.
type ErrNotReady struct {
	Delay      time.Duration
	WaitingFor string
}

func (e *ErrNotReady) Error() string {
	return fmt.Sprintf("failed to be ready for connections after %v: still waiting for %s", e.Delay, e.WaitingFor)
}

// pollEvery is how often Wait checks.
const pollEvery = 20 * time.Millisecond

// Wait polls check until it reports ready, for at most delay. While it
// waits it tells the service manager what for (STATUS=) and asks it to
// wait that long (EXTEND_TIMEOUT_USEC=), so a slow start is neither killed
// early nor silent. It does not send READY=1: the caller does, once it has
// finished starting. On timeout the error is an *ErrNotReady.
func Wait(ctx context.Context, delay time.Duration, check Check) error {
	deadline := time.Now().Add(delay)
	last := ""
	for {
		ready, waiting := check()
		if ready {
			return nil
		}
		if waiting != last {
			_ = Status("waiting for " + waiting)
			last = waiting
		}
		left := time.Until(deadline)
		if left <= 0 {
			return &ErrNotReady{Delay: delay, WaitingFor: waiting}
		}
		_ = ExtendTimeout(left + time.Second)
		t := time.NewTimer(min(pollEvery, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
