package broker

import (
	"errors"
	"net"
	"os"
	"time"
)

// queueLocked appends protocol bytes for this client to send; c.mu is held.
// It reports false, queueing nothing, when the connection is closed.
func (c *client) queueLocked(b ...[]byte) bool {
	if c.closed {
		return false
	}
	for _, p := range b {
		c.out.write(p)
	}
	return true
}

// sendProto queues bytes for this client and marks it for the batch flush.
// Only the client's own read goroutine calls it.
func (c *client) sendProto(b []byte) {
	c.mu.Lock()
	ok := c.queueLocked(b)
	c.mu.Unlock()
	if ok {
		c.addPending(c)
	}
}

// sendErr queues -ERR '<text>'.
func (c *client) sendErr(text string) {
	if c.tracing() {
		c.traceOut("-ERR", []byte(text))
	}
	c.sendProto([]byte("-ERR '" + text + "'\r\n"))
}

// sendErrAndClose queues -ERR and closes the connection once it is written.
func (c *client) sendErrAndClose(text string, reason closeReason) {
	c.sendErr(text)
	c.closeConnection(reason, true)
}

// addPending records that dst got data during the current read batch, so
// flushPending wakes its writer once for the whole batch.
func (c *client) addPending(dst *client) {
	if c.pcdSet != nil {
		if _, ok := c.pcdSet[dst]; ok {
			return
		}
		c.pcdSet[dst] = struct{}{}
		c.pcd = append(c.pcd, dst)
		return
	}
	for _, p := range c.pcd {
		if p == dst {
			return
		}
	}
	c.pcd = append(c.pcd, dst)
	if len(c.pcd) > 16 {
		c.pcdSet = make(map[*client]struct{}, 64)
		for _, p := range c.pcd {
			c.pcdSet[p] = struct{}{}
		}
	}
}

// flushPending wakes the writers of every connection that got data during
// the read batch that just ended.
func (c *client) flushPending() {
	for i, dst := range c.pcd {
		dst.signalFlush()
		c.pcd[i] = nil
	}
	c.pcd = c.pcd[:0]
	if c.pcdSet != nil {
		clear(c.pcdSet)
	}
}

// signalFlush wakes writeLoop without blocking.
func (c *client) signalFlush() {
	select {
	case c.flushCh <- struct{}{}:
	default:
	}
}

// writeLoop writes whatever producers queued, many messages per writev,
// with no lock held during the write. It ends when the connection closes.
func (c *client) writeLoop() {
	var spare []*[]byte
	var bufs [][]byte
	for range c.flushCh {
		c.mu.Lock()
		chunks := c.out.chunks
		c.out.chunks, c.out.size = spare, 0
		for _, ch := range chunks {
			c.inFlight += len(*ch)
		}
		closed, flush := c.closed, c.flushOnClose
		c.mu.Unlock()

		if len(chunks) > 0 && (!closed || flush) {
			bufs = bufs[:0]
			for _, ch := range chunks {
				bufs = append(bufs, *ch)
			}
			if reason, err := c.write(bufs); err != nil {
				c.closeConnection(reason, false)
				closed = true
			}
			clear(bufs)
		}
		putChunks(chunks)
		spare = chunks[:0]
		var now time.Time
		if len(chunks) > 0 {
			now = time.Now() // once per write, for /connz last_activity
		}
		c.mu.Lock()
		c.inFlight = 0
		if !closed {
			c.releaseStallLocked() // all that was taken is written
		}
		if !now.IsZero() {
			c.lastOut = now
		}
		c.mu.Unlock()
		if closed {
			_ = c.nc.Close()
			return
		}
	}
}

// write sends bufs (one writev where the connection allows it) within the
// write deadline. On a failure it returns the reason to close with.
func (c *client) write(bufs [][]byte) (closeReason, error) {
	o := c.srv.Options()
	nb := net.Buffers(bufs)
	for {
		chunks := len(nb)
		if o.WriteDeadline > 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(o.WriteDeadline))
		}
		n, err := nb.WriteTo(c.writeTarget())
		attempted := n + buffersLen(nb) // WriteTo consumed what it wrote
		switch {
		case err == nil:
			if c.slowWriter {
				c.slowWriter = false
				c.noticef("Slow Consumer Recovered: Flush took %.3fs with %d chunks of %d total bytes.", time.Since(c.slowSince).Seconds(), chunks, attempted)
			}
			return 0, nil
		case !isTimeout(err):
			c.debugf("Error flushing: %v", err)
			return reasonWriteError, err
		}
		if !c.writeTimedOut(o, n, attempted, chunks) {
			return reasonSlowConsumerDeadline, err
		}
	}
}

// writeTimedOut handles a write past the write deadline, as nats-server:
// before CONNECT it only closes; otherwise it is a slow consumer, logged
// and counted, and the write goes on only under write_timeout "retry"
// when this attempt wrote something. It reports whether to retry.
func (c *client) writeTimedOut(o *Options, written, attempted int64, chunks int) bool {
	c.mu.Lock()
	connected := c.connectSeen
	c.mu.Unlock()
	if !connected {
		return false
	}
	state := "Detected"
	if c.slowWriter {
		state = "State"
	} else {
		c.slowSince = time.Now()
	}
	c.srv.slowConsumers.Add(1)
	c.noticef("Slow Consumer %s: WriteDeadline of %v exceeded with %d chunks of %d total bytes.", state, o.WriteDeadline, chunks, attempted)
	if o.WriteTimeout != "retry" || written == 0 {
		return false
	}
	c.slowWriter = true
	return true
}

func buffersLen(nb net.Buffers) int64 {
	var n int64
	for _, b := range nb {
		n += int64(len(b))
	}
	return n
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
