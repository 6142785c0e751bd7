package broker

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// parseHandshakeFirst reads handshake_first (aliases first, immediate): a
// boolean, "true"/"on", "false"/"off", "auto" (fallback after 50ms) or a
// fallback duration, as nats-server's parseTLS.
func (t *TLSOptions) parseHandshakeFirst(key string, v *conf.Value) error {
	switch x := v.V.(type) {
	case bool:
		t.TLSHandshakeFirst = x
	case string:
		switch strings.ToLower(x) {
		case "true", "on":
			t.TLSHandshakeFirst = true
		case "false", "off":
			t.TLSHandshakeFirst = false
		case "auto", "auto_fallback":
			t.TLSHandshakeFirst, t.TLSHandshakeFirstFallback = true, DefaultTLSHandshakeFirstFallback
		default:
			d, err := time.ParseDuration(x)
			if err != nil {
				return fmt.Errorf("field %q's value %q is invalid", key, x)
			}
			t.TLSHandshakeFirst, t.TLSHandshakeFirstFallback = true, d
		}
	default:
		return fmt.Errorf("field %q should be a boolean or a string, got %s", key, goTypeName(v.V))
	}
	return nil
}

// DefaultTLSHandshakeFirstFallback is the fallback of handshake_first:
// "auto" (nats-server DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY).
const DefaultTLSHandshakeFirstFallback = 50 * time.Millisecond

// goTypeName names a config value's type as nats-server's %T does.
func goTypeName(v any) string {
	switch v.(type) {
	case *conf.Map:
		return "map[string]interface {}"
	case []*conf.Value:
		return "[]interface {}"
	}
	return fmt.Sprintf("%T", v)
}

// tlsPlan is how one connection starts TLS, decided at accept from the
// options in force then.
type tlsPlan struct {
	cfg       *tls.Config
	first     bool          // handshake before INFO
	fallback  time.Duration // with first: INFO in clear when the client is silent this long
	sniff     bool          // allow_non_tls: the client's first byte picks TLS or clear
	info      []byte        // with first: the INFO sent over TLS
	clearInfo []byte        // with a fallback: the INFO sent in clear
	timeout   time.Duration // the TLS timeout
	pinned    PinnedCertSet
}

// negotiates reports whether the connection's transport is decided only
// after reading from it, so it needs a negotConn.
func (p *tlsPlan) negotiates() bool { return p.first || p.sniff }

// negotConn is the connection of a client whose transport (TLS or clear)
// is decided on its read goroutine after accept: handshake_first, its
// fallback, allow_non_tls. Until then, writes wait; Close works at any
// time. Deadlines go to the socket, as a tls.Conn's do.
type negotConn struct {
	net.Conn // the socket
	plan     *tlsPlan
	ready    chan struct{} // closed once inner is set or the connection closed

	mu     sync.Mutex
	inner  net.Conn // the decided transport; set once, before ready closes
	closed bool
}

func newNegotConn(nc net.Conn, p *tlsPlan) *negotConn {
	return &negotConn{Conn: nc, plan: p, ready: make(chan struct{})}
}

// set installs the decided transport; false when the connection was
// closed meanwhile (conn is then closed too).
func (n *negotConn) set(conn net.Conn) bool {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		_ = conn.Close()
		return false
	}
	n.inner = conn
	close(n.ready)
	n.mu.Unlock()
	return true
}

func (n *negotConn) Read(b []byte) (int, error) {
	<-n.ready
	if n.inner == nil {
		return 0, net.ErrClosed
	}
	return n.inner.Read(b)
}

func (n *negotConn) Write(b []byte) (int, error) {
	<-n.ready
	if n.inner == nil {
		return 0, net.ErrClosed
	}
	return n.inner.Write(b)
}

func (n *negotConn) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	inner := n.inner
	if inner == nil {
		close(n.ready)
	}
	n.mu.Unlock()
	if inner != nil {
		return inner.Close()
	}
	return n.Conn.Close()
}

// writeTarget is where writeLoop writes: the socket itself once a
// negotiated connection stays in clear, so its writes keep their writev.
func (c *client) writeTarget() net.Conn {
	if n, ok := c.nc.(*negotConn); ok {
		return n.transport()
	}
	return c.nc
}

