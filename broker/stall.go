package broker

import (
	"sync"
	"time"
)

// The fast-producer stall, as nats-server does it: once a connection's
// pending bytes pass three quarters of max_pending it opens a gate, and a
// publisher that delivers to it waits (2 ms, 5 ms once max_pending is
// reached, at most 10 ms per read) for its writer to catch up. A burst
// is slowed at its source instead of costing the subscriber its
// connection. With no_fast_producer_stall the publisher does not wait and
// the message is not delivered to that connection.
const (
	stallMin   = 2 * time.Millisecond
	stallMax   = 5 * time.Millisecond
	stallTotal = 10 * time.Millisecond
)

// openStallLocked opens c's gate when pending passes three quarters of
// maxPending; c.mu is held.
func (c *client) openStallLocked(pending, maxPending int64) {
	if c.stall == nil && pending > maxPending/4*3 {
		c.stall = make(chan struct{})
	}
}

// releaseStallLocked lets every publisher waiting on c go on; c.mu is held.
func (c *client) releaseStallLocked() {
	if c.stall != nil {
		close(c.stall)
		c.stall = nil
	}
}

// stalledWait makes publisher c wait at dst's open gate. dst.mu is held on
// entry and on return, and released while waiting.
func (c *client) stalledWait(dst *client, maxPending int64) {
	if c.stalled > stallTotal {
		return
	}
	gate := dst.stall
	ttl := stallMin
	if int64(dst.out.size+dst.inFlight) >= maxPending {
		ttl = stallMax
	}
	if c.stalled+ttl > stallTotal {
		ttl = stallTotal - c.stalled
	}
	dst.stalls++
	dst.mu.Unlock()
	defer dst.mu.Lock()
	c.srv.stalls.Add(1)
	// Writers are woken once per read batch; this one must run now.
	dst.signalFlush()
	if c.stallTimer == nil {
		c.stallTimer = time.NewTimer(ttl)
	} else {
		c.stallTimer.Reset(ttl)
	}
	start := time.Now()
	select {
	case <-gate:
		c.stallTimer.Stop()
	case <-c.stallTimer.C:
		c.debugf("Timed out of fast producer stall (%v)", ttl)
	}
	c.stalled += time.Since(start)
}

// endStall ends a read batch's stall accounting, warning (at most once a
// second for the whole server) when the publisher waited long.
func (c *client) endStall() {
	if c.stalled >= stallMax {
		// As nats-server: the account, then the user when there is one.
		const format = "Producer was stalled for a total of %v - Account:" + globalAccount
		if c.srv.rateLimit.allow(format) {
			suffix := ""
			if u := authLabel(&c.opts); u != "" {
				suffix = " - " + u
			}
			c.srv.logger().Warnf(c.label()+" - "+format+suffix, c.stalled.Round(time.Millisecond))
		}
	}
	c.stalled = 0
}

// maxSubsLogDue reports whether a refused subscription may be logged: at
// most once every two seconds, as nats-server logs it per account.
func (s *Server) maxSubsLogDue() bool {
	const every = 2 * time.Second
	now := time.Now().UnixNano()
	last := s.maxSubsLogged.Load()
	return now-last >= int64(every) && s.maxSubsLogged.CompareAndSwap(last, now)
}

// rateLimiter lets a log statement through at most once per interval.
type rateLimiter struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// allow reports whether the statement key may be logged now.
func (r *rateLimiter) allow(key string) bool {
	const interval = time.Second
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.last[key]; ok && now.Sub(t) < interval {
		return false
	}
	if r.last == nil {
		r.last = make(map[string]time.Time)
	}
	r.last[key] = now
	return true
}
