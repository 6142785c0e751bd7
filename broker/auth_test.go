package broker_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"

	"github.com/natsvisor/natsvisor/broker"
)

// confServer starts a broker from config text (with listen 127.0.0.1:-1
// added), logging into lines; it returns the server and the file's path.
func confServer(t *testing.T, text string) (*broker.Server, string, *logLines) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:-1\n"+text), 0o600); err != nil {
		t.Fatal(err)
	}
	o := broker.NewOptions()
	if _, err := o.ProcessConfigFile(path); err != nil && !broker.IsWarningsOnly(err) {
		t.Fatalf("config: %v", err)
	}
	s, err := broker.New(o)
	if err != nil {
		t.Fatalf("broker.New: %v", err)
	}
	lines := &logLines{}
	s.SetLogger(lines)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s, path, lines
}

func mustConnect(t *testing.T, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, append(opts, nats.NoReconnect())...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func refused(t *testing.T, url string, opts ...nats.Option) {
	t.Helper()
	nc, err := nats.Connect(url, append(opts, nats.NoReconnect())...)
	if err == nil {
		nc.Close()
		t.Fatal("connected; want an authorization error")
	}
	if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(err.Error(), "authorization violation") {
		t.Fatalf("error %v, want authorization violation", err)
	}
}

func TestAuthNatsGoUserPass(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw2"), 4)
	s, _, _ := confServer(t, `authorization { users: [ {user: a, password: pw1}, {user: b, password: "`+string(hash)+`"} ] }`)
	mustConnect(t, s.ClientURL(), nats.UserInfo("a", "pw1"))
	mustConnect(t, s.ClientURL(), nats.UserInfo("b", "pw2"))
	refused(t, s.ClientURL(), nats.UserInfo("b", string(hash))) // the hash itself is no password
	refused(t, s.ClientURL(), nats.UserInfo("a", "pw2"))
	refused(t, s.ClientURL())
}

func TestAuthNatsGoToken(t *testing.T) {
	s, _, _ := confServer(t, `authorization { token: s3cr3t }`)
	mustConnect(t, s.ClientURL(), nats.Token("s3cr3t"))
	refused(t, s.ClientURL(), nats.Token("nope"))
}

func TestAuthFlagsUserPassToken(t *testing.T) {
	o, err := broker.ParseArgs([]string{"-a", "127.0.0.1", "-p", "-1", "--user", "u", "--pass", "p"})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, o)
	mustConnect(t, s.ClientURL(), nats.UserInfo("u", "p"))
	refused(t, s.ClientURL(), nats.UserInfo("u", "x"))

	o, err = broker.ParseArgs([]string{"-a", "127.0.0.1", "-p", "-1", "--auth", "tok"})
	if err != nil {
		t.Fatal(err)
	}
	s = startServer(t, o)
	mustConnect(t, s.ClientURL(), nats.Token("tok"))
	refused(t, s.ClientURL(), nats.Token("x"))
}

func TestAuthNatsGoNkey(t *testing.T) {
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	other, _ := nkeys.CreateUser()
	s, _, _ := confServer(t, `authorization { users: [ {nkey: `+pub+`, permissions: { publish: "ok.>" } } ] }`)
	nc := mustConnect(t, s.ClientURL(), nats.Nkey(pub, kp.Sign))
	if err := nc.Publish("ok.1", nil); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// Signing with another key fails.
	refused(t, s.ClientURL(), nats.Nkey(pub, other.Sign))
	_ = seed
}

func TestAuthRejectsBadCombinations(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{`authorization { user: a, password: b, token: c }`, "Cannot have a user/pass and token"},
		{`authorization { user: a, password: b, users: [ {user: x, password: y} ] }`, "Can not have a single user/pass and a users array"},
		{`authorization { token: c, users: [ {user: x, password: y} ] }`, "Can not have a token and a users array"},
		{`authorization { users: [ {user: x, password: y}, {user: x, password: z} ] }`, `Duplicate user "x" detected`},
		{`authorization { users: [ {nkey: UNOTAKEY} ] }`, "Not a valid public nkey for a user"},
		{`authorization { users: [ {password: y} ] }`, "User entry requires a user"},
	} {
		path := filepath.Join(t.TempDir(), "n.conf")
		_ = os.WriteFile(path, []byte(tc.conf), 0o600)
		_, err := broker.NewOptions().ProcessConfigFile(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.conf, err, tc.want)
		}
	}
	o := broker.NewOptions()
	o.NoAuthUser = "ghost"
	o.Users = []*broker.User{{Username: "a", Password: "b"}}
	if _, err := broker.New(o); err == nil || !strings.Contains(err.Error(), `no_auth_user: "ghost" not present as user or nkey`) {
		t.Errorf("no_auth_user: %v", err)
	}
	o = broker.NewOptions()
	o.NoAuthUser = "ghost"
	if _, err := broker.New(o); err == nil || err.Error() != `no_auth_user: "ghost" present, but users/nkeys are not defined` {
		t.Errorf("no_auth_user without users: %v", err)
	}
}

