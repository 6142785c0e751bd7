package broker_test

import (
	"bufio"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/internal/testkit"
)

// testPKI is a CA with a server certificate (for 127.0.0.1 and localhost)
// and a client certificate, all written as PEM files in a temporary dir.
type testPKI struct {
	dir                          string
	ca, cert, key, ccert, ckey   string
	otherCert, otherKey, otherCA string // signed by an unrelated CA
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	file := func(name string) string { return filepath.Join(p.dir, name) }
	ca := testkit.NewCA(t, "Test CA")
	p.ca = testkit.WriteCert(t, file("ca.pem"), ca.Cert)
	srv, srvKey := ca.Issue(t, "server")
	p.cert, p.key = testkit.WriteCert(t, file("server.pem"), srv), testkit.WriteKey(t, file("server-key.pem"), srvKey)
	cli, cliKey := ca.Issue(t, "client")
	p.ccert, p.ckey = testkit.WriteCert(t, file("client.pem"), cli), testkit.WriteKey(t, file("client-key.pem"), cliKey)
	other := testkit.NewCA(t, "Other CA")
	p.otherCA = testkit.WriteCert(t, file("other-ca.pem"), other.Cert)
	oc, ocKey := other.Issue(t, "stranger")
	p.otherCert, p.otherKey = testkit.WriteCert(t, file("other.pem"), oc), testkit.WriteKey(t, file("other-key.pem"), ocKey)
	return p
}

func tlsURL(s *broker.Server) string {
	return strings.Replace(s.ClientURL(), "nats://", "tls://", 1)
}

func TestTLSNatsGo(t *testing.T) {
	p := newPKI(t)
	s, _, _ := confServer(t, "tls { cert_file: \""+p.cert+"\", key_file: \""+p.key+"\", timeout: 1 }\n")
	nc := mustConnect(t, tlsURL(s), nats.RootCAs(p.ca))
	if !strings.Contains(nc.ConnectedUrl(), "127.0.0.1") {
		t.Fatalf("url %s", nc.ConnectedUrl())
	}
	sub, _ := nc.SubscribeSync("x")
	_ = nc.Publish("x", []byte("hi"))
	if m, err := sub.NextMsg(2 * time.Second); err != nil || string(m.Data) != "hi" {
		t.Fatalf("msg %v %v", m, err)
	}
	// INFO announces TLS; a plaintext client gets no further than INFO.
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	info, _ := r.ReadString('\n')
	if !strings.Contains(info, `"tls_required":true`) || strings.Contains(info, "tls_verify") {
		t.Fatalf("INFO %s", info)
	}
	_, _ = c.Write([]byte("CONNECT {}\r\nPING\r\n"))
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	rest, _ := r.ReadString('\n')
	if strings.Contains(rest, "PONG") {
		t.Fatalf("plaintext client served: %q", rest)
	}
}

func TestTLSVerify(t *testing.T) {
	p := newPKI(t)
	o, err := broker.ParseArgs([]string{"-a", "127.0.0.1", "-p", "-1", "--tlsverify", "--tlscert", p.cert, "--tlskey", p.key, "--tlscacert", p.ca})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, o)
	mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(p.ccert, p.ckey))
	for name, opts := range map[string][]nats.Option{
		"no client certificate":  {nats.RootCAs(p.ca)},
		"certificate of another": {nats.RootCAs(p.ca), nats.ClientCert(p.otherCert, p.otherKey)},
	} {
		if nc, err := nats.Connect(tlsURL(s), append(opts, nats.NoReconnect(), nats.Timeout(2*time.Second))...); err == nil {
			nc.Close()
			t.Errorf("%s: connected", name)
		}
	}
	c, err := tls.Dial("tcp", s.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		c.Close()
	}
	raw, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	info, _ := bufio.NewReader(raw).ReadString('\n')
	if !strings.Contains(info, `"tls_required":true,"tls_verify":true`) {
		t.Fatalf("INFO %s", info)
	}
}

