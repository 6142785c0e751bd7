package broker

import "fmt"

// nats-server logs an unparsable command as
// `Client parser ERROR, state=<n>, i=<i>: proto='<snippet>...'`: its parser
// state, the offending byte's index in the read that brought it, and up to
// 32 bytes from there. We keep the same numbers for the same input.

// nats-server's parser states where a client's command can fail.
const (
	stateStart   = 0
	stateMsgEndR = 41 // the \r after a payload
	stateMsgEndN = 42 // the \n after it
)

// opStates maps the (upper-case) start of an operation name to nats-server's
// parser state once those bytes are read.
var opStates = map[string]int{
	"+": 1, "+O": 2, "+OK": 3,
	"-": 4, "-E": 5, "-ER": 6, "-ERR": 7,
	"C": 10, "CO": 11, "CON": 12, "CONN": 13, "CONNE": 14, "CONNEC": 15, "CONNECT": 16,
	"H": 18, "HP": 19, "HPU": 20, "HPUB": 21,
	"P": 29, "PU": 30, "PUB": 31, "PI": 34, "PIN": 35, "PING": 36, "PO": 37, "PON": 38, "PONG": 39,
	"S": 43, "SU": 44, "SUB": 45,
	"U": 59, "UN": 60, "UNS": 61, "UNSU": 62, "UNSUB": 63,
	"I": 71, "IN": 72, "INF": 73, "INFO": 74,
}

// opState is the parser state after the operation-name bytes b.
func opState(b []byte) int {
	if len(b) == 0 || len(b) > len("CONNECT") {
		return stateStart
	}
	var up [len("CONNECT")]byte
	for i, x := range b {
		up[i] = upper(x)
	}
	return opStates[string(up[:len(b)])]
}

// parseErrState is where the parser was in the read buffer: the buffer
// parse was given, where the current command starts in it, and where the
// latest read's bytes start (what came before was carried over).
type parseErrState struct {
	buf        []byte
	cmd, fresh int
}

// parseErrDetail words the error at byte pos of the current command.
func (c *client) parseErrDetail(state, pos int) string {
	p := &c.perr
	read := p.buf
	i := p.cmd + pos
	if p.fresh <= len(read) && p.fresh <= i {
		read, i = read[p.fresh:], i-p.fresh
	}
	return fmt.Sprintf("state=%d, i=%d: proto='%s...'", state, i, protoSnippet(read, i))
}

// protoSnippet quotes up to 32 bytes of read from i, the way nats-server
// does (when fewer remain it leaves out the last one).
func protoSnippet(read []byte, i int) string {
	if i >= len(read) {
		return `""`
	}
	stop := i + 32
	if stop > len(read) {
		stop = len(read) - 1
	}
	return fmt.Sprintf("%q", read[i:stop])
}
