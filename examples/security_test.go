package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/internal/testkit"
)

// startExample runs a broker from an example config on a free port.
func startExample(t *testing.T, path string) *broker.Server {
	t.Helper()
	opts, err := broker.ParseArgs([]string{"-c", path, "-p", "-1"})
	if err != nil {
		t.Fatal(err)
	}
	opts.NoLog = true
	s, err := broker.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	checkReference(t, path, opts)
	return s
}

// checkReference runs nats-server -t on the file when it is installed: it
// must find it valid, with our digest.
func checkReference(t *testing.T, path string, opts *broker.Options) {
	t.Helper()
	bin := os.Getenv("NATS_SERVER_BIN")
	if home, err := os.UserHomeDir(); bin == "" && err == nil {
		bin = filepath.Join(home, ".cache", "natsvisor-peers", "nats-server")
	}
	if _, err := os.Stat(bin); err != nil {
		return
	}
	out, err := exec.Command(bin, "-t", "-c", path).CombinedOutput()
	m := validLine.FindSubmatch(out)
	if err != nil || m == nil || string(m[1]) != opts.ConfigDigest() {
		t.Fatalf("nats-server -t: %v %s; our digest %s", err, out, opts.ConfigDigest())
	}
}

// asyncErrs connects and collects the -ERRs the server sends.
func asyncErrs(t *testing.T, s *broker.Server, opts ...nats.Option) (*nats.Conn, chan error) {
	t.Helper()
	errs := make(chan error, 16)
	opts = append(opts, nats.NoReconnect(), nats.Timeout(20*time.Second), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	nc, err := nats.Connect(s.ClientURL(), opts...)
	if err != nil {
		t.Error(err) // may run on another goroutine
		return nil, errs
	}
	t.Cleanup(nc.Close)
	return nc, errs
}

func wantErr(t *testing.T, errs chan error, text string) {
	t.Helper()
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), text) {
			t.Fatalf("error %q, want %q", err, text)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("no error %q", text)
	}
}

func TestSecurityAuthExample(t *testing.T) {
	t.Parallel()
	s := startExample(t, "security/auth.conf")
	// bcrypt at cost 11 is slow on purpose (more so under -race): log in
	// all at once.
	wrong := make(chan error, 1)
	go func() {
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("alice", "wrong"), nats.NoReconnect())
		if err == nil {
			nc.Close()
		}
		wrong <- err
	}()
	var conns [3]*nats.Conn
	var errs [3]chan error
	var wg sync.WaitGroup
	for i, u := range []string{"alice", "admin", "service"} {
		wg.Go(func() { conns[i], errs[i] = asyncErrs(t, s, nats.UserInfo(u, u+"-pw")) })
	}
	wg.Wait()
	if conns[0] == nil || conns[1] == nil || conns[2] == nil {
		t.FailNow()
	}
	alice, admin, service := conns[0], conns[1], conns[2]
	aliceErrs, adminErrs, serviceErrs := errs[0], errs[1], errs[2]
	if err := <-wrong; err == nil {
		t.Fatal("alice connected with a wrong password")
	}

	// Default permissions: app.> only.
	sub, _ := admin.SubscribeSync(">")
	_ = admin.Flush()
	_ = alice.Publish("app.greeting", []byte("hi"))
	if m, err := sub.NextMsg(2 * time.Second); err != nil || m.Subject != "app.greeting" {
		t.Fatalf("alice's message: %v %v", m, err)
	}
	_ = alice.Publish("ops.x", nil)
	wantErr(t, aliceErrs, `Permissions Violation for Publish to "ops.x"`)
	_ = admin.Publish("audit.x", nil)
	wantErr(t, adminErrs, `Permissions Violation for Publish to "audit.x"`)

	// The service: its queue group only, never svc.internal.>, replies only.
	if _, err := service.SubscribeSync("svc.echo"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, serviceErrs, `Permissions Violation for Subscription to "svc.echo"`)
	_, _ = service.QueueSubscribeSync("svc.internal.x", "workers")
	wantErr(t, serviceErrs, `Permissions Violation for Subscription to "svc.internal.x" using queue "workers"`)
	_, _ = service.QueueSubscribe("svc.echo", "workers", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	_ = service.Flush()
	// alice may not publish to svc.echo: only app.>.
	_ = alice.Publish("svc.echo", nil)
	wantErr(t, aliceErrs, `Permissions Violation for Publish to "svc.echo"`)
	reply, err := admin.Request("svc.echo", []byte("ping"), 2*time.Second)
	if err != nil || string(reply.Data) != "ping" {
		t.Fatalf("admin's request: %v %v", reply, err)
	}
	_ = service.Publish("app.greeting", nil)
	wantErr(t, serviceErrs, `Permissions Violation for Publish to "app.greeting"`)
}

func TestSecurityTokenExample(t *testing.T) {
	t.Parallel()
	s := startExample(t, "security/token.conf")
	nc, err := nats.Connect(s.ClientURL(), nats.Token("s3cr3t-t0ken"))
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	if _, err := nats.Connect(s.ClientURL(), nats.Token("guess"), nats.NoReconnect()); err == nil {
		t.Fatal("a wrong token connected")
	}
}

// TestSecurityTLSVerifyExample makes a CA, a server and a client
// certificate in certs/ of a temporary directory, points the example there
// and connects with and without the client certificate.
func TestSecurityTLSVerifyExample(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	if err := os.Mkdir(certs, 0o700); err != nil {
		t.Fatal(err)
	}
	ca := testkit.NewCA(t, "Example CA")
	testkit.WriteCert(t, filepath.Join(certs, "ca.pem"), ca.Cert)
	for _, name := range []string{"server", "client"} {
		c, k := ca.Issue(t, name)
		testkit.WriteCert(t, filepath.Join(certs, name+"-cert.pem"), c)
		testkit.WriteKey(t, filepath.Join(certs, name+"-key.pem"), k)
	}
	text, err := os.ReadFile("security/tls-verify.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "tls-verify.conf")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(string(text), `"certs/`, `"`+filepath.ToSlash(certs)+`/`)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startExample(t, conf)
	url := strings.Replace(s.ClientURL(), "nats://", "tls://", 1)
	nc, err := nats.Connect(url, nats.RootCAs(filepath.Join(certs, "ca.pem")),
		nats.ClientCert(filepath.Join(certs, "client-cert.pem"), filepath.Join(certs, "client-key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("demo", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	if nc, err := nats.Connect(url, nats.RootCAs(filepath.Join(certs, "ca.pem")), nats.NoReconnect(), nats.Timeout(2*time.Second)); err == nil {
		nc.Close()
		t.Fatal("connected without a client certificate")
	}
	if nc, err := nats.Connect(s.ClientURL(), nats.NoReconnect(), nats.Timeout(2*time.Second)); err == nil {
		nc.Close()
		t.Fatal("connected without TLS")
	}
}
