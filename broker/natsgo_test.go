package broker_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
)

// The nats.go tests drive the broker through the official Go client, the way
// applications use it. TestReferenceNatsGo runs the same tests against
// nats-server to keep them honest.

// natsServer is a running server under test.
type natsServer interface {
	// url is the nats:// URL clients dial.
	url() string
	// restart stops the server and starts a new one on the same port.
	restart(t *testing.T)
}

// natsGoTest is one client-level test; cfg holds the server limits it needs.
type natsGoTest struct {
	name string
	cfg  serverConfig
	run  func(t *testing.T, s natsServer)
}

var natsGoTests = []natsGoTest{
	{name: "ServerInfo", run: testNatsGoServerInfo},
	{name: "PubSub", run: testNatsGoPubSub},
	{name: "Wildcards", run: testNatsGoWildcards},
	{name: "RequestReply", run: testNatsGoRequestReply},
	{name: "QueueGroups", run: testNatsGoQueueGroups},
	{name: "Headers", run: testNatsGoHeaders},
	{name: "NoResponders", run: testNatsGoNoResponders},
	{name: "Flush", run: testNatsGoFlush},
	{name: "Drain", run: testNatsGoDrain},
	{name: "AutoUnsubscribe", run: testNatsGoAutoUnsubscribe},
	{name: "NoEcho", run: testNatsGoNoEcho},
	{name: "LargePayload", run: testNatsGoLargePayload},
	{name: "MaxPayload", cfg: serverConfig{"max_payload": "1024"}, run: testNatsGoMaxPayload},
	{name: "Reconnect", run: testNatsGoReconnect},
}

// TestNatsGo runs the nats.go client tests against the broker.
func TestNatsGo(t *testing.T) {
	for _, tc := range natsGoTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, startBrokerServer(t, tc.cfg))
		})
	}
}

// TestReferenceNatsGo runs the nats.go client tests against nats-server.
func TestReferenceNatsGo(t *testing.T) {
	bin := referenceBinary()
	if bin == "" {
		t.Skip("nats-server not found: set NATS_SERVER_BIN or run shared/tools/peers.sh")
	}
	for _, tc := range natsGoTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, startReferenceServer(t, bin, tc.cfg))
		})
	}
}

// brokerServer is a natsServer backed by our broker.
type brokerServer struct {
	opts *broker.Options
	srv  *broker.Server
}

func startBrokerServer(t *testing.T, cfg serverConfig) *brokerServer {
	t.Helper()
	o := brokerOptions(t, cfg)
	return &brokerServer{opts: o, srv: startServer(t, o)}
}

func (b *brokerServer) url() string { return b.srv.ClientURL() }

func (b *brokerServer) restart(t *testing.T) {
	t.Helper()
	port := b.srv.Addr().(*net.TCPAddr).Port
	b.srv.Shutdown()
	o := b.opts.Clone()
	o.Port = port
	b.srv = startServer(t, o)
}

// referenceServer is a natsServer backed by a nats-server process.
type referenceServer struct {
	bin  string
	cfg  serverConfig
	addr string
	stop func()
}

func startReferenceServer(t *testing.T, bin string, cfg serverConfig) *referenceServer {
	t.Helper()
	r := &referenceServer{bin: bin, cfg: cfg}
	r.addr, r.stop = runReference(t, bin, cfg, "-1")
	return r
}

func (r *referenceServer) url() string { return "nats://" + r.addr }

func (r *referenceServer) restart(t *testing.T) {
	t.Helper()
	_, port, err := net.SplitHostPort(r.addr)
	if err != nil {
		t.Fatal(err)
	}
	r.stop()
	r.addr, r.stop = runReference(t, r.bin, r.cfg, port)
}

