package broker

import (
	"math/rand/v2"
	"strconv"

	"github.com/natsvisor/natsvisor/broker/sublist"
)

var (
	okProto   = []byte("+OK\r\n")
	pingProto = []byte("PING\r\n")
	pongProto = []byte("PONG\r\n")
)

// maxArgs bounds the fields of a PUB/HPUB/SUB/UNSUB line; one more than the
// most any of them takes, so too many fields can be told apart.
const maxArgs = 5

// splitArgs splits a control line on runs of spaces and tabs into out,
// without copying. It returns len(out)+1 when there are too many fields.
func splitArgs(arg []byte, out *[maxArgs][]byte) int {
	n, start := 0, -1
	for i, b := range arg {
		if b == ' ' || b == '\t' {
			if start >= 0 {
				if n == maxArgs {
					return maxArgs + 1
				}
				out[n] = arg[start:i]
				n++
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		if n == maxArgs {
			return maxArgs + 1
		}
		out[n] = arg[start:]
		n++
	}
	return n
}

// parseSize reads a decimal size: digits only, at most 9 of them; -1 when
// it is not one (nats-server's rule: `+2` and `-1` are parse errors).
func parseSize(d []byte) int {
	if len(d) == 0 || len(d) > 9 {
		return -1
	}
	n := 0
	for _, b := range d {
		if b < '0' || b > '9' {
			return -1
		}
		n = n*10 + int(b-'0')
	}
	return n
}

// pubArgs is one parsed PUB or HPUB line; its slices point into the read buffer.
type pubArgs struct {
	subject, reply []byte
	hdb, szb       []byte // the header and total sizes as the client wrote them
	hdr, size      int    // hdr is -1 for PUB
}

// parsePub handles PUB/HPUB: the line b[:lineEnd] has args arg. It checks
// the line as soon as it is whole, before the payload arrives, as
// nats-server does: the trace, the size against max_payload and the
// pedantic subject check happen once, however many reads the payload takes.
func (c *client) parsePub(b, arg []byte, lineEnd int, headers bool) (int, int, error) {
	first := !c.pubWaiting
	if first && c.tracing() {
		op := "PUB"
		if headers {
			op = "HPUB"
		}
		c.traceIn(op, arg)
	}
	if headers && !c.opts.Headers {
		c.errorf("message headers not supported")
		return 0, 0, c.silentClose(reasonProtocolViolation)
	}
	pa, bad := splitPub(arg, headers)
	if bad != "" {
		c.errorf("%s: %q", bad, arg)
		return 0, 0, c.silentClose(reasonProtocolViolation)
	}
	if limit := c.srv.Options().MaxPayload; pa.size > int(limit) {
		c.errorf("maximum payload exceeded: %d vs %d", pa.size, limit)
		c.sendErrAndClose(errMaxPayload, reasonMaxPayload)
		return 0, 0, errClosed
	}
	if first && c.opts.Pedantic && !sublist.ValidLiteralSubject(pa.subject) {
		c.sendErr(errInvalidPubSubj) // and the message is still delivered
	}
	end := lineEnd + pa.size
	if len(b) < end+2 {
		c.pubWaiting = true
		// The trailer is checked as its bytes arrive, as nats-server does:
		// a wrong first byte fails without waiting for the second.
		if len(b) <= end {
			return 0, end + 1, nil
		}
		if b[end] != '\r' {
			return 0, 0, c.protoErr(stateMsgEndR, end)
		}
		return 0, end + 2, nil
	}
	c.pubWaiting = false
	if b[end] != '\r' {
		return 0, 0, c.protoErr(stateMsgEndR, end)
	}
	if b[end+1] != '\n' {
		return 0, 0, c.protoErr(stateMsgEndN, end+1)
	}
	if c.tracing() {
		c.tracePayload("<<-", b[lineEnd:end+2], pa.hdr)
	}
	c.processMsg(&pa, b[lineEnd:end+2])
	return end + 2, 0, nil
}

// splitPub parses `subj [reply] size` or `subj [reply] hdr_size total_size`.
// On failure it returns what is wrong, in nats-server's words.
func splitPub(arg []byte, headers bool) (pubArgs, string) {
	var f [maxArgs][]byte
	n := splitArgs(arg, &f)
	pa := pubArgs{hdr: -1}
	switch {
	case !headers && n == 2:
		pa.subject, pa.szb = f[0], f[1]
	case !headers && n == 3:
		pa.subject, pa.reply, pa.szb = f[0], f[1], f[2]
	case headers && n == 3:
		pa.subject, pa.hdb, pa.szb = f[0], f[1], f[2]
	case headers && n == 4:
		pa.subject, pa.reply, pa.hdb, pa.szb = f[0], f[1], f[2], f[3]
	case headers:
		return pa, "processHeaderPub Parse Error"
	default:
		return pa, "processPub Parse Error"
	}
	if !headers {
		if pa.size = parseSize(pa.szb); pa.size < 0 {
			return pa, "processPub Bad or Missing Size"
		}
		return pa, ""
	}
	pa.hdr, pa.size = parseSize(pa.hdb), parseSize(pa.szb)
	switch {
	case pa.hdr < 0:
		return pa, "processHeaderPub Bad or Missing Header Size"
	case pa.size < 0:
		return pa, "processHeaderPub Bad or Missing Total Size"
	case pa.hdr > pa.size:
		return pa, "processHeaderPub Header Size larger then TotalSize"
	}
	if pa.hdr == 0 {
		pa.hdr = -1 // an empty header block is delivered as a plain MSG
	}
	return pa, ""
}

// processMsg routes one message (msg is header+payload+CRLF) on the
// publisher's goroutine: one copy into each matching subscriber's outbound
// buffer, one random member per queue group. Steady state allocates nothing.
func (c *client) processMsg(pa *pubArgs, msg []byte) {
	c.in.msgs++
	c.in.bytes += int64(len(msg) - 2)
	c.activity = true
	if reservedSubject(pa.subject) || !c.pubAllowed(pa.subject) {
		c.pubPermissionViolation(pa.subject)
		return
	}
	if reservedReply(pa.reply) {
		c.replySubjectViolation(pa.reply)
		return
	}
	if c.opts.Verbose {
		c.sendOK()
	}
	if c.cache == nil {
		c.cache = sublist.NewCache(c.srv.subs)
	}
	r := c.cache.Match(pa.subject)
	maxPending := c.srv.Options().MaxPending
	delivered := false
	for _, sub := range r.Plain {
		if c.deliver(sub, pa, msg, maxPending) {
			delivered = true
		}
	}
	for i := range r.Queues {
		members := r.Queues[i].Members
		first := rand.IntN(len(members))
		for k := range members {
			if c.deliver(members[(first+k)%len(members)], pa, msg, maxPending) {
				delivered = true
				break
			}
		}
	}
	if !delivered && len(pa.reply) > 0 && c.opts.NoResponders {
		c.sendNoResponders(pa.subject, pa.reply)
	}
}

// deliver copies one message into sub's connection. It reports whether the
// subscription took it (false: closed, unsubscribed, over its limit, or our
// own message with echo off).
func (c *client) deliver(sub *subscription, pa *pubArgs, msg []byte, maxPending int64) bool {
	dst := sub.client
	if dst == c && !c.opts.Echo {
		return false
	}
	dst.mu.Lock()
	if dst.stall != nil {
		if c.srv.noStall.Load() {
			dst.mu.Unlock()
			return false
		}
		c.stalledWait(dst, maxPending)
	}
	if dst.closed || sub.removed || (sub.denyFilter && dst.deniedDelivery(sub, pa.subject)) {
		dst.mu.Unlock()
		return false
	}
	if len(pa.reply) > 0 {
		dst.grantReply(pa.reply)
	}
	sub.nm++
	last := sub.max > 0 && sub.nm >= sub.max
	n := c.appendMsg(dst, sub, pa, msg)
	dst.outStats.msgs++
	dst.outStats.bytes += int64(n)
	pending := int64(dst.out.size + dst.inFlight)
	slow := pending > maxPending
	if !slow {
		dst.openStallLocked(pending, maxPending)
	}
	if last {
		dst.forgetLocked(sub)
	}
	dst.mu.Unlock()
	if last {
		dst.unindex(sub)
	}
	if slow {
		dst.slowConsumer(maxPending)
		return true
	}
	c.addPending(dst)
	return true
}

// appendMsg queues MSG or HMSG for sub on dst (dst.mu held) and returns the
// payload bytes counted. The line is built in the publisher's scratch
// buffer. Sizes are echoed as the publisher wrote them; a subscriber without
// headers gets MSG with the header stripped.
func (c *client) appendMsg(dst *client, sub *subscription, pa *pubArgs, msg []byte) int {
	hmsg := pa.hdr >= 0 && dst.headers
	h := c.msgh[:0]
	if hmsg {
		h = append(h, "HMSG "...)
	} else {
		h = append(h, "MSG "...)
	}
	h = append(h, pa.subject...)
	h = append(h, ' ')
	h = append(h, sub.sid...)
	h = append(h, ' ')
	if len(pa.reply) > 0 {
		h = append(h, pa.reply...)
		h = append(h, ' ')
	}
	switch {
	case hmsg:
		h = append(h, pa.hdb...)
		h = append(h, ' ')
		h = append(h, pa.szb...)
	case pa.hdr >= 0:
		msg = msg[pa.hdr:]
		h = strconv.AppendInt(h, int64(pa.size-pa.hdr), 10)
	default:
		h = append(h, pa.szb...)
	}
	if c.tracing() {
		dst.traceOut(string(h), nil)
		dst.tracePayload("->>", msg, pa.hdr)
	}
	h = append(h, '\r', '\n')
	c.msgh = h
	dst.out.write(h)
	dst.out.write(msg)
	return len(msg) - 2
}

// slowConsumer closes a connection whose pending bytes passed max_pending,
// with no -ERR, as nats-server does.
func (c *client) slowConsumer(maxPending int64) {
	c.noticef("Slow Consumer Detected: MaxPending of %d Exceeded", maxPending)
	c.srv.slowConsumers.Add(1)
	c.closeConnection(reasonSlowConsumerPending, false)
}

// sendNoResponders answers a request nobody received with a 503 status, only
// when the requester has a plain subscription on the reply subject
// (reference §1.8).
func (c *client) sendNoResponders(subject, reply []byte) {
	r := c.cache.Match(reply)
	for _, sub := range r.Plain {
		if sub.client != c {
			continue
		}
		hdr := len("NATS/1.0 503\r\nNats-Subject: \r\n\r\n") + len(subject)
		var b []byte
		b = append(b, "HMSG "...)
		b = append(b, reply...)
		b = append(b, ' ')
		b = append(b, sub.sid...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(hdr), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(hdr), 10)
		b = append(b, "\r\nNATS/1.0 503\r\nNats-Subject: "...)
		b = append(b, subject...)
		b = append(b, "\r\n\r\n\r\n"...)
		c.sendProto(b)
		return
	}
}
