package broker

import (
	"bytes"
	"errors"
)

// errClosed tells readLoop the parser closed the connection.
var errClosed = errors.New("connection closed")

// opKind names the protocol operations a client may send.
type opKind uint8

const (
	opPub opKind = iota + 1
	opHPub
	opSub
	opUnsub
	opPing
	opPong
	opOK
	opErr
	opConnect
	opInfo
)

// opSpec says how an operation is framed.
type opSpec struct {
	name  string // upper case; matched case-insensitively
	kind  opKind
	space bool // the name must be followed by a space or tab
	loose bool // everything up to the newline is ignored (PING, PONG, +OK)
}

// opsByFirst lists the operations by their first (upper-case) byte. MSG, RS+,
// LS+, A+ and RMSG are not client operations: their first byte is an error.
var opsByFirst = func() (t [256][]opSpec) {
	for first, specs := range map[byte][]opSpec{
		'P': {{name: "PUB", kind: opPub, space: true}, {name: "PING", kind: opPing, loose: true}, {name: "PONG", kind: opPong, loose: true}},
		'H': {{name: "HPUB", kind: opHPub, space: true}},
		'S': {{name: "SUB", kind: opSub, space: true}},
		'U': {{name: "UNSUB", kind: opUnsub, space: true}},
		'C': {{name: "CONNECT", kind: opConnect}},
		'I': {{name: "INFO", kind: opInfo}},
		'+': {{name: "+OK", kind: opOK, loose: true}},
		'-': {{name: "-ERR", kind: opErr, space: true}},
	} {
		t[first] = specs
	}
	return t
}()

// parse consumes whole commands from buf. It returns how many bytes it used,
// how many bytes (from there) the next command needs when that is known, and
// errClosed once the connection has been closed.
func (c *client) parse(buf []byte) (used, need int, err error) {
	for used < len(buf) {
		if c.loose != 0 {
			nl := bytes.IndexByte(buf[used:], '\n')
			if nl < 0 {
				return len(buf), 0, nil
			}
			used += nl + 1
			c.processLoose()
			continue
		}
		c.perr.buf, c.perr.cmd = buf, used
		n, more, err := c.parseOne(buf[used:])
		if err != nil {
			return used, 0, err
		}
		if n == 0 {
			return used, more, nil
		}
		used += n
	}
	return used, 0, nil
}

// parseOne handles the command at the start of b. It returns the bytes it
// consumed (0 when b holds only part of the command) and, when known, how
// many bytes the whole command needs.
func (c *client) parseOne(b []byte) (int, int, error) {
	if c.awaitingAuth && upper(b[0]) != 'C' && !c.preConnect() {
		return 0, 0, errClosed // only CONNECT may come first when auth is required
	}
	spec, n, ok := matchOp(b)
	if !ok {
		return 0, 0, c.protoErr(opState(b[:n]), n)
	}
	if spec == nil {
		return 0, 0, nil // the operation name is not complete yet
	}
	if spec.loose {
		c.loose = byte(spec.kind)
		if c.tracing() && spec.kind != opOK {
			c.traceIn(spec.name, nil)
		}
		nl := bytes.IndexByte(b[n:], '\n')
		if nl < 0 {
			return len(b), 0, nil
		}
		c.processLoose()
		return n + nl + 1, 0, nil
	}
	if spec.space {
		if n == len(b) {
			return 0, 0, nil
		}
		if b[n] != ' ' && b[n] != '\t' {
			return 0, 0, c.protoErr(opState(b[:n]), n)
		}
	}
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	nl := bytes.IndexByte(b[n:], '\n')
	if nl < 0 {
		partial := len(b) - n
		if b[len(b)-1] == '\r' {
			partial-- // a \r waiting for its \n does not count
		}
		if partial > int(c.srv.Options().MaxControlLine) {
			return 0, 0, c.maxControlLineErr()
		}
		return 0, 0, nil
	}
	arg := b[n : n+nl]
	if len(arg) > 0 && arg[len(arg)-1] == '\r' {
		arg = arg[:len(arg)-1]
	}
	lineEnd := n + nl + 1
	if len(arg) > int(c.srv.Options().MaxControlLine) {
		return 0, 0, c.maxControlLineErr()
	}
	if c.tracing() {
		switch spec.kind {
		case opConnect:
			c.traceIn(spec.name, append([]byte{}, redactSecrets(arg)...)) // "[CONNECT ]" even when empty
		case opSub, opUnsub:
			c.traceIn(spec.name, arg)
		} // PUB and HPUB are traced by parsePub; INFO and -ERR are not traced
	}
	switch spec.kind {
	case opPub, opHPub:
		return c.parsePub(b, arg, lineEnd, spec.kind == opHPub)
	case opSub:
		return lineEnd, 0, c.processSub(arg)
	case opUnsub:
		return lineEnd, 0, c.processUnsub(arg)
	case opConnect:
		return lineEnd, 0, c.processConnect(arg)
	case opInfo:
		return lineEnd, 0, c.processInfo(arg)
	case opErr:
		c.errorf("Client Error %s", arg)
		c.closeConnection(reasonParseError, true)
		return 0, 0, errClosed
	}
	return 0, 0, c.protoErr(stateStart, 0)
}

// matchOp recognises the operation name at the start of b, byte by byte as
// nats-server does, so a bad byte is an error as soon as it arrives. It
// returns (nil, 0, true) while the name is incomplete, and (nil, k, false)
// when byte k is wrong. Candidates sharing a first byte (PUB, PING, PONG)
// differ in their second.
func matchOp(b []byte) (*opSpec, int, bool) {
	cands := opsByFirst[upper(b[0])]
	if len(cands) == 0 {
		return nil, 0, false
	}
	spec := &cands[0]
	if len(cands) > 1 {
		if len(b) < 2 {
			return nil, 0, true
		}
		spec = nil
		for k := range cands {
			if cands[k].name[1] == upper(b[1]) {
				spec = &cands[k]
			}
		}
		if spec == nil {
			return nil, 1, false
		}
	}
	for i := 1; i < len(spec.name); i++ {
		if i >= len(b) {
			return nil, 0, true
		}
		if upper(b[i]) != spec.name[i] {
			return nil, i, false
		}
	}
	return spec, len(spec.name), true
}

func upper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - ('a' - 'A')
	}
	return b
}

// protoErr answers an unparsable command as nats-server does: -ERR, the
// parser error logged, and close. pos is the offending byte's offset in the
// command being parsed, state nats-server's parser state there.
func (c *client) protoErr(state, pos int) error {
	c.sendErr(errUnknownOp)
	c.errorf("Client parser ERROR, %s", c.parseErrDetail(state, pos))
	c.closeConnection(reasonProtocolViolation, true)
	return errClosed
}

func (c *client) maxControlLineErr() error {
	c.sendErrAndClose(errMaxControlLine, reasonMaxControlLine)
	c.errorf("%s", errMaxControlLine) // after the close, as nats-server logs it
	return errClosed
}

// silentClose ends the connection without an -ERR (malformed arguments, bad
// CONNECT JSON: reference §1.5).
func (c *client) silentClose(reason closeReason) error {
	c.closeConnection(reason, true)
	return errClosed
}
