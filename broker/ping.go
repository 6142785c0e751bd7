package broker

import (
	"math/rand/v2"
	"time"
)

// rttRefresh is how old an RTT measurement may get before a PING is sent
// even to an active client.
const rttRefresh = time.Hour

// setPingTimer arms the keepalive timer for one interval; c.mu is held.
func (c *client) setPingTimerLocked(d time.Duration) {
	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
	c.pingTimer = time.AfterFunc(d, c.processPingTimer)
}

// setFirstPingTimer arms the PING that measures RTT soon after CONNECT:
// min(ping_interval, 2s) plus up to 20% jitter.
func (c *client) setFirstPingTimer() {
	o := c.srv.Options()
	d := o.PingInterval
	if !o.DisableShortFirstPing && d > DefaultFirstPingInterval {
		d = DefaultFirstPingInterval
	}
	if j := int64(d / 5); j > 0 {
		d += time.Duration(rand.Int64N(j))
	}
	c.mu.Lock()
	if !c.closed {
		c.setPingTimerLocked(d)
	}
	c.mu.Unlock()
}

// processPingTimer sends a keepalive PING, unless the client showed activity
// within the interval and its RTT is fresh; a client that left ping_max
// PINGs unanswered is closed as stale.
func (c *client) processPingTimer() {
	o := c.srv.Options()
	c.mu.Lock()
	c.pingTimer = nil
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.debugf("Client Ping Timer")
	now := time.Now()
	needRTT := c.rtt == 0 || now.Sub(c.rttStart) > rttRefresh
	if delta := now.Sub(c.lastIn); delta < o.PingInterval && !needRTT {
		c.debugf("Delaying PING due to remote client data or ping %v ago", delta.Round(time.Second))
	} else {
		if c.pingsOut+1 > o.MaxPingsOut {
			c.debugf("Stale Client Connection - Closing")
			c.out.write([]byte("-ERR '" + errStale + "'\r\n"))
			c.mu.Unlock()
			c.srv.staleConns.Add(1)
			c.closeConnection(reasonStale, true)
			return
		}
		c.rttStart = now
		c.pingsOut++
		if c.tracing() {
			c.traceOut("PING", nil)
		}
		c.out.write(pingProto)
	}
	c.setPingTimerLocked(o.PingInterval)
	c.mu.Unlock()
	c.signalFlush()
}
