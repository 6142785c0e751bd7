package broker_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// clientCert is a client certificate written as PEM files.
type clientCert struct {
	cert, key string
	x509      *x509.Certificate
}

// issueClient makes a client certificate signed by ca with the given
// subject and SANs.
func issueClient(t *testing.T, ca *testkit.CA, dir, name string, subj pkix.Name, emails, dns []string, uris []string) clientCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subj,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		EmailAddresses: emails, DNSNames: dns,
	}
	for _, u := range uris {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.URIs = append(tmpl.URIs, pu)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return clientCert{
		cert: testkit.WriteCert(t, filepath.Join(dir, name+".pem"), c),
		key:  testkit.WriteKey(t, filepath.Join(dir, name+"-key.pem"), key), x509: c,
	}
}

// mapPKI is a CA, a server certificate and client certificates that map
// to users in the ways verify_and_map knows.
type mapPKI struct {
	ca, cert, key string
	clients       map[string]clientCert
}

var oidUID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}

func newMapPKI(t *testing.T) *mapPKI {
	t.Helper()
	dir := t.TempDir()
	ca := testkit.NewCA(t, "Map CA")
	srv, srvKey := ca.Issue(t, "server")
	p := &mapPKI{
		ca:      testkit.WriteCert(t, filepath.Join(dir, "ca.pem"), ca.Cert),
		cert:    testkit.WriteCert(t, filepath.Join(dir, "server.pem"), srv),
		key:     testkit.WriteKey(t, filepath.Join(dir, "server-key.pem"), srvKey),
		clients: map[string]clientCert{},
	}
	acme := func(cn string) pkix.Name { return pkix.Name{CommonName: cn, Organization: []string{"Acme"}} }
	p.clients["email"] = issueClient(t, ca, dir, "email", acme("nobody"), []string{"alice@example.com"}, nil, nil)
	p.clients["dns"] = issueClient(t, ca, dir, "dns", acme("nobody"), nil, []string{"bob.example.com"}, nil)
	p.clients["uri"] = issueClient(t, ca, dir, "uri", acme("nobody"), nil, nil, []string{"spiffe://example.org/carol"})
	p.clients["dn"] = issueClient(t, ca, dir, "dn", acme("dave"), nil, nil, nil)
	p.clients["dn reordered"] = issueClient(t, ca, dir, "reordered", acme("erin"), nil, nil, nil)
	p.clients["dn with dc"] = issueClient(t, ca, dir, "dc", pkix.Name{CommonName: "frank",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: "example"}}}, nil, nil, nil)
	p.clients["subject string"] = issueClient(t, ca, dir, "uid", pkix.Name{CommonName: "gina",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidUID, Value: "g1"}}}, nil, nil, nil)
	p.clients["unknown"] = issueClient(t, ca, dir, "unknown", acme("mallory"), []string{"mallory@example.com"}, nil, nil)
	return p
}

// A verified client certificate names the user: emails, DNS and URI SANs,
// then the subject as a DN (in order or reordered), then as Go prints it.
// No match is an authorization violation; the mapped user's permissions
// apply, and credentials in CONNECT are ignored.
func TestTLSVerifyAndMap(t *testing.T) {
	p := newMapPKI(t)
	gina := p.clients["subject string"].x509.Subject.ToRDNSequence().String()
	users := []string{"alice@example.com", "bob.example.com", "spiffe://example.org/carol",
		"CN=dave,O=Acme", "O=Acme, CN=erin", "DC=example,CN=frank", gina}
	var conf strings.Builder
	conf.WriteString("tls { cert_file: \"" + p.cert + "\", key_file: \"" + p.key + "\", ca_file: \"" + p.ca + "\", verify_and_map: true }\n")
	conf.WriteString("authorization { users: [\n")
	for _, u := range users {
		conf.WriteString("  { user: \"" + u + "\", permissions: { publish: \"echo\", subscribe: \"echo\" } }\n")
	}
	conf.WriteString("] }\n")
	bothServers(t, conf.String(), func(t *testing.T, addr string) {
		url := "tls://" + addr
		for _, name := range []string{"email", "dns", "uri", "dn", "dn reordered", "dn with dc", "subject string"} {
			t.Run(name, func(t *testing.T) {
				c := p.clients[name]
				echo(t, mustConnect(t, url, nats.RootCAs(p.ca), nats.ClientCert(c.cert, c.key)))
			})
		}
		t.Run("no user", func(t *testing.T) {
			c := p.clients["unknown"]
			refused(t, url, nats.RootCAs(p.ca), nats.ClientCert(c.cert, c.key))
		})
		t.Run("CONNECT user ignored, password checked", func(t *testing.T) {
			c := p.clients["dn"]
			echo(t, mustConnect(t, url, nats.RootCAs(p.ca), nats.ClientCert(c.cert, c.key), nats.UserInfo("alice@example.com", "")))
			refused(t, url, nats.RootCAs(p.ca), nats.ClientCert(c.cert, c.key), nats.UserInfo("alice@example.com", "x"))
		})
		t.Run("permissions", func(t *testing.T) {
			errs := make(chan error, 4)
			c := p.clients["email"]
			nc := mustConnect(t, url, nats.RootCAs(p.ca), nats.ClientCert(c.cert, c.key),
				nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
			if err := nc.Publish("other", nil); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-errs:
				if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), `Publish to "other"`) {
					t.Fatalf("error %v", err)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("no permissions violation")
			}
		})
		t.Run("INFO", func(t *testing.T) {
			raw, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			line, err := readLine(raw, bufioReader(raw), 3*time.Second)
			if err != nil || !strings.Contains(line, `"auth_required":true,"tls_required":true,"tls_verify":true`) {
				t.Fatalf("INFO %q (%v)", line, err)
			}
		})
	})
}

