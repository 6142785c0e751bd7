package broker

import (
	"errors"
	"io"
	"time"
)

// Read buffer sizes: a connection starts small (many idle clients cost
// little), doubles while reads fill the buffer and shrinks after short reads.
const (
	startReadBuf = 512
	maxReadBuf   = 64 << 10
)

// readLoop reads and parses until the connection ends. Unparsed bytes (a
// command split across reads) are moved to the front of the buffer, so the
// parser always sees whole commands and only a split command is ever copied.
func (c *client) readLoop() {
	defer c.releaseReader()
	if !c.beforeRead() {
		return
	}
	buf := make([]byte, startReadBuf)
	var start, end, need, short int
	for {
		c.perr.fresh = end - start
		n, err := c.nc.Read(buf[end:])
		if n == 0 && err != nil {
			// On EOF (a half-close) what is queued still goes out, as
			// nats-server does; a read error drops it.
			c.closeConnection(readErrReason(err), errors.Is(err, io.EOF))
			return
		}
		filled := end+n == len(buf)
		end += n
		if end-start >= need {
			used, more, perr := c.parse(buf[start:end])
			start += used
			need = more
			c.endBatch()
			if perr != nil {
				return
			}
		}
		if c.isClosed() {
			return
		}
		if start == end {
			start, end = 0, 0
		}
		buf, start, end, short = c.resize(buf, start, end, need, filled, short)
	}
}

// resize compacts the unparsed tail to the front and grows or shrinks the
// buffer: it must hold `need` bytes (a whole message) and grows while reads
// fill it; it halves after repeated short reads.
func (c *client) resize(buf []byte, start, end, need int, filled bool, short int) ([]byte, int, int, int) {
	if start > 0 && (end == len(buf) || need > len(buf)-start) {
		copy(buf, buf[start:end])
		end -= start
		start = 0
	}
	size := len(buf)
	switch {
	case need > size:
		size = need
	case filled && size < maxReadBuf:
		size *= 2
		short = 0
	case !filled && end-start < size/2:
		short++
		if short > 2 && size > startReadBuf && end-start <= size/4 && need <= size/2 {
			size /= 2
			short = 0
		}
	default:
		short = 0
	}
	if end == len(buf) && size == len(buf) {
		size = len(buf) * 2 // a partial line fills the buffer: grow to read on
	}
	if size != len(buf) {
		nb := make([]byte, size)
		end = copy(nb, buf[start:end])
		start = 0
		buf = nb
	}
	return buf, start, end, short
}

// endBatch runs after each parsed read: it wakes the writers that got data,
// publishes the batch's counters (server totals and the connection's own,
// once per batch, never per message) and records activity for the ping
// timer and /connz.
func (c *client) endBatch() {
	c.flushPending()
	if c.stalled != 0 {
		c.endStall()
	}
	c.publishIn()
}

// publishIn moves the batch's inbound counters to the server totals and the
// connection's own, and records activity. It runs at the end of a batch and
// before a PONG is queued, so a client's flush is a barrier for /varz and
// /connz.
func (c *client) publishIn() {
	if c.in.msgs != 0 {
		c.srv.inMsgs.Add(c.in.msgs)
		c.srv.inBytes.Add(c.in.bytes)
	}
	if c.activity {
		c.activity = false
		now := time.Now()
		c.mu.Lock()
		c.lastIn, c.last = now, now
		c.inStats.msgs += c.in.msgs
		c.inStats.bytes += c.in.bytes
		c.mu.Unlock()
		c.in = stats{}
	}
}

// releaseReader drops what only the read goroutine uses, as it ends: a
// closed connection stays in the /connz ring, and its match cache should
// not stay with it.
func (c *client) releaseReader() {
	c.cache, c.pcd, c.pcdSet, c.msgh = nil, nil, nil, nil
	c.perr = parseErrState{}
	if c.stallTimer != nil {
		c.stallTimer.Stop()
	}
}

// readErrReason is the close reason for a failed read: a clean EOF is the
// client closing, anything else a read error.
func readErrReason(err error) closeReason {
	if errors.Is(err, io.EOF) {
		return reasonClientClosed
	}
	return reasonReadError
}
