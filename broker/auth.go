package broker

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"
)

// authState is the client authorization in force, built from the options
// at start and on every reload; immutable once stored.
type authState struct {
	required   bool // clients must send credentials in CONNECT
	nonce      bool // INFO carries a nonce (nkey users are configured)
	user, pass string
	token      string
	noAuthUser string
	users      map[string]*User
	nkeys      map[string]*NkeyUser
	perms      map[*Permissions]*permSet // compiled once per Permissions
	tlsMap     bool                      // verify_and_map: users come from certificates
	userDNs    []userDN                  // with tlsMap, the user names that parse as DNs
	pinned     PinnedCertSet             // pinned_certs, to see whether a reload changed it
}

// nonceLen is the length of the INFO nonce: 11 random bytes, base64url.
const nonceRawLen = 11

// newAuthState builds the authorization o describes.
func newAuthState(o *Options) *authState {
	a := &authState{
		required: o.authRequired(), user: o.Username, pass: o.Password,
		token: o.Authorization, noAuthUser: o.NoAuthUser,
		perms: make(map[*Permissions]*permSet), tlsMap: o.TLS && o.TLSMap, pinned: o.TLSPinnedCerts,
	}
	if o.Users != nil {
		a.users = make(map[string]*User, len(o.Users))
		for _, u := range o.Users {
			if !standardAllowed(u.ConnectionTypes) {
				continue // never matches: as if the user did not exist
			}
			a.users[u.Username] = u
			a.compile(u.Permissions)
			if dn, err := parseDN(u.Username); err == nil && a.tlsMap {
				a.userDNs = append(a.userDNs, userDN{u, dn})
			}
		}
	}
	if o.Nkeys != nil {
		a.nkeys = make(map[string]*NkeyUser, len(o.Nkeys))
		for _, u := range o.Nkeys {
			if !standardAllowed(u.ConnectionTypes) {
				continue
			}
			a.nkeys[u.Nkey] = u
			a.compile(u.Permissions)
		}
	}
	a.nonce = len(o.Nkeys) > 0
	return a
}

func (a *authState) compile(p *Permissions) {
	if p != nil && a.perms[p] == nil {
		a.perms[p] = newPermSet(p)
	}
}

// setAuthTLS installs the authorization and TLS o describes.
func (s *Server) setAuthTLS(o *Options) error {
	tc, err := buildTLSConfig(o)
	if err != nil {
		return err
	}
	s.tlsp.Store(tc)
	s.authp.Store(newAuthState(o))
	return nil
}

// newNonce is nats-server's INFO nonce: 11 random bytes in raw base64url.
func newNonce() []byte {
	var raw [nonceRawLen]byte
	_, _ = rand.Read(raw[:])
	n := make([]byte, base64.RawURLEncoding.EncodedLen(nonceRawLen))
	base64.RawURLEncoding.Encode(n, raw[:])
	return n
}

var bcryptPrefix = regexp.MustCompile(`^\$2[abxy]\$\d{2}\$.*`)

// isBcrypt reports whether a configured secret is a bcrypt hash.
func isBcrypt(s string) bool {
	return strings.HasPrefix(s, "$") && bcryptPrefix.MatchString(s)
}

// comparePasswords checks a client's secret against the configured one,
// a bcrypt hash or a plain secret compared in constant time.
func comparePasswords(server, client string) bool {
	if isBcrypt(server) {
		return bcrypt.CompareHashAndPassword([]byte(server), []byte(client)) == nil
	}
	return subtle.ConstantTimeCompare([]byte(server), []byte(client)) == 1
}

// authenticate checks the credentials of o (a CONNECT of c) against a, as
// nats-server's processClientOrLeafAuthentication does for nkeys, users
// (named by CONNECT or, with verify_and_map, by c's certificate), a token
// and a single user. It returns the permissions to apply, nil for none. A
// user mapped from the certificate is written to o.User.
func (a *authState) authenticate(c *client, o *connectOpts) (*permSet, bool) {
	if !a.required {
		return nil, true
	}
	noCreds := o.User == "" && o.Pass == "" && o.Token == "" && o.Nkey == ""
	if a.nkeys != nil && a.noAuthUser != "" && noCreds {
		if u, ok := a.nkeys[a.noAuthUser]; ok {
			return a.perms[u.Permissions], true
		}
	}
	if a.nkeys != nil && o.Nkey != "" {
		u, ok := a.nkeys[o.Nkey]
		if !ok || !verifyNonce(o, c.nonce) {
			return nil, false
		}
		return a.perms[u.Permissions], true
	}
	if a.users != nil && a.tlsMap {
		u := c.mapUser(a)
		if u == nil {
			return nil, false
		}
		if o.User != "" {
			c.srv.logger().Warnf("User %q found in connect proto, but user required from cert", o.User)
		}
		o.User = u.Username
		// The password is still checked: none for a certificate-only user.
		return a.perms[u.Permissions], comparePasswords(u.Password, o.Pass)
	}
	if a.users != nil {
		user, pass := o.User, o.Pass
		if a.noAuthUser != "" && user == "" && pass == "" && o.Token == "" && o.Nkey == "" {
			if u, ok := a.users[a.noAuthUser]; ok {
				return a.perms[u.Permissions], true
			}
			if u, ok := a.nkeys[a.noAuthUser]; ok {
				return a.perms[u.Permissions], true
			}
		}
		if u, ok := a.users[user]; ok && user != "" {
			if !comparePasswords(u.Password, pass) {
				return nil, false
			}
			return a.perms[u.Permissions], true
		}
		return nil, false
	}
	switch {
	case a.token != "":
		return nil, comparePasswords(a.token, o.Token)
	case a.user != "":
		if a.user != o.User {
			return nil, false
		}
		return nil, comparePasswords(a.pass, o.Pass)
	}
	return nil, false
}

