package broker_test

import (
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// TestAuthConnectionTypes: a user or nkey whose allowed_connection_types
// leave STANDARD out cannot log in as a client, on our broker as on
// nats-server, and no_auth_user cannot make one of them either.
func TestAuthConnectionTypes(t *testing.T) {
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	wsKey, _ := nkeys.CreateUser()
	wsPub, _ := wsKey.PublicKey()
	conf := `authorization { users: [
  {user: std, password: p, allowed_connection_types: ["standard", "WEBSOCKET"]}
  {user: any, password: p}
  {user: ws, password: p, connection_types: WEBSOCKET}
  {user: none, password: p, clients: []}
  {nkey: ` + pub + `, allowed_connection_types: [STANDARD]}
  {nkey: ` + wsPub + `, allowed_connection_types: [MQTT, LEAFNODE]}
] }
no_auth_user: ws
`
	bothServers(t, conf, func(t *testing.T, addr string) {
		url := "nats://" + addr
		for _, ok := range []string{"std", "any", "none"} {
			mustConnect(t, url, nats.UserInfo(ok, "p")).Close()
		}
		mustConnect(t, url, nats.Nkey(pub, kp.Sign)).Close()
		refused(t, url, nats.UserInfo("ws", "p"))
		refused(t, url, nats.Nkey(wsPub, wsKey.Sign))
		refused(t, url) // no_auth_user names a WEBSOCKET-only user
	})
}

// TestAuthConnectionTypesReload: a reload that takes STANDARD away from a
// user closes that user's connections with 'Authorization Violation'.
func TestAuthConnectionTypesReload(t *testing.T) {
	s, path, _ := confServer(t, "authorization { users: [ {user: a, password: p}, {user: b, password: p} ] }\n")
	closedA := make(chan struct{})
	mustConnect(t, s.ClientURL(), nats.UserInfo("a", "p"), nats.ClosedHandler(func(*nats.Conn) { close(closedA) }))
	b := mustConnect(t, s.ClientURL(), nats.UserInfo("b", "p"))
	raw := rawConnect(t, s, `{"verbose":false,"pedantic":false,"user":"a","pass":"p"}`)
	next := "listen: 127.0.0.1:-1\nauthorization { users: [ {user: a, password: p, allowed_connection_types: [websocket]}, {user: b, password: p, allowed_connection_types: [standard]} ] }\n"
	reloadClosing(t, s, path, next, closedA, raw)
	if err := b.Flush(); err != nil {
		t.Errorf("b, still allowed: %v", err)
	}
	refused(t, s.ClientURL(), nats.UserInfo("a", "p"))
}
