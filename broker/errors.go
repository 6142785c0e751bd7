package broker

// -ERR texts, exactly as nats-server sends them (reference §1.5).
const (
	errUnknownOp       = "Unknown Protocol Operation"
	errMaxPayload      = "Maximum Payload Violation"
	errMaxControlLine  = "maximum control line exceeded"
	errMaxConnections  = "maximum connections exceeded"
	errInvalidProtocol = "invalid client protocol"
	errNoRespHeaders   = "no responders requires headers support"
	errStale           = "Stale Connection"
	errInvalidSubject  = "Invalid Subject"
	errInvalidPubSubj  = "Invalid Publish Subject"
	errAuthViolation   = "Authorization Violation"
	errMaxSubs         = "maximum subscriptions exceeded"
	errAuthTimeout     = "Authentication Timeout"
)

// closeReason says why a connection ended; its text is what /connz reports.
type closeReason int

// The reasons a connection closes, with nats-server's /connz strings.
const (
	reasonClientClosed closeReason = iota
	reasonAuthViolation
	reasonSlowConsumerPending
	reasonSlowConsumerDeadline
	reasonStale
	reasonProtocolViolation
	reasonMaxConnections
	reasonMaxPayload
	reasonMaxControlLine
	reasonServerShutdown
	reasonParseError
	reasonWriteError
	reasonReadError
	reasonAuthTimeout
	reasonTLSHandshake
)

var reasonText = [...]string{
	reasonClientClosed:         "Client Closed",
	reasonAuthViolation:        "Authentication Failure",
	reasonSlowConsumerPending:  "Slow Consumer (Pending Bytes)",
	reasonSlowConsumerDeadline: "Slow Consumer (Write Deadline)",
	reasonStale:                "Stale Connection",
	reasonProtocolViolation:    "Protocol Violation",
	reasonMaxConnections:       "Maximum Connections Exceeded",
	reasonMaxPayload:           "Maximum Message Payload Exceeded",
	reasonMaxControlLine:       "Maximum Control Line Exceeded",
	reasonServerShutdown:       "Server Shutdown",
	reasonParseError:           "Parse Error",
	reasonWriteError:           "Write Error",
	reasonReadError:            "Read Error",
	reasonAuthTimeout:          "Authentication Timeout",
	reasonTLSHandshake:         "TLS Handshake Failure",
}

func (r closeReason) String() string { return reasonText[r] }
