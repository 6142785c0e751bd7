package broker

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// curveNames are the curve_preferences nats-server accepts.
var curveNames = map[string]tls.CurveID{
	"SecP384r1MLKEM1024": tls.SecP384r1MLKEM1024,
	"SecP256r1MLKEM768":  tls.SecP256r1MLKEM768,
	"X25519MLKEM768":     tls.X25519MLKEM768,
	"X25519":             tls.X25519,
	"CurveP256":          tls.CurveP256,
	"CurveP384":          tls.CurveP384,
	"CurveP521":          tls.CurveP521,
}

// setTLS applies `tls {}` (opts.go parseTLS, client context).
func setTLS(o *Options, v *conf.Value, _ *ConfigError) error {
	m, ok := v.V.(*conf.Map)
	if !ok {
		return typeErr("a map", v)
	}
	t := TLSOptions{TLS: true, AllowNonTLS: o.AllowNonTLS} // allow_non_tls is top-level
	for _, e := range m.Entries() {
		if err := t.key(e); err != nil {
			return placeAt(e.KeyPos, err) // at the inner key, as nats-server
		}
	}
	if t.TLSCert != "" && t.TLSKey == "" {
		return errors.New("missing 'key_file' in TLS configuration")
	}
	if t.TLSCert == "" && t.TLSKey != "" {
		return errors.New("missing 'cert_file' in TLS configuration")
	}
	if t.TLSCert != "" && len(t.TLSCerts) > 0 {
		return errors.New("error parsing tls config, cannot combine 'cert_file' option with 'certs' option")
	}
	if err := t.checkInsecureCiphers(); err != nil {
		return err
	}
	if t.TLSCert != "" || len(t.TLSCerts) > 0 { // the files are read when the config is, as nats-server (-t too)
		if _, err := buildTLSConfig(&Options{TLSOptions: t}); err != nil {
			return err
		}
	}
	o.TLSOptions = t
	return nil
}

func (t *TLSOptions) key(e *conf.Entry) error {
	v := e.Value
	file := func(dst *string, name string) error {
		s, ok := v.V.(string)
		if !ok {
			return fmt.Errorf("error parsing tls config, expected '%s' to be filename", name)
		}
		*dst = s
		return nil
	}
	switch strings.ToLower(e.Key) {
	case "cert_file":
		return file(&t.TLSCert, "cert_file")
	case "key_file":
		return file(&t.TLSKey, "key_file")
	case "ca_file":
		return file(&t.TLSCaCert, "ca_file")
	case "verify":
		b, ok := v.V.(bool)
		if !ok {
			return errors.New("error parsing tls config, expected 'verify' to be a boolean")
		}
		t.TLSVerify = b
	case "verify_and_map":
		b, ok := v.V.(bool)
		if !ok {
			return errors.New("error parsing tls config, expected 'verify_and_map' to be a boolean")
		}
		t.TLSVerify = t.TLSVerify || b // false leaves verify as it is, as in nats-server
		t.TLSMap = b
	case "min_version":
		return t.parseMinVersion(v)
	case "certs", "certificates":
		return t.parseCerts(v)
	case "allow_insecure_cipher_suites":
		b, ok := v.V.(bool)
		if !ok {
			return errors.New("error parsing tls config, expected 'allow_insecure_cipher_suites' to be a boolean")
		}
		t.TLSAllowInsecureCiphers = b
	case "pinned_certs":
		set, err := parsePinnedCerts(v)
		if err != nil {
			return err
		}
		t.TLSPinnedCerts = set
	case "handshake_first", "first", "immediate":
		return t.parseHandshakeFirst(e.Key, v)
	case "cipher_suites":
		arr, _ := v.V.([]*conf.Value)
		if len(arr) == 0 {
			return errors.New("error parsing tls config, 'cipher_suites' cannot be empty")
		}
		for _, c := range arr {
			name, _ := c.V.(string)
			id, ok := cipherByName(name)
			if !ok {
				return posErr(c.Pos, "unrecognized cipher "+name) // at the name, as nats-server
			}
			t.TLSCiphers = append(t.TLSCiphers, id)
		}
	case "curve_preferences":
		arr, _ := v.V.([]*conf.Value)
		if len(arr) == 0 {
			return errors.New("error parsing tls config, 'curve_preferences' cannot be empty")
		}
		for _, c := range arr {
			name, _ := c.V.(string)
			id, ok := curveNames[name]
			if !ok {
				return posErr(c.Pos, "unrecognized curve preference "+name)
			}
			t.TLSCurvePreferences = append(t.TLSCurvePreferences, id)
		}
	case "timeout":
		switch x := v.V.(type) {
		case int64:
			t.TLSTimeout = time.Duration(x) * time.Second
		case float64:
			t.TLSTimeout = time.Duration(x * float64(time.Second))
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return fmt.Errorf("error parsing tls config, 'timeout' %s", err)
			}
			t.TLSTimeout = d
		default:
			return errors.New("error parsing tls config, 'timeout' wrong type")
		}
	default:
		if unsupportedTLSKeys[strings.ToLower(e.Key)] {
			return fmt.Errorf("error parsing tls config, field %q is not supported yet", e.Key)
		}
		if !e.UsedAsVariable {
			return fmt.Errorf("error parsing tls config, unknown field %q", e.Key)
		}
	}
	return nil
}

