package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nkeys"

	"github.com/natsvisor/natsvisor/broker/sublist"
)

// Version is the nats-server protocol version the broker matches; clients
// read it from INFO to pick features.
const Version = "2.15.2"

// ErrServerClosed is returned by Start after Shutdown.
var ErrServerClosed = errors.New("broker: server closed")

// Server is one NATS broker. Create it with New, then Start it; Shutdown
// stops it. Two Servers in one process are independent.
type Server struct {
	opts atomic.Pointer[Options]
	logp atomic.Pointer[logBox] // the logger; swapped on reload
	id   string
	xkey string
	name string
	port int // the client listener's actual port
	subs *sublist.Index[*subscription]

	mu      sync.Mutex // guards the fields below
	ln      net.Listener
	clients map[uint64]*client
	// closedOut sums the out counters of the connections no longer in
	// clients; with theirs it gives the server's totals (see outTotals).
	closedOut stats
	started   bool
	closed    bool
	ldm       bool // lame duck mode has begun

	quit chan struct{} // closed when Shutdown begins

	done  chan struct{}
	ready chan struct{}
	wg    sync.WaitGroup // accept loop and every connection goroutine
	cids  atomic.Uint64

	// Totals, updated once per read batch, never per message.
	inMsgs, inBytes atomic.Int64
	slowConsumers   atomic.Int64
	stalls          atomic.Int64 // publishers held at a stall gate (stall.go)
	noStall         atomic.Bool  // no_fast_producer_stall
	rateLimit       rateLimiter  // log statements kept to one a second
	maxSubsLogged   atomic.Int64 // when a refused subscription was last logged
	staleConns      atomic.Int64
	totalConns      atomic.Int64

	reload reloadState

	authp atomic.Pointer[authState]  // client authorization; swapped on reload
	tlsp  atomic.Pointer[tls.Config] // client TLS, nil without; swapped on reload

	mon         monitor      // the HTTP monitoring listener, see monitor.go
	closedConns closedRing   // recently closed connections, for /connz
	start       time.Time    // when New built the server
	configTime  atomic.Int64 // when the configuration was loaded, Unix ns
	cpu         cpuSampler   // /varz cpu

	// Logging switches, read on the hot path.
	trace, debug atomic.Bool
}

// firstClientID is the cid of a server's first client connection: in
// nats-server its internal clients take the ids before it.
const firstClientID = 5

// New validates opts (filling defaults in a copy) and returns a Server that
// is not yet listening.
func New(opts *Options) (*Server, error) {
	o := opts.Clone()
	o.setDefaults()
	if err := validate(o); err != nil {
		return nil, err
	}
	if o.ClientAdvertise != "" {
		// At start nats-server words this check its own way; a reload
		// reports checkClientAdvertise's error as it is.
		if err := checkClientAdvertise(o.ClientAdvertise); err != nil {
			return nil, fmt.Errorf("error setting server INFO with ClientAdvertise value of %s, err=%v",
				o.ClientAdvertise, errors.Unwrap(err))
		}
	}
	kp, err := nkeys.CreateServer()
	if err != nil {
		return nil, fmt.Errorf("broker: server identity: %w", err)
	}
	id, _ := kp.PublicKey()
	xk, err := nkeys.CreateCurveKeys()
	if err != nil {
		return nil, fmt.Errorf("broker: server curve key: %w", err)
	}
	xpub, _ := xk.PublicKey()
	s := &Server{
		id: id, xkey: xpub,
		subs:    sublist.New[*subscription](),
		clients: make(map[uint64]*client),
		done:    make(chan struct{}), ready: make(chan struct{}), quit: make(chan struct{}),
	}
	s.start = time.Now()
	s.cids.Store(firstClientID - 1)
	s.configTime.Store(s.start.UnixNano())
	s.name = o.ServerName
	if s.name == "" {
		s.name = id
	}
	s.logp.Store(&logBox{nopLogger{}})
	if err := s.setAuthTLS(o); err != nil {
		return nil, err
	}
	s.opts.Store(o)
	s.trace.Store(o.Trace)
	s.debug.Store(o.Debug)
	s.noStall.Store(o.NoFastProducerStall)
	return s, nil
}

func validate(o *Options) error {
	if o.Port < RandomPort || o.Port > 65535 {
		return fmt.Errorf("invalid port %d", o.Port)
	}
	if int64(o.MaxPayload) > o.MaxPending {
		return fmt.Errorf("max_payload (%d) cannot be higher than max_pending (%d)", o.MaxPayload, o.MaxPending)
	}
	if o.LameDuckGracePeriod >= o.LameDuckDuration {
		return fmt.Errorf("lame duck grace period (%v) should be strictly lower than lame duck duration (%v)",
			o.LameDuckGracePeriod, o.LameDuckDuration)
	}
	if strings.Contains(o.ServerName, " ") {
		return errors.New("server name cannot contain spaces")
	}
	return validateAuth(o)
}

// SetLogger replaces the logger; call it before Start.
func (s *Server) SetLogger(l Logger) {
	if l == nil {
		l = nopLogger{}
	}
	s.logp.Store(&logBox{l})
}

// ID is the server's public identity (an nkey starting with N).
func (s *Server) ID() string { return s.id }

// Name is the configured server name, or the ID.
func (s *Server) Name() string { return s.name }

// Options returns the options in force; the caller must not modify them.
func (s *Server) Options() *Options { return s.opts.Load() }

// Addr is the client listener's address, nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// ClientURL is nats://host:port of the client listener, for tests and logs.
func (s *Server) ClientURL() string {
	a, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "nats://" + net.JoinHostPort(host, strconv.Itoa(a.Port))
}

// ReadyForConnections waits up to d until every configured listener accepts.
func (s *Server) ReadyForConnections(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.ready:
		return nil
	case <-s.done:
		return ErrServerClosed
	case <-t.C:
		return fmt.Errorf("failed to be ready for connections after %s: client", d)
	}
}

// Done is closed once Shutdown has finished.
func (s *Server) Done() <-chan struct{} { return s.done }
