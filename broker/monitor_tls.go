package broker

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
)

// peerCert is one client certificate as /connz?auth=1 shows it.
type peerCert struct {
	Subject          string `json:"subject,omitempty"`
	SubjectPKISha256 string `json:"spki_sha256,omitempty"`
	CertSha256       string `json:"cert_sha256,omitempty"`
}

// peerCerts describes a client's certificate chain; nil without one.
func peerCerts(certs []*x509.Certificate) []peerCert {
	if len(certs) == 0 {
		return nil
	}
	out := make([]peerCert, len(certs))
	for i, c := range certs {
		spki, raw := sha256.Sum256(c.RawSubjectPublicKeyInfo), sha256.Sum256(c.Raw)
		out[i] = peerCert{Subject: c.Subject.String(), SubjectPKISha256: hex.EncodeToString(spki[:]), CertSha256: hex.EncodeToString(raw[:])}
	}
	return out
}

// tlsVersionName names a TLS version as /connz does: "1.2", "1.3".
func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return fmt.Sprintf("Unknown [0x%x]", v)
}