// The broker logs the mapping as nats-server does, and a CONNECT user is
// warned about.
func TestTLSVerifyAndMapLog(t *testing.T) {
	p := newMapPKI(t)
	s, _, lines := confServer(t, "debug: true\ntls { cert_file: \""+p.cert+"\", key_file: \""+p.key+"\", ca_file: \""+p.ca+"\", verify_and_map: true }\n"+
		"authorization { users: [ {user: \"CN=dave,O=Acme\"} ] }\n")
	c := p.clients["dn"]
	mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(c.cert, c.key), nats.UserInfo("zed", ""))
	lines.wait(t, 0, `Using DistinguishedNameMatch for auth ["CN=dave,O=Acme"]`)
	lines.wait(t, 0, `[WRN] User "zed" found in connect proto, but user required from cert`)
	if strings.Contains(lines.since(0), "Plaintext passwords") {
		t.Fatal("a certificate user was taken for a plaintext password")
	}
	u := p.clients["unknown"]
	refused(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(u.cert, u.key))
	lines.wait(t, 0, `User in cert ["CN=mallory,O=Acme"], not found`)
	lines.wait(t, 0, "[ERR] 127.0.0.1:")
	lines.wait(t, 0, "authentication error")
}

// pinned_certs: a client certificate whose public key is not listed is
// refused after the handshake; a reload that drops a connected client's
// key disconnects it.
func TestTLSPinnedCerts(t *testing.T) {
	p := newMapPKI(t)
	pin := func(c clientCert) string {
		sum := sha256.Sum256(c.x509.RawSubjectPublicKeyInfo)
		return strings.ToUpper(hex.EncodeToString(sum[:]))
	}
	good, bad := p.clients["dn"], p.clients["email"]
	conf := func(c clientCert) string {
		return "tls { cert_file: \"" + p.cert + "\", key_file: \"" + p.key + "\", ca_file: \"" + p.ca + "\", verify: true, pinned_certs: [\"" + pin(c) + "\"] }\n"
	}
	bothServers(t, conf(good), func(t *testing.T, addr string) {
		echo(t, mustConnect(t, "tls://"+addr, nats.RootCAs(p.ca), nats.ClientCert(good.cert, good.key)))
		if nc, err := nats.Connect("tls://"+addr, nats.RootCAs(p.ca), nats.ClientCert(bad.cert, bad.key), nats.NoReconnect(), nats.Timeout(2*time.Second)); err == nil {
			nc.Close()
			t.Fatal("a client with a key not pinned connected")
		}
	})

	s, path, lines := confServer(t, "debug: true\n"+conf(good))
	if nc, err := nats.Connect(tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(bad.cert, bad.key), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("a client with a key not pinned connected")
	}
	lines.wait(t, 0, "Failed pinned cert test for key id: "+strings.ToLower(pin(bad)))
	lines.wait(t, 0, "[ERR] 127.0.0.1:")
	lines.wait(t, 0, "TLS handshake error: certificate not pinned")

	closed := make(chan struct{})
	nc := mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(good.cert, good.key),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	echo(t, nc)
	m := lines.mark()
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:-1\ndebug: true\n"+conf(bad)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	lines.wait(t, m, "[INF] Reloaded: 1 pinned_certs")
	lines.wait(t, m, "[INF] Disconnect 1 clients due to pinned certs reload")
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the client no longer pinned stays connected")
	}
	echo(t, mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(bad.cert, bad.key)))
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

// A reload re-maps connected clients: one whose certificate no longer
// names a user gets 'Authorization Violation' and is closed.
func TestTLSVerifyAndMapReload(t *testing.T) {
	p := newMapPKI(t)
	tlsBlock := "tls { cert_file: \"" + p.cert + "\", key_file: \"" + p.key + "\", ca_file: \"" + p.ca + "\", verify_and_map: true }\n"
	s, path, _ := confServer(t, tlsBlock+"authorization { users: [ {user: \"CN=dave,O=Acme\"}, {user: \"alice@example.com\"} ] }\n")
	errs := make(chan error, 4)
	dave, alice := p.clients["dn"], p.clients["email"]
	ncDave := mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(dave.cert, dave.key),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	ncAlice := mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(alice.cert, alice.key))
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:-1\n"+tlsBlock+"authorization { users: [ {user: \"alice@example.com\"} ] }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Fatalf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the client whose user is gone was not refused")
	}
	waitFor(t, 5*time.Second, func() error {
		if !ncDave.IsClosed() {
			return errors.New("still connected")
		}
		return nil
	})
	echo(t, ncAlice)
}
