package broker

import "fmt"

// Subjects a client may not publish to, and replies it may not ask for:
// nats-server keeps them for its own traffic (gateway-routed replies,
// service-import replies, JetStream acks, Raft groups) and refuses them
// with a permissions violation even where no permissions are set.

// reservedSubject reports whether a client may not publish to s.
func reservedSubject(s []byte) bool {
	if len(s) == 0 || (s[0] != '_' && s[0] != '$') {
		return false
	}
	return hasReserved(s, "_GR_.", 1) || hasReserved(s, "$GR.", 1) || hasReserved(s, "$NRG.", 0)
}

// reservedReply reports whether a client may not use r as a reply subject.
func reservedReply(r []byte) bool {
	if len(r) == 0 || (r[0] != '_' && r[0] != '$') {
		return false
	}
	return hasReserved(r, "_R_.", 0) || hasReserved(r, "$JS.ACK.", 1) || hasReserved(r, "_GR_.", 1) || hasReserved(r, "$GR.", 1)
}

// prefixed reports whether s starts with p and has at least more bytes
// after it.
func hasReserved(s []byte, p string, more int) bool {
	return len(s) >= len(p)+more && string(s[:len(p)]) == p
}

// replySubjectViolation refuses a publish whose reply is reserved, without
// closing the connection.
func (c *client) replySubjectViolation(reply []byte) {
	c.sendErr(fmt.Sprintf("Permissions Violation for Publish with Reply of %q", reply))
	c.errorf("Publish Violation - Reply %q", reply)
}
