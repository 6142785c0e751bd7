package broker

import (
	"crypto/tls"
	"slices"
	"time"
)

// DefaultTLSTimeout bounds a client's TLS handshake (nats-server TLS_TIMEOUT).
const DefaultTLSTimeout = 2 * time.Second

// Response permission defaults (nats-server DEFAULT_ALLOW_RESPONSE_*).
const (
	DefaultAllowResponseMaxMsgs = 1
	DefaultAllowResponseExpires = 2 * time.Minute
)

// AuthOptions is the client authorization: the `authorization {}` block,
// `no_auth_user`, and --user, --pass, --auth. All of it is reloadable.
type AuthOptions struct {
	// Username and Password are the single user (user/password, --user,
	// --pass). Password may be a bcrypt hash. Default empty.
	Username string
	Password string
	// Authorization is the token (token, --auth); may be a bcrypt hash.
	Authorization string
	// AuthTimeout bounds the wait for CONNECT when auth is required.
	// 0 means the default: DefaultAuthTimeout, or the TLS timeout plus one
	// second when TLS is on, as nats-server (see EffectiveAuthTimeout).
	AuthTimeout time.Duration
	// Users are the `users` entries with a user name.
	Users []*User
	// Nkeys are the `users` entries with an nkey.
	Nkeys []*NkeyUser
	// NoAuthUser names the user a client without credentials becomes.
	NoAuthUser string
}

// TLSOptions is TLS for client connections: `tls {}` and the --tls* flags.
type TLSOptions struct {
	// TLS turns TLS on for every client. Set by a tls block or --tls.
	TLS bool
	// TLSCert and TLSKey are the server's certificate and key files.
	TLSCert string
	TLSKey  string
	// TLSCaCert is the CA file client certificates are checked against.
	TLSCaCert string
	// TLSVerify requires a client certificate signed by TLSCaCert.
	TLSVerify bool
	// TLSTimeout bounds the handshake. Default DefaultTLSTimeout.
	TLSTimeout time.Duration
	// TLSCiphers are the cipher suites; empty means Go's defaults.
	TLSCiphers []uint16
	// TLSCurvePreferences are the key exchange curves; empty means Go's.
	TLSCurvePreferences []tls.CurveID
	// TLSMap (verify_and_map) takes a client's user from its verified
	// certificate instead of CONNECT's credentials. Default off; not
	// reloadable, as in nats-server.
	TLSMap bool
	// TLSPinnedCerts (pinned_certs) are the hex SHA-256 digests of the
	// SubjectPublicKeyInfo a client certificate must have; nil: any.
	TLSPinnedCerts PinnedCertSet
	// TLSHandshakeFirst (handshake_first) makes the server wait for the
	// TLS handshake before sending INFO. Default off.
	TLSHandshakeFirst bool
	// TLSHandshakeFirstFallback: with TLSHandshakeFirst, when the client
	// sends nothing for this long, INFO goes out in clear and the
	// connection goes on as without handshake_first. 0: no fallback.
	TLSHandshakeFirstFallback time.Duration
	// TLSCerts (certs) are several certificate and key pairs in place of
	// TLSCert and TLSKey; the client's server name picks one.
	TLSCerts []TLSCertPair
	// TLSMinVersion (min_version) is the lowest TLS version accepted:
	// tls.VersionTLS12 (the default, also for 0) or tls.VersionTLS13.
	TLSMinVersion uint16
	// TLSAllowInsecureCiphers (allow_insecure_cipher_suites) lets
	// cipher_suites name suites Go lists as insecure.
	TLSAllowInsecureCiphers bool
	// AllowNonTLS (top-level allow_non_tls) lets a client stay in clear
	// though TLS is configured: INFO says tls_available. Default off; not
	// reloadable, as in nats-server.
	AllowNonTLS bool
}

// TLSCertPair is one certificate file and its key file.
type TLSCertPair struct {
	CertFile string `json:"cert_file"`
	KeyFile  string `json:"key_file"`
}

// PinnedCertSet is a set of lower-case hex SHA-256 digests of DER encoded
// SubjectPublicKeyInfo.
type PinnedCertSet map[string]struct{}

// User is a user with a password (plain or a bcrypt hash).
type User struct {
	Username    string       `json:"user"`
	Password    string       `json:"-"`
	Permissions *Permissions `json:"permissions,omitempty"`
	// ConnectionTypes, upper case, are the kinds of connection the user may
	// make (allowed_connection_types); empty allows every kind.
	ConnectionTypes []string `json:"connection_types,omitempty"`
}

// NkeyUser is a user known by its public nkey.
type NkeyUser struct {
	Nkey            string       `json:"nkey"`
	Permissions     *Permissions `json:"permissions,omitempty"`
	ConnectionTypes []string     `json:"connection_types,omitempty"`
}

// Permissions limit what a user may publish and subscribe to.
type Permissions struct {
	Publish   *SubjectPermission  `json:"publish,omitempty"`
	Subscribe *SubjectPermission  `json:"subscribe,omitempty"`
	Response  *ResponsePermission `json:"responses,omitempty"`
}

// SubjectPermission is an allow and a deny list; deny wins. A nil Allow
// allows everything; an empty, non-nil Allow allows nothing.
type SubjectPermission struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// ResponsePermission lets a user publish to the reply subjects of the
// requests it received: MaxMsgs replies each, within Expires.
type ResponsePermission struct {
	MaxMsgs int           `json:"max"`
	Expires time.Duration `json:"ttl"`
}

// authRequired reports whether clients must authenticate.
func (a *AuthOptions) authRequired() bool {
	return a.Users != nil || a.Nkeys != nil || a.Username != "" || a.Authorization != ""
}

// clone copies the users so a reload never shares them with the options in force.
func (a AuthOptions) clone() AuthOptions {
	if a.Users != nil {
		us := make([]*User, len(a.Users))
		for i, u := range a.Users {
			c := *u
			us[i] = &c
		}
		a.Users = us
	}
	if a.Nkeys != nil {
		a.Nkeys = slices.Clone(a.Nkeys)
	}
	return a
}

// setAuthTLSDefaults fills the TLS timeout; --tlsverify implies --tls.
func (o *Options) setAuthTLSDefaults() {
	if o.TLSTimeout == 0 {
		o.TLSTimeout = DefaultTLSTimeout
	}
	if o.TLSVerify {
		o.TLS = true
	}
}

// EffectiveAuthTimeout is AuthTimeout with its default applied.
func (o *Options) EffectiveAuthTimeout() time.Duration {
	switch {
	case o.AuthTimeout > 0:
		return o.AuthTimeout
	case o.TLS:
		return o.TLSTimeout + time.Second
	}
	return DefaultAuthTimeout
}
