package broker

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"strings"
)

// verify_and_map: a client's user is taken from its verified certificate,
// as nats-server's checkClientTLSCertSubject does. Tried in this order,
// each against the user names of `authorization { users }`: the email
// SANs, the DNS SANs, the URI SANs; then the subject as a distinguished
// name (RFC 4514) equal to a user name parsed as one, first in order, then
// with its RDNs in any order; then the subject string Go prints with the
// domain components appended; then the subject string alone.

// dnAttr is one attribute of a relative distinguished name; types compare
// without case, values exactly.
type dnAttr struct{ typ, val string }

// dnRDN is one RDN: its attributes, in any order.
type dnRDN []dnAttr

// distName is a distinguished name, most specific RDN first (RFC 4514).
type distName []dnRDN

// dnTypeNames are the attribute types a certificate subject may use to be
// matched as a DN; any other type and the subject is not tried as one.
var dnTypeNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
	"2.5.4.9": "STREET", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.17": "POSTALCODE",
	"0.9.2342.19200300.100.1.25": "DC",
}

var oidDomainComponent = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}

// parseDN reads a user name as an RFC 4514 DN, with nats-server's rules:
// `\` escapes a special character or two hex digits, unescaped spaces
// around a value are dropped, `+` joins attributes of one RDN, `#` (BER)
// values are refused, and a trailing type without a value is dropped.
func parseDN(s string) (distName, error) {
	var dn distName
	var rdn dnRDN
	var buf []byte
	var typ string
	trailing := 0 // unescaped spaces at the end of buf
	take := func() string {
		v := string(buf[:len(buf)-trailing])
		buf, trailing = buf[:0], 0
		return v
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\':
			i++
			if i == len(s) {
				continue // a lone trailing backslash is dropped, as nats-server's parser does
			}
			trailing = 0
			if strings.IndexByte(" \"#+,;<=>\\", s[i]) >= 0 {
				buf = append(buf, s[i])
				continue
			}
			if i+1 == len(s) {
				return nil, errors.New("got corrupted escaped character")
			}
			b, err := hex.DecodeString(s[i : i+2])
			if err != nil {
				return nil, err
			}
			buf = append(buf, b[0])
			i++
		case ch == '=':
			typ = take()
			if i+1 < len(s) && s[i+1] == '#' {
				return nil, errors.New("unsupported BER encoding")
			}
		case ch == ',' || ch == '+':
			if typ == "" {
				return nil, errors.New("incomplete type, value pair")
			}
			rdn = append(rdn, dnAttr{typ, take()})
			typ = ""
			if ch == ',' {
				dn, rdn = append(dn, rdn), nil
			}
		case ch == ' ' && len(buf) == 0:
		default:
			if ch == ' ' {
				trailing++
			} else {
				trailing = 0
			}
			buf = append(buf, ch)
		}
	}
	if len(buf) > 0 {
		if typ == "" {
			return nil, errors.New("DN ended with incomplete type, value pair")
		}
		dn = append(dn, append(rdn, dnAttr{typ, take()}))
	}
	return dn, nil
}

// subjectDN is a certificate's raw subject as a DN, most specific first;
// false when it has an attribute type outside dnTypeNames or a value that
// is not a string.
func subjectDN(raw []byte) (distName, bool) {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return nil, false
	}
	var dn distName
	for i := len(seq) - 1; i >= 0; i-- {
		if len(seq[i]) == 0 {
			continue
		}
		var rdn dnRDN
		for j := len(seq[i]) - 1; j >= 0; j-- {
			atv := seq[i][j]
			name, ok := dnTypeNames[atv.Type.String()]
			val, isStr := atv.Value.(string)
			if !ok || !isStr {
				return nil, false
			}
			rdn = append(rdn, dnAttr{name, val})
		}
		dn = append(dn, rdn)
	}
	return dn, true
}