func TestTLSWithAuth(t *testing.T) {
	p := newPKI(t)
	s, _, _ := confServer(t, "tls { cert_file: \""+p.cert+"\", key_file: \""+p.key+"\" }\nauthorization { user: u, password: p }\n")
	mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.UserInfo("u", "p"))
	refused(t, tlsURL(s), nats.RootCAs(p.ca), nats.UserInfo("u", "x"))
}

func TestTLSStartErrors(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls"}, "TLS Server certificate must be present and valid"},
		{[]string{"--tls", "--tlscert", p.cert}, "TLS Server private key must be present and valid"},
		{[]string{"--tls", "--tlscert", p.cert, "--tlskey", p.ca}, "error parsing X509 certificate/key pair"},
		{[]string{"--tls", "--tlscert", p.cert, "--tlskey", p.key, "--tlscacert", p.key}, "failed to parse root ca certificate"},
	} {
		o, err := broker.ParseArgs(tc.args)
		if err == nil {
			_, err = broker.New(o)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestTLSReload(t *testing.T) {
	p := newPKI(t)
	s, path, lines := confServer(t, "")
	mustConnect(t, s.ClientURL())
	m := lines.mark()
	conf := "listen: 127.0.0.1:-1\ntls { cert_file: \"" + p.cert + "\", key_file: \"" + p.key + "\", verify: true, ca_file: \"" + p.ca + "\" }\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	lines.wait(t, m, "Reloaded: tls = enabled")
	mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(p.ccert, p.ckey))
	if nc, err := nats.Connect(s.ClientURL(), nats.NoReconnect(), nats.Timeout(2*time.Second)); err == nil {
		nc.Close()
		t.Fatal("plaintext client connected after TLS was turned on")
	}
	// A TLS block that cannot load rejects the reload; TLS stays on.
	_ = os.WriteFile(path, []byte("listen: 127.0.0.1:-1\ntls { cert_file: \"/nonexistent\", key_file: \"/nonexistent\" }\n"), 0o600)
	if err := s.Reload(); err == nil {
		t.Fatal("reload with unreadable certificates accepted")
	}
	mustConnect(t, tlsURL(s), nats.RootCAs(p.ca), nats.ClientCert(p.ccert, p.ckey))
}

// Past max_connections a TLS server answers in clear, before any handshake,
// as nats-server does: INFO, then the -ERR.
func TestTLSMaxConnectionsInClear(t *testing.T) {
	p := newPKI(t)
	s, _, _ := confServer(t, "max_connections: 0\ntls { cert_file: \""+p.cert+"\", key_file: \""+p.key+"\" }\n")
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	r := bufio.NewReader(c)
	if info, _ := r.ReadString('\n'); !strings.HasPrefix(info, "INFO ") {
		t.Fatalf("INFO %q", info)
	}
	if l, _ := r.ReadString('\n'); l != "-ERR 'maximum connections exceeded'\r\n" {
		t.Fatalf("got %q", l)
	}
}

func TestEffectiveAuthTimeout(t *testing.T) {
	o := broker.NewOptions()
	if d := o.EffectiveAuthTimeout(); d != 2*time.Second {
		t.Errorf("default %v", d)
	}
	o.TLS = true
	if d := o.EffectiveAuthTimeout(); d != 3*time.Second {
		t.Errorf("with TLS %v, want the TLS timeout plus 1s", d)
	}
	o.AuthTimeout = time.Second
	if d := o.EffectiveAuthTimeout(); d != time.Second {
		t.Errorf("set %v", d)
	}
}

func TestTLSFlagFalseDropsFileTLS(t *testing.T) {
	p := newPKI(t)
	path := filepath.Join(t.TempDir(), "n.conf")
	_ = os.WriteFile(path, []byte("tls { cert_file: \""+p.cert+"\", key_file: \""+p.key+"\", verify: true }\n"), 0o600)
	o, err := broker.ParseArgs([]string{"-c", path, "-tls=false"})
	if err != nil {
		t.Fatal(err)
	}
	if o.TLS || o.TLSVerify || o.TLSCert != "" {
		t.Fatalf("TLS options kept: %+v", o.TLSOptions)
	}
}
