package broker

import (
	"fmt"
	"strings"
)

// Trace lines match nats-server's: `<prefix> - <<- [OP args]` for what the
// client sent, `->> [...]` for what it is sent, `<-> [DELSUB sid]` when a
// subscription goes, and MSG_PAYLOAD lines with the payload quoted.

// label is how log lines name the client: `host:port - cid:N`, then after
// CONNECT `"v<version>:<lang>:<name>"` and `"$G/user:<u>"` when known.
func (c *client) label() string {
	if l := c.logLabel.Load(); l != nil {
		return *l
	}
	return fmt.Sprintf("%s - cid:%d", c.hostPort(), c.cid)
}

// setLabel records the CONNECT details in the client's log label.
func (c *client) setLabel(o *connectOpts) {
	var parts []string
	for _, p := range []string{prefixed("v", o.Version), o.Lang, o.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	l := fmt.Sprintf("%s - cid:%d", c.hostPort(), c.cid)
	if len(parts) > 0 {
		l += fmt.Sprintf(" - %q", strings.Join(parts, ":"))
	}
	if u := authLabel(o); u != "" {
		l += fmt.Sprintf(" - %q", globalAccount+"/"+u)
	}
	c.logLabel.Store(&l)
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// authLabel names the credential a client presented, never its secret.
func authLabel(o *connectOpts) string {
	switch {
	case o.Nkey != "":
		return "nkey:" + o.Nkey
	case o.User != "":
		return "user:" + o.User
	case o.Token != "":
		return "token"
	}
	return ""
}

func (c *client) tracing() bool { return c.srv.trace.Load() }

// traceIn logs an operation the client sent.
func (c *client) traceIn(op string, arg []byte) {
	c.srv.logger().Tracef("%s - <<- %s", c.label(), opText(op, arg))
}

// traceOut logs an operation sent to the client.
func (c *client) traceOut(op string, arg []byte) {
	c.srv.logger().Tracef("%s - ->> %s", c.label(), opText(op, arg))
}

// tracePayload logs a payload (msg ends in CRLF); empty ones are not logged.
// Under trace_headers only the first hdr bytes are, when hdr > 0: the
// header block of the published message (nats-server cuts a delivery whose
// headers were stripped at the same length).
func (c *client) tracePayload(dir string, msg []byte, hdr int) {
	o := c.srv.Options()
	suffix := 2
	if o.TraceHeaders {
		if hdr <= 0 || len(msg) < hdr {
			return
		}
		msg, suffix = msg[:hdr], 4
	}
	l := len(msg) - suffix
	if l <= 0 {
		return
	}
	if max := o.MaxTracedMsgLen; max > 0 && l > max {
		q := fmt.Sprintf("%q", msg[:max])
		c.srv.logger().Tracef("%s - %s MSG_PAYLOAD: [\"%s...\"]", c.label(), dir, q[1:len(q)-1])
		return
	}
	c.srv.logger().Tracef("%s - %s MSG_PAYLOAD: [%q]", c.label(), dir, msg[:l])
}

// traceDelSub logs a subscription's removal.
func (c *client) traceDelSub(sid string) {
	c.srv.logger().Tracef("%s - <-> [DELSUB %s]", c.label(), sid)
}

func opText(op string, arg []byte) string {
	if arg == nil {
		return "[" + op + "]"
	}
	return "[" + op + " " + string(arg) + "]"
}

func (c *client) debugf(format string, v ...any) {
	if c.srv.debug.Load() {
		c.srv.logger().Debugf(c.label()+" - "+format, v...)
	}
}

func (c *client) errorf(format string, v ...any) {
	c.srv.logger().Errorf(c.label()+" - "+format, v...)
}

func (c *client) noticef(format string, v ...any) {
	c.srv.logger().Noticef(c.label()+" - "+format, v...)
}