// verifyNonce checks the CONNECT's sig: the nonce signed by the nkey's
// private key, raw base64url (standard base64 accepted too).
func verifyNonce(o *connectOpts, nonce []byte) bool {
	if o.Sig == "" {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(o.Sig)
	if err != nil {
		if sig, err = base64.StdEncoding.DecodeString(o.Sig); err != nil {
			return false
		}
	}
	pub, err := nkeys.FromPublicKey(o.Nkey)
	if err != nil {
		return false
	}
	return pub.Verify(nonce, sig) == nil
}

// checkConnectAuth authenticates a CONNECT on the read goroutine; on
// failure the client gets 'Authorization Violation' and is closed.
func (c *client) checkConnectAuth(o *connectOpts) bool {
	creds := *o
	ps, ok := c.srv.authp.Load().authenticate(c, &creds)
	if !ok {
		c.authViolation(o)
		return false
	}
	c.awaitingAuth = false
	c.mu.Lock()
	c.creds = &creds
	c.mu.Unlock()
	c.setPerms(ps)
	return true
}

// authUser names the credentials in log lines, secrets left out.
func authUser(o *connectOpts) string {
	switch {
	case o.Nkey != "":
		return "Nkey " + strconv.Quote(o.Nkey)
	case o.User != "":
		return "User " + strconv.Quote(o.User)
	case o.Token != "":
		return `Token "[REDACTED]"`
	}
	return ""
}

// authViolation logs, sends 'Authorization Violation' and closes.
func (c *client) authViolation(o *connectOpts) {
	if who := authUser(o); who != "" {
		c.errorf("authentication error - %s", who)
	} else {
		c.errorf("authentication error")
	}
	c.sendErrAndClose(errAuthViolation, reasonAuthViolation)
}

// preConnect handles an operation other than CONNECT that arrives first
// while auth is required: with no_auth_user the client becomes that user,
// otherwise it is refused. It reports whether the operation may proceed.
func (c *client) preConnect() bool {
	a := c.srv.authp.Load()
	if a.noAuthUser != "" {
		_, isUser := a.users[a.noAuthUser]
		_, isNkey := a.nkeys[a.noAuthUser]
		if isUser || isNkey {
			var none connectOpts
			if c.stopAuthTimer() {
				return c.checkConnectAuth(&none)
			}
			return false
		}
	}
	c.stopAuthTimer()
	c.authViolation(&c.opts)
	return false
}

// armAuthTimer starts the wait for CONNECT when auth is required.
func (c *client) armAuthTimer(d time.Duration) {
	c.awaitingAuth = true
	c.mu.Lock()
	c.authTimer = time.AfterFunc(d, c.authTimeout)
	c.mu.Unlock()
}

// stopAuthTimer stops the CONNECT wait; false when it already fired.
func (c *client) stopAuthTimer() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authTimer == nil {
		return true
	}
	stopped := c.authTimer.Stop()
	c.authTimer = nil
	return stopped
}

// authTimeout runs on the timer's goroutine: no CONNECT in time.
func (c *client) authTimeout() {
	if c.tracing() {
		c.traceOut("-ERR", []byte(errAuthTimeout))
	}
	c.debugf("%s", errAuthTimeout) // after the -ERR's trace, as nats-server logs them
	c.mu.Lock()
	c.queueLocked([]byte("-ERR '" + errAuthTimeout + "'\r\n"))
	c.mu.Unlock()
	c.closeConnection(reasonAuthTimeout, true)
}

// warnPlaintextPasswords logs nats-server's warning when a configured
// password is not a bcrypt hash.
func (s *Server) warnPlaintextPasswords() {
	o := s.Options()
	warn := o.Password != "" && !isBcrypt(o.Password)
	for _, u := range o.Users {
		// A user without a password is a certificate identity under verify_and_map.
		warn = warn || !isBcrypt(u.Password) && (u.Password != "" || !o.TLSMap)
	}
	if warn {
		s.logger().Warnf("Plaintext passwords detected, use nkeys or bcrypt")
	}
}
