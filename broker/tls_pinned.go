package broker

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// errCertNotPinned is the handshake error nats-server logs for a client
// certificate outside pinned_certs.
var errCertNotPinned = errors.New("certificate not pinned")

var pinnedCertRE = regexp.MustCompile("^[a-f0-9]{64}$")

// parsePinnedCerts reads `pinned_certs: [...]`: hex SHA-256 digests of a
// DER encoded SubjectPublicKeyInfo, kept lower case. An empty list pins
// nothing, as in nats-server.
func parsePinnedCerts(v *conf.Value) (PinnedCertSet, error) {
	arr, ok := v.V.([]*conf.Value)
	if !ok {
		return nil, errors.New("error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")
	}
	if len(arr) == 0 {
		return nil, nil
	}
	set := make(PinnedCertSet, len(arr))
	for _, e := range arr {
		s, ok := e.V.(string)
		if !ok {
			return nil, fmt.Errorf("interface conversion: interface {} is %T, not string", e.V)
		}
		s = strings.ToLower(s)
		if !pinnedCertRE.MatchString(s) {
			return nil, posErr(e.Pos, fmt.Sprintf("error parsing tls config, 'pinned_certs' key %s does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo", s))
		}
		set[s] = struct{}{}
	}
	return set, nil
}

// pinnedKeyID is what pinned_certs lists for a certificate.
func pinnedKeyID(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

// matchesPinnedCert reports whether the client's certificate is in set (a
// nil set pins nothing). A client without a certificate, TLS or not,
// never matches a set, as in nats-server.
func (c *client) matchesPinnedCert(set PinnedCertSet) bool {
	if set == nil {
		return true
	}
	return c.certPinned(c.peerCert(), set)
}

// certPinned checks cert (nil: none) against a non-nil set.
func (c *client) certPinned(cert *x509.Certificate, set PinnedCertSet) bool {
	if cert == nil {
		c.debugf("Failed pinned cert test as client did not provide a certificate")
		return false
	}
	id := pinnedKeyID(cert)
	if _, ok := set[id]; !ok {
		c.debugf("Failed pinned cert test for key id: %s", id)
		return false
	}
	return true
}

// recheckPinnedCerts closes the clients whose certificate the reloaded
// pinned_certs no longer list, as nats-server does after a reload.
func (s *Server) recheckPinnedCerts(next *Options) {
	s.mu.Lock()
	clients := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	var gone []*client
	for _, c := range clients {
		if !c.matchesPinnedCert(next.TLSPinnedCerts) {
			gone = append(gone, c)
		}
	}
	if len(gone) == 0 {
		return
	}
	s.logger().Noticef("Disconnect %d clients due to pinned certs reload", len(gone))
	for _, c := range gone {
		c.closeConnection(reasonTLSHandshake, false)
	}
}