// transport waits for the decision and returns the connection to write
// to: the raw socket in clear, the TLS side otherwise, n itself once
// closed (its Write then says so).
func (n *negotConn) transport() net.Conn {
	<-n.ready
	switch v := n.inner.(type) {
	case nil:
		return n
	case *prefixConn:
		return v.Conn
	default:
		return v
	}
}

// tlsConn is the TLS transport once decided; nil before or in clear.
func (n *negotConn) tlsConn() *tls.Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	tc, _ := n.inner.(*tls.Conn)
	return tc
}

// prefixConn replays bytes read while deciding the transport.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// peek reads up to n bytes from the socket within d; fewer (none) when the
// client sends less in time.
func peek(nc net.Conn, n int, d time.Duration) []byte {
	buf := make([]byte, n)
	_ = nc.SetReadDeadline(time.Now().Add(d))
	k, _ := io.ReadFull(nc, buf)
	_ = nc.SetReadDeadline(time.Time{})
	return buf[:k]
}

// negotiate decides a negotConn's transport on the read goroutine, as
// nats-server's createClient: with handshake_first and a fallback, a
// client silent for the fallback gets INFO in clear and goes on as without
// handshake_first; with allow_non_tls, a first byte 0x16 (a TLS handshake
// record) means TLS, anything else clear. It reports whether the
// connection may be read.
func (c *client) negotiate(n *negotConn) bool {
	p := n.plan
	raw := n.Conn
	var pre []byte
	first := p.first
	if first && p.fallback > 0 {
		if pre = peek(raw, 4, p.fallback); len(pre) == 0 {
			if !writeRaw(raw, p.clearInfo, p.timeout) {
				c.closeConnection(reasonWriteError, false)
				return false
			}
			first = false
		}
	}
	useTLS := true
	if !first && p.sniff {
		pre = peek(raw, 6, p.timeout)
		useTLS = len(pre) > 0 && pre[0] == 0x16
	}
	var conn net.Conn = raw
	if len(pre) > 0 {
		conn = &prefixConn{Conn: raw, pre: pre}
	}
	if !useTLS {
		return n.set(conn)
	}
	tc := tls.Server(conn, p.cfg)
	if !c.serverHandshake(tc, p) {
		n.set(tc) // so a later Close closes the TLS side
		return false
	}
	if first && !writeRaw(tc, p.info, p.timeout) {
		n.set(tc)
		c.closeConnection(reasonWriteError, false)
		return false
	}
	if first {
		c.mu.Lock()
		c.tlsFirst = true
		c.mu.Unlock()
	}
	return n.set(tc)
}

// writeRaw writes b straight to conn (no writeLoop yet) within d.
func writeRaw(conn net.Conn, b []byte, d time.Duration) bool {
	_ = conn.SetWriteDeadline(time.Now().Add(d))
	_, err := conn.Write(b)
	_ = conn.SetWriteDeadline(time.Time{})
	return err == nil
}

// peerCert is the client's verified certificate; nil without TLS or when
// the client sent none.
func (c *client) peerCert() *x509.Certificate {
	var tc *tls.Conn
	switch conn := c.nc.(type) {
	case *tls.Conn:
		tc = conn
	case *negotConn:
		tc = conn.tlsConn()
	}
	if tc == nil {
		return nil
	}
	cs := tc.ConnectionState()
	if len(cs.PeerCertificates) == 0 {
		return nil
	}
	return cs.PeerCertificates[0]
}

// logTLSMode logs at start whether clients must or may use TLS, as
// nats-server: handshake_first without a fallback overrides allow_non_tls.
func (s *Server) logTLSMode(o *Options) {
	if s.tlsp.Load() == nil {
		return
	}
	firstOnly := o.TLSHandshakeFirst && o.TLSHandshakeFirstFallback == 0 // == as nats-server, though a negative fallback is none
	if o.AllowNonTLS && !firstOnly {
		s.logger().Noticef("TLS available for client connections")
	} else {
		s.logger().Noticef("TLS required for client connections")
	}
	if firstOnly {
		s.logger().Warnf("Clients that are not using \"TLS Handshake First\" option will fail to connect")
	}
}

// isTLS reports whether the client talks TLS.
func (c *client) isTLS() bool {
	switch conn := c.nc.(type) {
	case *tls.Conn:
		return true
	case *negotConn:
		return conn.tlsConn() != nil
	}
	return false
}