func TestAuthSecretsNotLogged(t *testing.T) {
	s, path, lines := confServer(t, "debug: true\ntrace: true\nauthorization { users: [ {user: a, password: hunter2} ] }\n")
	mustConnect(t, s.ClientURL(), nats.UserInfo("a", "hunter2"))
	refused(t, s.ClientURL(), nats.UserInfo("a", "wrongpass"))
	_ = os.WriteFile(path, []byte("listen: 127.0.0.1:-1\ndebug: true\ntrace: true\nauthorization { users: [ {user: a, password: newsecret} ] }\n"), 0o600)
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	all := lines.since(0)
	for _, secret := range []string{"hunter2", "wrongpass", "newsecret"} {
		if strings.Contains(all, secret) {
			t.Errorf("log shows %q:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "Reloaded: authorization users") {
		t.Errorf("no reload line:\n%s", all)
	}
}

func TestAuthReload(t *testing.T) {
	s, path, lines := confServer(t, `authorization { users: [ {user: a, password: pa}, {user: b, password: pb, permissions: { subscribe: ">" } } ] }`)
	var errs = make(chan error, 10)
	closedA := make(chan struct{})
	_ = mustConnect(t, s.ClientURL(), nats.UserInfo("a", "pa"), nats.ClosedHandler(func(*nats.Conn) { close(closedA) }))
	b := mustConnect(t, s.ClientURL(), nats.UserInfo("b", "pb"), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	keep, _ := b.SubscribeSync("keep.>")
	lose, _ := b.SubscribeSync("lose.x")
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	raw := rawConnect(t, s, `{"verbose":false,"pedantic":false,"user":"a","pass":"pa"}`)
	m := lines.mark()
	// a's password changes; b may no longer subscribe to lose.>.
	conf := "listen: 127.0.0.1:-1\nauthorization { users: [ {user: a, password: changed}, {user: b, password: pb, permissions: { subscribe: { allow: \">\", deny: \"lose.>\" } } } ] }\n"
	reloadClosing(t, s, path, conf, closedA, raw)
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), `Permissions Violation for Subscription to "lose.x" (sid "2")`) {
			t.Errorf("b's error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b got no -ERR for its pruned subscription")
	}
	lines.wait(t, m, `Removed sub "lose.x" (sid "2") for User "b" - not authorized`)
	p := mustConnect(t, s.ClientURL(), nats.UserInfo("a", "changed"))
	_ = p.Publish("keep.1", nil)
	_ = p.Publish("lose.x", nil)
	_ = p.Flush()
	if _, err := keep.NextMsg(2 * time.Second); err != nil {
		t.Fatalf("kept subscription: %v", err)
	}
	if _, err := lose.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatal("pruned subscription still receives")
	}
	refused(t, s.ClientURL(), nats.UserInfo("a", "pa"))
}

// reloadClosing writes conf to path and reloads s; the nats.go client
// whose ClosedHandler closes closed, and the raw client raw, must then be
// cut off with 'Authorization Violation'.
func reloadClosing(t *testing.T, s *broker.Server, path, conf string, closed <-chan struct{}, raw net.Conn) {
	t.Helper()
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the client was not closed")
	}
	if got := readAll(t, raw); got != "-ERR 'Authorization Violation'\r\n" {
		t.Errorf("raw client after reload: %q", got)
	}
}

func TestAuthReloadNoAuthUserRefused(t *testing.T) {
	s, path, _ := confServer(t, "authorization { users: [ {user: a, password: b} ] }\nno_auth_user: a\n")
	_ = os.WriteFile(path, []byte("listen: 127.0.0.1:-1\nauthorization { users: [ {user: a, password: b}, {user: c, password: d} ] }\nno_auth_user: c\n"), 0o600)
	err := s.Reload()
	if err == nil || err.Error() != "config reload not supported for NoAuthUser: old=a, new=c" {
		t.Fatalf("reload: %v", err)
	}
}

func TestAuthTimeoutNatsGo(t *testing.T) {
	// A client that never sends CONNECT is cut off after the timeout.
	s, _, _ := confServer(t, "authorization { token: t, timeout: 0.2 }\n")
	nc := mustConnect(t, s.ClientURL(), nats.Token("t"))
	time.Sleep(400 * time.Millisecond) // the timer is stopped by CONNECT
	if !nc.IsConnected() {
		t.Fatal("an authenticated client was timed out")
	}
}

// rawConnect dials s, reads INFO, sends CONNECT json and checks with PING.
func rawConnect(t *testing.T, s *broker.Server, json string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("CONNECT " + json + "\r\nPING\r\n"))
	if l, err := r.ReadString('\n'); err != nil || l != "PONG\r\n" {
		t.Fatalf("after CONNECT: %q %v", l, err)
	}
	return c
}

// readAll reads until the server closes c (or 5s pass).
func readAll(t *testing.T, c net.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("read: %v", err)
	}
	return string(b)
}
