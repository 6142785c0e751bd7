package broker

import (
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/natsvisor/natsvisor/broker/sublist"
)

// client is one client connection. Two goroutines serve it: readLoop parses
// and routes what the client sends (on its own goroutine, so publishing needs
// no lock shared across connections), and writeLoop drains its outbound
// buffer to the socket.
//
// Lock order: a client's mu is taken alone; code that holds one client's mu
// never takes another's. The server's mu is never taken under a client's mu.
type client struct {
	srv   *Server
	nc    net.Conn
	cid   uint64
	host  string
	port  int
	start time.Time

	// Owned by the read goroutine.
	opts       connectOpts
	connected  bool // a CONNECT was processed
	cache      *sublist.Cache[*subscription]
	pcd        []*client // connections that got data during this read batch
	pcdSet     map[*client]struct{}
	msgh       []byte        // scratch for the MSG line being delivered
	loose      byte          // a PING/PONG/+OK waiting for its newline ('I', 'O', 'K')
	activity   bool          // the batch held a message or a subscription
	pubWaiting bool          // the PUB at the head of the buffer was checked; its payload is awaited
	perr       parseErrState // where parse is, for its error log
	in         stats
	stalled    time.Duration // waited at stall gates during this read batch
	stallTimer *time.Timer

	logLabel atomic.Pointer[string] // see label

	// Owned by the write goroutine: a write past the deadline that
	// write_timeout "retry" carries on, and since when.
	slowWriter bool
	slowSince  time.Time

	flushCh       chan struct{} // wakes writeLoop; capacity 1
	mu            sync.Mutex    // guards everything below
	out           outbuf        // bytes waiting for writeLoop
	inFlight      int           // bytes writeLoop is writing now
	subs          map[string]*subscription
	headers       bool // the client takes HMSG
	protocol      int  // the CONNECT protocol, for async INFO
	connectSeen   bool // a CONNECT was processed (connected, for the writer)
	closed        bool
	flushOnClose  bool // writeLoop sends what is queued before closing
	reason        closeReason
	outStats      stats
	pingsOut      int
	pingTimer     *time.Timer
	lastIn        time.Time
	rtt           time.Duration
	rttStart      time.Time
	firstPongSent bool
	stall         chan struct{} // the open stall gate; nil when none
	stalls        int64         // times publishers waited at the gate

	// Authorization (auth.go, permissions.go).
	nonce        []byte                    // the INFO nonce; set before the goroutines start
	awaitingAuth bool                      // auth required and no CONNECT passed yet; read goroutine
	authTimer    *time.Timer               // guarded by mu
	creds        *connectOpts              // the CONNECT that authenticated; guarded by mu
	tlsState     *tls.ConnectionState      // after the handshake; guarded by mu
	tlsFirst     bool                      // TLS came before INFO (handshake_first); guarded by mu
	perms        atomic.Pointer[connPerms] // nil: everything is allowed
	replies      map[string]*replyPerm     // allow_responses grants; guarded by mu

	// For monitoring (/connz), also guarded by mu.
	last     time.Time // last message or subscription in
	lastOut  time.Time // last write to the socket (per flush, not per message)
	inStats  stats     // c.in summed over the batches
	stop     time.Time // when the connection closed
	connInfo monInfo   // CONNECT's name, lang and version
}

// stats counts messages and bytes one way.
type stats struct {
	msgs, bytes int64
}

// subscription is one SUB of one client; the subject index holds pointers to
// it, so it must stay the same object for its whole life.
type subscription struct {
	client  *client
	subject string
	queue   string
	sid     string
	// guarded by client.mu
	max     int64 // auto-unsubscribe after this many; 0 = never
	nm      int64 // messages delivered
	removed bool
	// denyFilter: the subscription may match denied subjects, so each
	// delivery is checked (a wildcard or queue overlapping a deny entry).
	denyFilter bool
}

// connectOpts are a client's CONNECT fields. The JSON is decoded over
// defaultConnectOpts, so fields a client leaves out are true (reference §1.4).
type connectOpts struct {
	Verbose      bool   `json:"verbose"`
	Pedantic     bool   `json:"pedantic"`
	Echo         bool   `json:"echo"`
	Headers      bool   `json:"headers"`
	NoResponders bool   `json:"no_responders"`
	Protocol     int    `json:"protocol"`
	Name         string `json:"name"`
	Lang         string `json:"lang"`
	Version      string `json:"version"`
	User         string `json:"user"`
	Pass         string `json:"pass"`
	Token        string `json:"auth_token"`
	Nkey         string `json:"nkey"`
	Sig          string `json:"sig"`
	JWT          string `json:"jwt"`
	Account      string `json:"account"`
	NewAccount   bool   `json:"new_account"`

	// Fields nats-server decodes, for routes, leaf nodes and proxies:
	// unused here, but a value of the wrong type is the same error.
	TLSRequired   bool            `json:"tls_required"`
	Import        *subjectAllowed `json:"import"`
	Export        *subjectAllowed `json:"export"`
	RemoteAccount string          `json:"remote_account"`
	ProxySig      string          `json:"proxy_sig"`
}

// subjectAllowed is the shape of CONNECT's import and export fields.
type subjectAllowed struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

var defaultConnectOpts = connectOpts{Verbose: true, Pedantic: true, Echo: true}

func newClient(s *Server, nc net.Conn, cid uint64) *client {
	now := time.Now()
	c := &client{srv: s, nc: nc, cid: cid, start: now, last: now, flushCh: make(chan struct{}, 1)}
	c.opts = defaultConnectOpts
	c.subs = make(map[string]*subscription)
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.host, c.port = a.IP.String(), a.Port
	} else if h, p, err := net.SplitHostPort(nc.RemoteAddr().String()); err == nil {
		c.host = h
		c.port, _ = strconv.Atoi(p)
	}
	return c
}

// closeConnection ends the connection once. With flush, what is queued (an
// -ERR, say) is written before the socket closes; without, the socket closes
// at once (slow consumers, shutdown), unblocking a stuck write.
func (c *client) closeConnection(reason closeReason, flush bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.reason, c.flushOnClose = true, reason, flush
	c.stop = time.Now()
	subs := c.subs
	c.connInfo.subs = closedSubs(subs)
	c.subs = nil
	for _, sub := range subs {
		sub.removed = true
	}
	if c.pingTimer != nil {
		c.pingTimer.Stop()
		c.pingTimer = nil
	}
	c.releaseStallLocked()
	c.mu.Unlock()
	c.debugf("Client connection closed: %s", reason)
	for _, sub := range subs {
		c.unindex(sub)
	}
	if !flush {
		_ = c.nc.Close()
	}
	c.signalFlush()
	c.srv.removeClient(c)
	c.srv.closedConns.add(c)
}

// isClosed reports whether the connection has ended.
func (c *client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// forgetLocked marks sub removed, so no delivery takes it any more, and
// drops it from the connection; c.mu is held. unindex must follow.
func (c *client) forgetLocked(sub *subscription) {
	sub.removed = true
	delete(c.subs, sub.sid)
}

// unindex removes a subscription marked removed from the subject index and
// traces it as nats-server does (`<-> [DELSUB sid]`).
func (c *client) unindex(sub *subscription) {
	_ = c.srv.subs.Remove(sub.subject, sub.queue, sub)
	if c.tracing() {
		c.traceDelSub(sub.sid)
	}
}