// unsupportedTLSKeys are nats-server tls {} keys whose feature the broker
// does not have yet: refused, never ignored.
var unsupportedTLSKeys = setOf("verify_cert_and_check_known_urls", "insecure", "cert_store", "cert_match", "cert_match_by", "ca_certs_match",
	"ocsp_peer", "connection_rate_limit", "skip_verify_hostname")

func cipherByName(name string) (uint16, bool) {
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if cs.Name == name {
			return cs.ID, true
		}
	}
	return 0, false
}

// buildTLSConfig turns the TLS options into a server tls.Config; nil when
// TLS is off. TLS 1.2 is the minimum, as nats-server.
func buildTLSConfig(o *Options) (*tls.Config, error) {
	if !o.TLS {
		return nil, nil
	}
	if len(o.TLSCerts) == 0 && o.TLSCert == "" {
		return nil, errors.New("TLS Server certificate must be present and valid")
	}
	if len(o.TLSCerts) == 0 && o.TLSKey == "" {
		return nil, errors.New("TLS Server private key must be present and valid")
	}
	tc := &tls.Config{MinVersion: max(o.TLSMinVersion, tls.VersionTLS12), CipherSuites: o.TLSCiphers, CurvePreferences: o.TLSCurvePreferences}
	certs, err := loadCertificates(&o.TLSOptions)
	if err != nil {
		return nil, err
	}
	tc.Certificates = certs
	if o.TLSVerify {
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if o.TLSCaCert != "" {
		pem, err := os.ReadFile(o.TLSCaCert)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("failed to parse root ca certificate")
		}
		tc.ClientCAs = pool
	}
	return tc, nil
}

// prepareConn fills INFO's auth and TLS fields and the nonce, and returns
// how the connection starts TLS (nil: in clear, INFO still to be queued).
// With TLS, INFO is written in clear on the raw connection now, unless
// handshake_first holds it back until after the handshake.
func (c *client) prepareConn(info *serverInfo) *tlsPlan {
	a := c.srv.authp.Load()
	if a.nonce {
		c.nonce = newNonce()
		info.Nonce = string(c.nonce)
	}
	c.awaitingAuth = a.required
	info.AuthRequired = a.required && a.noAuthUser == ""
	tc := c.srv.tlsp.Load()
	if tc == nil {
		return nil
	}
	o := c.srv.Options()
	info.TLSRequired, info.TLSAvailable = !o.AllowNonTLS, o.AllowNonTLS
	info.TLSVerify = tc.ClientAuth == tls.RequireAndVerifyClientCert
	p := &tlsPlan{cfg: tc, sniff: o.AllowNonTLS, timeout: o.TLSTimeout, pinned: o.TLSPinnedCerts}
	if o.TLSHandshakeFirst {
		// The INFO after the handshake says TLS is required; the one a
		// fallback sends in clear says what it would have without it.
		p.first, p.sniff = true, false
		if o.TLSHandshakeFirstFallback > 0 {
			p.fallback, p.sniff = o.TLSHandshakeFirstFallback, o.AllowNonTLS
			p.clearInfo = infoProto(info)
		}
		info.TLSRequired = true
		p.info = infoProto(info)
		return p
	}
	writeRaw(c.nc, infoProto(info), o.TLSTimeout)
	return p
}