// connect dials s with nats.go, failing the test on error, and closes the
// connection when the test ends.
func connect(t *testing.T, s natsServer, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.url(), append([]nats.Option{nats.Timeout(2 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("nats.Connect(%s): %v", s.url(), err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// nextMsg waits up to 2s for sub's next message.
func nextMsg(t *testing.T, sub *nats.Subscription) *nats.Msg {
	t.Helper()
	m, err := sub.NextMsg(2 * time.Second)
	if err != nil {
		t.Fatalf("NextMsg on %q: %v", sub.Subject, err)
	}
	return m
}

// expectNoMsg checks that sub has nothing pending after a round trip of nc,
// which by then has flushed everything published before.
func expectNoMsg(t *testing.T, nc *nats.Conn, sub *nats.Subscription) {
	t.Helper()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(50 * time.Millisecond); err == nil {
		t.Fatalf("unexpected message on %q: %q %q", sub.Subject, m.Subject, m.Data)
	}
}

func testNatsGoServerInfo(t *testing.T, s natsServer) {
	nc := connect(t, s)
	if v := nc.ConnectedServerVersion(); v != "2.15.2" {
		t.Errorf("server version %q, want 2.15.2", v)
	}
	if !nc.HeadersSupported() {
		t.Error("headers not supported")
	}
	if mp := nc.MaxPayload(); mp != 1<<20 {
		t.Errorf("max payload %d, want %d", mp, 1<<20)
	}
	if _, err := nc.RTT(); err != nil {
		t.Errorf("RTT: %v", err)
	}
}

func testNatsGoPubSub(t *testing.T, s natsServer) {
	sub := connect(t, s)
	pub := connect(t, s)
	subscription, err := sub.SubscribeSync("greet")
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := pub.Publish("greet", []byte("hello "+strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		m := nextMsg(t, subscription)
		if m.Subject != "greet" || string(m.Data) != "hello "+strconv.Itoa(i) {
			t.Fatalf("message %d: got %q %q", i, m.Subject, m.Data)
		}
	}
	// An empty payload.
	if err := pub.Publish("greet", nil); err != nil {
		t.Fatal(err)
	}
	if m := nextMsg(t, subscription); len(m.Data) != 0 {
		t.Fatalf("empty payload came as %q", m.Data)
	}
	expectNoMsg(t, pub, subscription)
}

func testNatsGoWildcards(t *testing.T, s natsServer) {
	nc := connect(t, s)
	star, _ := nc.SubscribeSync("orders.*")
	full, _ := nc.SubscribeSync("orders.>")
	mid, _ := nc.SubscribeSync("orders.*.paid")
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{"orders", "orders.1", "orders.1.paid", "orders.1.paid.late"} {
		if err := nc.Publish(subj, []byte(subj)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[*nats.Subscription][]string{
		star: {"orders.1"},
		full: {"orders.1", "orders.1.paid", "orders.1.paid.late"},
		mid:  {"orders.1.paid"},
	}
	for sub, subjects := range want {
		for _, subj := range subjects {
			if m := nextMsg(t, sub); m.Subject != subj {
				t.Errorf("%s: got %q, want %q", sub.Subject, m.Subject, subj)
			}
		}
		expectNoMsg(t, nc, sub)
	}
}

func testNatsGoRequestReply(t *testing.T, s natsServer) {
	responder := connect(t, s)
	if _, err := responder.Subscribe("svc.upper", func(m *nats.Msg) {
		_ = m.Respond(bytes.ToUpper(m.Data))
	}); err != nil {
		t.Fatal(err)
	}
	if err := responder.Flush(); err != nil {
		t.Fatal(err)
	}
	requester := connect(t, s)
	for i := range 5 {
		in := fmt.Sprintf("request %d", i)
		m, err := requester.Request("svc.upper", []byte(in), 2*time.Second)
		if err != nil {
			t.Fatalf("Request: %v", err)
		}
		if want := bytes.ToUpper([]byte(in)); !bytes.Equal(m.Data, want) {
			t.Fatalf("reply %q, want %q", m.Data, want)
		}
	}
	// The old-style request, with a fresh inbox per request.
	nc := connect(t, s, nats.UseOldRequestStyle())
	m, err := nc.Request("svc.upper", []byte("old"), 2*time.Second)
	if err != nil {
		t.Fatalf("old-style request: %v", err)
	}
	if string(m.Data) != "OLD" {
		t.Fatalf("old-style reply %q", m.Data)
	}
}

func testNatsGoQueueGroups(t *testing.T, s natsServer) {
	const members, msgs = 3, 300
	var (
		counts [members]atomic.Int64
		plain  atomic.Int64
	)
	for i := range members {
		nc := connect(t, s)
		if _, err := nc.QueueSubscribe("work", "workers", func(*nats.Msg) { counts[i].Add(1) }); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// A plain subscriber beside the group gets every message.
	observer := connect(t, s)
	if _, err := observer.Subscribe("work", func(*nats.Msg) { plain.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := observer.Flush(); err != nil {
		t.Fatal(err)
	}
	pub := connect(t, s)
	for range msgs {
		if err := pub.Publish("work", []byte("job")); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	total := func() (n int64) {
		for i := range counts {
			n += counts[i].Load()
		}
		return n
	}
	waitFor(t, 5*time.Second, func() error {
		if n, p := total(), plain.Load(); n < msgs || p < msgs {
			return fmt.Errorf("group got %d, plain sub %d, of %d", n, p, msgs)
		}
		return nil
	})
	// Let any duplicate arrive before checking the exact total.
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n, p := total(), plain.Load(); n != msgs || p != msgs {
		t.Fatalf("group got %d, plain sub %d, want %d each", n, p, msgs)
	}
	for i := range counts {
		// Uniform random choice: each member gets about 100; none gets 0
		// except with probability (2/3)^300.
		if c := counts[i].Load(); c == 0 {
			t.Errorf("member %d of %d got nothing", i, members)
		}
	}
}

func testNatsGoHeaders(t *testing.T, s natsServer) {
	nc := connect(t, s)
	sub, _ := nc.SubscribeSync("hdr")
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("hdr")
	msg.Header.Set("Content-Type", "text/plain")
	msg.Header.Add("X-Multi", "one")
	msg.Header.Add("X-Multi", "two")
	msg.Data = []byte("body")
	if err := nc.PublishMsg(msg); err != nil {
		t.Fatal(err)
	}
	m := nextMsg(t, sub)
	if string(m.Data) != "body" {
		t.Errorf("data %q", m.Data)
	}
	if got := m.Header.Get("Content-Type"); got != "text/plain" {
		t.Errorf("Content-Type %q", got)
	}
	if got := m.Header.Values("X-Multi"); len(got) != 2 || got[0] != "one" || got[1] != "two" {
		t.Errorf("X-Multi %q", got)
	}
	// Headers without a body, and a reply subject.
	msg = nats.NewMsg("hdr")
	msg.Reply = "back"
	msg.Header.Set("Only", "header")
	if err := nc.PublishMsg(msg); err != nil {
		t.Fatal(err)
	}
	m = nextMsg(t, sub)
	if m.Reply != "back" || len(m.Data) != 0 || m.Header.Get("Only") != "header" {
		t.Errorf("got reply %q data %q header %v", m.Reply, m.Data, m.Header)
	}
}

func testNatsGoNoResponders(t *testing.T, s natsServer) {
	nc := connect(t, s)
	start := time.Now()
	_, err := nc.Request("nobody.home", []byte("?"), 2*time.Second)
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("Request to no one: %v, want %v", err, nats.ErrNoResponders)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("no-responders took %v; it should not wait for the timeout", d)
	}
	// Old-style requests get it as well.
	old := connect(t, s, nats.UseOldRequestStyle())
	if _, err := old.Request("nobody.home", nil, 2*time.Second); !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("old-style Request to no one: %v", err)
	}
}

func testNatsGoFlush(t *testing.T, s natsServer) {
	nc := connect(t, s)
	var got atomic.Int64
	if _, err := nc.Subscribe("f", func(*nats.Msg) { got.Add(1) }); err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if err := nc.Publish("f", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.FlushTimeout(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, func() error {
		if n := got.Load(); n != 1000 {
			return fmt.Errorf("got %d of 1000", n)
		}
		return nil
	})
}

func testNatsGoDrain(t *testing.T, s natsServer) {
	closed := make(chan struct{})
	nc := connect(t, s, nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	var got atomic.Int64
	if _, err := nc.Subscribe("d", func(*nats.Msg) {
		time.Sleep(time.Millisecond) // a slow handler leaves messages pending
		got.Add(1)
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	pub := connect(t, s)
	for range 100 {
		if err := pub.Publish("d", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	// Wait until everything reached the subscriber, then drain.
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := nc.Drain(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("connection not closed after Drain")
	}
	if n := got.Load(); n != 100 {
		t.Fatalf("handled %d of 100 messages", n)
	}
}

func testNatsGoAutoUnsubscribe(t *testing.T, s natsServer) {
	nc := connect(t, s)
	sub, _ := nc.SubscribeSync("au")
	if err := sub.AutoUnsubscribe(3); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	pub := connect(t, s)
	for i := range 10 {
		if err := pub.Publish("au", []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if m := nextMsg(t, sub); string(m.Data) != strconv.Itoa(i) {
			t.Fatalf("message %d: %q", i, m.Data)
		}
	}
	if _, err := sub.NextMsg(100 * time.Millisecond); !errors.Is(err, nats.ErrMaxMessages) && !errors.Is(err, nats.ErrBadSubscription) {
		t.Fatalf("after the limit: %v", err)
	}
	// The server removed the interest: a new subscriber's count is exact.
	other, _ := pub.SubscribeSync("au")
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("au", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if m := nextMsg(t, other); string(m.Data) != "again" {
		t.Fatalf("got %q", m.Data)
	}
}

func testNatsGoNoEcho(t *testing.T, s natsServer) {
	quiet := connect(t, s, nats.NoEcho())
	sub, _ := quiet.SubscribeSync("echo")
	if err := quiet.Flush(); err != nil {
		t.Fatal(err)
	}
	other := connect(t, s)
	otherSub, _ := other.SubscribeSync("echo")
	if err := other.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := quiet.Publish("echo", []byte("mine")); err != nil {
		t.Fatal(err)
	}
	if err := quiet.Flush(); err != nil { // "mine" is routed before "theirs" is sent
		t.Fatal(err)
	}
	if err := other.Publish("echo", []byte("theirs")); err != nil {
		t.Fatal(err)
	}
	if m := nextMsg(t, sub); string(m.Data) != "theirs" {
		t.Fatalf("NoEcho connection got %q", m.Data)
	}
	expectNoMsg(t, quiet, sub)
	if m := nextMsg(t, otherSub); string(m.Data) != "mine" {
		t.Fatalf("other got %q first", m.Data)
	}
	if m := nextMsg(t, otherSub); string(m.Data) != "theirs" {
		t.Fatalf("other got %q second", m.Data)
	}
}

func testNatsGoLargePayload(t *testing.T, s natsServer) {
	nc := connect(t, s)
	sub, _ := nc.SubscribeSync("big")
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 1<<20) // exactly the default max_payload
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	pub := connect(t, s)
	for range 3 {
		if err := pub.Publish("big", payload); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if m := nextMsg(t, sub); !bytes.Equal(m.Data, payload) {
			t.Fatalf("1 MB payload corrupted (%d bytes back)", len(m.Data))
		}
	}
}

func testNatsGoMaxPayload(t *testing.T, s natsServer) {
	nc := connect(t, s)
	if mp := nc.MaxPayload(); mp != 1024 {
		t.Fatalf("INFO max_payload %d, want 1024", mp)
	}
	sub, _ := nc.SubscribeSync("mp")
	if err := nc.Publish("mp", make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	if m := nextMsg(t, sub); len(m.Data) != 1024 {
		t.Fatalf("got %d bytes", len(m.Data))
	}
	if err := nc.Publish("mp", make([]byte, 1025)); !errors.Is(err, nats.ErrMaxPayload) {
		t.Fatalf("Publish over the limit: %v, want %v", err, nats.ErrMaxPayload)
	}
	// With headers the whole message counts.
	msg := nats.NewMsg("mp")
	msg.Header.Set("K", "V")
	msg.Data = make([]byte, 1020)
	if err := nc.PublishMsg(msg); !errors.Is(err, nats.ErrMaxPayload) {
		t.Fatalf("PublishMsg over the limit: %v, want %v", err, nats.ErrMaxPayload)
	}
	if !nc.IsConnected() {
		t.Fatal("client-side refusal closed the connection")
	}
}

func testNatsGoReconnect(t *testing.T, s natsServer) {
	reconnected := make(chan struct{}, 1)
	disconnected := make(chan struct{}, 1)
	notify := func(ch chan struct{}) {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	nc := connect(t, s,
		nats.MaxReconnects(-1),
		nats.ReconnectWait(20*time.Millisecond),
		nats.ReconnectJitter(0, 0),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { notify(disconnected) }),
		nats.ReconnectHandler(func(*nats.Conn) { notify(reconnected) }),
	)
	sub, err := nc.SubscribeSync("after.restart")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	s.restart(t)

	for _, ev := range []struct {
		name string
		ch   chan struct{}
	}{{"disconnect", disconnected}, {"reconnect", reconnected}} {
		select {
		case <-ev.ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s after the restart", ev.name)
		}
	}
	// The client resent its subscription: a message from another client reaches it.
	pub := connect(t, s)
	waitFor(t, 2*time.Second, func() error {
		if err := pub.Publish("after.restart", []byte("back")); err != nil {
			return err
		}
		m, err := sub.NextMsg(100 * time.Millisecond)
		if err != nil {
			return err
		}
		if string(m.Data) != "back" {
			return fmt.Errorf("got %q", m.Data)
		}
		return nil
	})
}