// domainComponents is "DC=a,DC=b" from the raw subject, in its order.
func domainComponents(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	var dcs []string
	for _, rdn := range seq {
		for _, atv := range rdn {
			if v, ok := atv.Value.(string); ok && atv.Type.Equal(oidDomainComponent) {
				dcs = append(dcs, "DC="+v)
			}
		}
	}
	return strings.Join(dcs, ",")
}

func (r dnRDN) has(a dnAttr) bool {
	for _, x := range r {
		if strings.EqualFold(x.typ, a.typ) && x.val == a.val {
			return true
		}
	}
	return false
}

func (r dnRDN) equal(o dnRDN) bool {
	if len(r) != len(o) {
		return false
	}
	for _, a := range o {
		if !r.has(a) {
			return false
		}
	}
	for _, a := range r {
		if !o.has(a) {
			return false
		}
	}
	return true
}

// equal compares RDN by RDN, in order.
func (d distName) equal(o distName) bool {
	if len(d) != len(o) {
		return false
	}
	for i := range d {
		if !d[i].equal(o[i]) {
			return false
		}
	}
	return true
}

// sameRDNs reports whether d and o hold the same RDNs in any order.
func (d distName) sameRDNs(o distName) bool {
	if len(d) != len(o) {
		return false
	}
	used := make([]bool, len(o))
	for _, r := range d {
		found := false
		for j, x := range o {
			if !used[j] && r.equal(x) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// userDN is a configured user whose name parses as a DN.
type userDN struct {
	user *User
	dn   distName
}

// mapCert finds the user the certificate maps to; nil when none. debugf
// gets nats-server's debug lines.
func (a *authState) mapCert(cert *x509.Certificate, debugf func(string, ...any)) *User {
	if len(cert.DNSNames) == 0 && len(cert.EmailAddresses) == 0 && cert.Subject.String() == "" && len(cert.URIs) == 0 {
		debugf("User required in cert, none found")
		return nil
	}
	for _, e := range cert.EmailAddresses {
		if u := a.users[e]; u != nil {
			debugf("Using email found in cert for auth [%q]", u.Username)
			return u
		}
	}
	for _, d := range cert.DNSNames {
		if u := a.users[d]; u != nil {
			debugf("Using SAN found in cert for auth [%q]", u.Username)
			return u
		}
	}
	for _, uri := range cert.URIs {
		if u := a.users[uri.String()]; u != nil {
			debugf("Using URI found in cert for auth [%q]", u.Username)
			return u
		}
	}
	rdn := cert.Subject.ToRDNSequence().String()
	if dn, ok := subjectDN(cert.RawSubject); ok {
		if u := a.userByDN(dn); u != nil {
			debugf("Using DistinguishedNameMatch for auth [%q]", u.Username)
			return u
		}
		debugf("DistinguishedNameMatch could not be used for auth [%q]", rdn)
	}
	if dcs := domainComponents(cert.RawSubject); dcs != "" {
		name := rdn + "," + dcs
		if u := a.users[name]; u != nil {
			debugf("Using RDNSequence for auth [%q]", u.Username)
			return u
		}
		debugf("RDNSequence could not be used for auth [%q]", name)
	}
	if u := a.users[rdn]; u != nil {
		debugf("Using certificate subject for auth [%q]", u.Username)
		return u
	}
	debugf("User in cert [%q], not found", rdn)
	return nil
}

// userByDN is the user whose name is the DN dn: equal RDN by RDN first,
// else with the RDNs reordered.
func (a *authState) userByDN(dn distName) *User {
	for _, u := range a.userDNs {
		if u.dn.equal(dn) {
			return u.user
		}
	}
	for _, u := range a.userDNs {
		if u.dn.sameRDNs(dn) {
			return u.user
		}
	}
	return nil
}

// mapUser is the user c's certificate maps to under verify_and_map; nil
// (after nats-server's debug line) when there is none.
func (c *client) mapUser(a *authState) *User {
	cert := c.peerCert()
	if cert == nil {
		if c.isTLS() {
			c.debugf("User required in cert, no peer certificates found")
		} else {
			c.debugf("User required in cert, no TLS connection state")
		}
		return nil
	}
	return a.mapCert(cert, c.debugf)
}
