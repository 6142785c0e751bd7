package broker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// parseMinVersion reads min_version: "1.2" or "1.3" (nats-server also
// knows "1.0" and "1.1", and refuses them).
func (t *TLSOptions) parseMinVersion(v *conf.Value) error {
	s, ok := v.V.(string)
	if !ok {
		return fmt.Errorf("error parsing tls config: 'min_version' wrong type: %v", v.V)
	}
	versions := map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}
	n, ok := versions[s]
	switch {
	case !ok:
		return fmt.Errorf("error parsing tls config: unknown version: %s", s)
	case n < tls.VersionTLS12:
		return fmt.Errorf("error parsing tls config: unsupported TLS version: %s", tls.VersionName(n))
	}
	t.TLSMinVersion = n
	return nil
}

// parseCerts reads certs: a list of {cert_file, key_file} maps. Errors
// are nats-server's, each placed at what is wrong.
func (t *TLSOptions) parseCerts(v *conf.Value) error {
	arr, ok := v.V.([]*conf.Value)
	if !ok {
		// nats-server names the type of the whole tls block here.
		return errors.New("error parsing certificates config: unsupported type map[string]interface {}")
	}
	pairs := make([]TLSCertPair, 0, len(arr))
	for _, ev := range arr {
		m, ok := ev.V.(*conf.Map)
		if !ok {
			return posErr(ev.Pos, "error parsing certificates config: unsupported type "+goTypeName(ev.V))
		}
		var p TLSCertPair
		for _, e := range m.Entries() {
			file, ok := e.Value.V.(string)
			if !ok {
				return posErr(e.KeyPos, "error parsing certificates config: unsupported type "+goTypeName(e.Value.V))
			}
			switch e.Key { // case-sensitive, as nats-server
			case "cert_file":
				p.CertFile = file
			case "key_file":
				p.KeyFile = file
			default:
				return posErr(e.KeyPos, fmt.Sprintf("error parsing tls certs config, unknown field %q", e.Key))
			}
		}
		if p.CertFile == "" || p.KeyFile == "" {
			at := ev.Pos // nats-server: at the entry's last key, if any
			if es := m.Entries(); len(es) > 0 {
				at = es[len(es)-1].KeyPos
			}
			return posErr(at, "error parsing certificates config: both 'cert_file' and 'cert_key' options are required")
		}
		pairs = append(pairs, p)
	}
	t.TLSCerts = pairs
	return nil
}

// checkInsecureCiphers refuses cipher_suites Go lists as insecure unless
// allow_insecure_cipher_suites is set, as nats-server does.
func (t *TLSOptions) checkInsecureCiphers() error {
	if t.TLSAllowInsecureCiphers {
		return nil
	}
	var names []string
	for _, id := range t.TLSCiphers {
		for _, cs := range tls.InsecureCipherSuites() {
			if cs.ID == id {
				names = append(names, cs.Name)
			}
		}
	}
	if len(names) > 0 {
		return fmt.Errorf("insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: %s", strings.Join(names, ", "))
	}
	return nil
}

// loadCertificates reads the server's certificate and key, or each of the
// certs pairs, with nats-server's errors.
func loadCertificates(t *TLSOptions) ([]tls.Certificate, error) {
	if len(t.TLSCerts) == 0 {
		cert, err := loadPair(t.TLSCert, t.TLSKey, "")
		if err != nil {
			return nil, err
		}
		return []tls.Certificate{cert}, nil
	}
	certs := make([]tls.Certificate, len(t.TLSCerts))
	for i, p := range t.TLSCerts {
		cert, err := loadPair(p.CertFile, p.KeyFile, fmt.Sprintf(" %d/%d", i+1, len(t.TLSCerts)))
		if err != nil {
			return nil, err
		}
		certs[i] = cert
	}
	return certs, nil
}

// loadPair loads one certificate and key; which numbers it in errors.
func loadPair(certFile, keyFile, which string) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return cert, fmt.Errorf("error parsing X509 certificate/key pair%s: %v", which, err)
	}
	if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
		return cert, fmt.Errorf("error parsing certificate%s: %v", which, err)
	}
	return cert, nil
}
