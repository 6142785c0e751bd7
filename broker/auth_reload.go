package broker

import (
	"fmt"
	"maps"
	"strconv"
)

// authReloadable are the auth and TLS options a reload may change, with the
// words of nats-server's `Reloaded: …` line; secrets are never logged.
var authReloadable = map[string]string{
	"Username":            "authorization username",
	"Password":            "authorization password",
	"Authorization":       "authorization token",
	"AuthTimeout":         "authorization timeout",
	"Users":               "authorization users",
	"Nkeys":               "authorization nkey users",
	"NoAuthUser":          "no_auth_user",
	"TLS":                 "tls",
	"TLSCert":             "tls",
	"TLSKey":              "tls",
	"TLSCaCert":           "tls",
	"TLSVerify":           "tls",
	"TLSCiphers":          "tls",
	"TLSCurvePreferences": "tls",
	"TLSCerts":            "tls",
	"TLSMinVersion":       "tls",
	// allow_insecure_cipher_suites only gates what cipher_suites may name.
	"TLSAllowInsecureCiphers": "tls",
	"TLSTimeout":              "tls timeout",
	// TLSMap and AllowNonTLS are not here: nats-server refuses to reload them.
	"TLSPinnedCerts":            "pinned_certs",
	"TLSHandshakeFirst":         "Client TLS handshake first",
	"TLSHandshakeFirstFallback": "Client TLS handshake first fallback delay",
}

func init() {
	for k, v := range authReloadable {
		reloadable[k] = v
	}
}

// noAuthUserDropped is the one no_auth_user change nats-server reloads:
// removing it when its user is gone too.
func noAuthUserDropped(cur, next *Options) bool {
	if cur.NoAuthUser == "" || next.NoAuthUser != "" {
		return false
	}
	for _, u := range next.Users {
		if u.Username == cur.NoAuthUser {
			return false
		}
	}
	return true
}

// logAuthField logs one reloaded auth or TLS option as nats-server does and
// reports whether field was one; values that are secrets are not shown.
func (s *Server) logAuthField(field string, next *Options, logged map[string]bool) bool {
	key, ok := authReloadable[field]
	if !ok {
		return false
	}
	if logged[key] {
		return true
	}
	logged[key] = true
	switch field {
	case "AuthTimeout":
		s.logger().Noticef("Reloaded: %s = %v", key, next.EffectiveAuthTimeout().Seconds())
	case "TLSTimeout":
		s.logger().Noticef("Reloaded: %s = %v", key, next.TLSTimeout.Seconds())
	case "NoAuthUser":
		s.logger().Noticef("Reloaded: %s", key)
	case "TLSPinnedCerts":
		s.logger().Noticef("Reloaded: %d pinned_certs", len(next.TLSPinnedCerts))
	case "TLSHandshakeFirst":
		s.logger().Noticef("Reloaded: %s: %v", key, next.TLSHandshakeFirst)
	case "TLSHandshakeFirstFallback":
		s.logger().Noticef("Reloaded: %s: %v", key, next.TLSHandshakeFirstFallback)
	case "TLS", "TLSCert", "TLSKey", "TLSCaCert", "TLSVerify", "TLSCiphers", "TLSCurvePreferences", "TLSCerts", "TLSMinVersion", "TLSAllowInsecureCiphers":
		state := "disabled"
		if next.TLS {
			state = "enabled"
		}
		s.logger().Noticef("Reloaded: tls = %s", state)
	default:
		s.logger().Noticef("Reloaded: %s", key)
	}
	return true
}

// reloadAuth installs the reloaded authorization and TLS, then re-checks
// every client as nats-server does: a client whose credentials no longer
// pass gets 'Authorization Violation' and is closed; a subscription its new
// permissions refuse is removed with a -ERR.
func (s *Server) reloadAuth(next *Options) {
	tc, err := buildTLSConfig(next)
	if err == nil {
		s.tlsp.Store(tc) // validated before the reload was accepted
	}
	a := newAuthState(next)
	old := s.authp.Swap(a)
	if old != nil && !maps.Equal(old.pinned, a.pinned) {
		defer s.recheckPinnedCerts(next) // after the new rules are in force, as nats-server
	}
	s.mu.Lock()
	clients := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	for _, c := range clients {
		c.recheckAuth(a)
	}
}

// recheckAuth runs on the reload's goroutine.
func (c *client) recheckAuth(a *authState) {
	c.mu.Lock()
	creds := c.creds
	c.mu.Unlock()
	if creds == nil {
		return // not connected yet: its CONNECT meets the new rules
	}
	check := *creds // authenticate may write the mapped user
	ps, ok := a.authenticate(c, &check)
	if !ok {
		if who := authUser(creds); who != "" {
			c.errorf("authentication error - %s", who)
		} else {
			c.errorf("authentication error")
		}
		c.queueErrAndClose(errAuthViolation, reasonAuthViolation)
		return
	}
	c.setPerms(ps)
	if ps != nil {
		c.pruneSubs(ps, creds)
	}
}

// pruneSubs removes the subscriptions ps no longer permits.
func (c *client) pruneSubs(ps *permSet, creds *connectOpts) {
	var gone []*subscription
	c.mu.Lock()
	for sid, sub := range c.subs {
		if !ps.canSubscribe(sub.subject, sub.queue) {
			sub.removed = true
			delete(c.subs, sid)
			gone = append(gone, sub)
			continue
		}
		sub.denyFilter = ps.needsDenyFilter(sub.subject, sub.queue)
	}
	c.mu.Unlock()
	who := authUser(creds)
	if who == "" {
		who = `User "N/A"`
	}
	for _, sub := range gone {
		c.unindex(sub)
		if sub.queue != "" {
			c.queueErr(fmt.Sprintf("Permissions Violation for Subscription to %q using queue %q (sid %s)", sub.subject, sub.queue, strconv.Quote(sub.sid)))
			c.srv.logger().Noticef("Removed sub %q using queue %q (sid %q) for %s - not authorized", sub.subject, sub.queue, sub.sid, who)
		} else {
			c.queueErr(fmt.Sprintf("Permissions Violation for Subscription to %q (sid %s)", sub.subject, strconv.Quote(sub.sid)))
			c.srv.logger().Noticef("Removed sub %q (sid %q) for %s - not authorized", sub.subject, sub.sid, who)
		}
	}
}

// queueErr queues an -ERR from a goroutine other than the read goroutine.
func (c *client) queueErr(text string) {
	if c.tracing() {
		c.traceOut("-ERR", []byte(text))
	}
	c.mu.Lock()
	c.queueLocked([]byte("-ERR '" + text + "'\r\n"))
	c.mu.Unlock()
	c.signalFlush()
}

// queueErrAndClose is queueErr, then a close that flushes it.
func (c *client) queueErrAndClose(text string, reason closeReason) {
	c.queueErr(text)
	c.closeConnection(reason, true)
}