// startTLS wraps the connection for the server side of TLS, or for the
// transport to be decided on the read goroutine (p nil: none).
func (c *client) startTLS(p *tlsPlan) {
	switch {
	case p == nil:
	case p.negotiates():
		c.nc = newNegotConn(c.nc, p)
	default:
		c.nc = tls.Server(c.nc, p.cfg)
	}
}

// beforeRead runs on the read goroutine before the first read: the TLS
// handshake (or the choice between TLS and clear), then (as nats-server,
// only after it) the auth timer. It reports whether the connection may be
// read.
func (c *client) beforeRead() bool {
	switch conn := c.nc.(type) {
	case *tls.Conn:
		o := c.srv.Options()
		if !c.serverHandshake(conn, &tlsPlan{timeout: o.TLSTimeout, pinned: o.TLSPinnedCerts}) {
			return false
		}
	case *negotConn:
		if !c.negotiate(conn) {
			return false
		}
	}
	if c.awaitingAuth {
		c.armAuthTimer(c.srv.Options().EffectiveAuthTimeout())
	}
	return true
}

// serverHandshake runs the handshake and the pinned_certs check; on
// failure the connection is closed.
func (c *client) serverHandshake(conn *tls.Conn, p *tlsPlan) bool {
	err := c.handshake(conn, p.timeout, p.pinned)
	if err == nil {
		return true
	}
	c.closeConnection(reasonTLSHandshake, false)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.debugf("TLS handshake timeout")
	}
	return false
}

// handshake runs the server side of the TLS handshake within timeout and
// checks the client certificate against pinned. As in nats-server, a
// failed handshake is a silent close (a plaintext client reads INFO, then
// EOF), logged as an error, or as a debug line for what looks like a
// probe.
func (c *client) handshake(conn *tls.Conn, timeout time.Duration, pinned PinnedCertSet) error {
	c.debugf("Starting TLS client connection handshake")
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	err := conn.Handshake()
	if err == nil && pinned != nil {
		var cert *x509.Certificate
		if certs := conn.ConnectionState().PeerCertificates; len(certs) > 0 {
			cert = certs[0]
		}
		if !c.certPinned(cert, pinned) {
			err = errCertNotPinned
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	if err != nil {
		detail := ""
		var ve *tls.CertificateVerificationError
		if errors.As(err, &ve) {
			var subjs []string
			for _, cert := range ve.UnverifiedCertificates {
				subjs = append(subjs, fmt.Sprintf("%s SHA-256: %x", cert.Subject, sha256.Sum256(cert.Raw)))
			}
			if len(subjs) > 0 {
				detail = " (" + strings.Join(subjs, "; ") + ")"
			}
		}
		// A probe (plaintext bytes, a timeout) is a debug line, as in nats-server.
		var ne net.Error
		var rh tls.RecordHeaderError
		if (errors.As(err, &ne) && ne.Timeout()) || (errors.As(err, &rh) && rh.Conn != nil) {
			c.debugf("TLS handshake error: %v%s", err, detail)
		} else {
			c.errorf("TLS handshake error: %v%s", err, detail)
		}
		return err
	}
	cs := conn.ConnectionState()
	c.mu.Lock()
	c.tlsState = &cs
	c.mu.Unlock()
	c.debugf("TLS handshake complete")
	c.debugf("TLS version %s, cipher suite %s", tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite))
	return nil
}

// setTLSFlag applies --tls: -tls=false drops the file's TLS altogether, as
// nats-server does.
func setTLSFlag(o *Options, on bool) {
	if !on {
		o.TLSOptions = TLSOptions{AllowNonTLS: o.AllowNonTLS} // a top-level key, not part of tls {}
		return
	}
	o.TLS = true
}
