package broker

import (
	"bytes"
	"net"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// The hot path's benchmarks and its allocation guard drive clients' parsers
// directly, on the calling goroutine: each client is attached to a real
// Server, but its socket is one end of a net.Pipe that nobody reads, and no
// read or write goroutine runs. What routing queues on a subscriber is
// dropped after each batch, as its writer would after a write.

const (
	// hotMsg is the benchmarks' message: a 16-byte payload on a two-token
	// subject, with no reply.
	hotMsg = "PUB foo.bar 16\r\n0123456789abcdef\r\n"
	// hotHMsg is the same payload behind a 12-byte header block.
	hotHMsg = "HPUB foo.bar 12 28\r\nNATS/1.0\r\n\r\n0123456789abcdef\r\n"
	// hotBatch is how many messages one parsed read holds.
	hotBatch = 64
)

// hotConnect is what a typical client sends first (nats.go turns verbose and
// pedantic off and headers on).
const hotConnect = `CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1}` + "\r\n"

// hotServer returns a Server that is never started. Its ping interval is
// long enough that no keepalive timer fires during a run.
func hotServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := New(&Options{
		Host:                  "127.0.0.1",
		Port:                  RandomPort,
		NoLog:                 true,
		PingInterval:          time.Hour,
		DisableShortFirstPing: true,
	})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return s
}

// hotClient attaches a client to s that has sent CONNECT and then setup
// (SUB lines, say), and discards what the server queued for it meanwhile.
func hotClient(tb testing.TB, s *Server, setup string) *client {
	tb.Helper()
	ours, theirs := net.Pipe()
	c := newClient(s, theirs, s.cids.Add(1))
	tb.Cleanup(func() {
		c.closeConnection(reasonClientClosed, false)
		_ = ours.Close()
	})
	hotParse(tb, c, []byte(hotConnect+setup))
	hotDiscard(c)
	return c
}

// hotParse parses buf as one read batch and fails unless all of it was
// consumed and the connection stayed open.
func hotParse(tb testing.TB, c *client, buf []byte) {
	used, need, err := c.parse(buf)
	c.endBatch()
	if err != nil || used != len(buf) || need != 0 {
		tb.Fatalf("parse(%q) = %d, %d, %v; want %d, 0, nil", buf, used, need, err, len(buf))
	}
}

// hotDiscard drops what is queued on c, as writeLoop does once it has
// written it: the chunks go back to their pools and the list is kept.
func hotDiscard(c *client) {
	c.mu.Lock()
	putChunks(c.out.chunks)
	c.out.chunks, c.out.size = c.out.chunks[:0], 0
	c.mu.Unlock()
}

// hotQueued returns a copy of what is queued on c.
func hotQueued(c *client) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b []byte
	for _, ch := range c.out.chunks {
		b = append(b, *ch...)
	}
	return b
}

// hotCase is one routing shape of the hot path.
type hotCase struct {
	name string
	msg  string   // one message as the publisher sends it
	subs []string // each subscriber connection's SUB lines
	want string   // what the one subscriber that gets the message receives
}

var hotCases = []hotCase{
	{name: "1sub", msg: hotMsg, subs: []string{"SUB foo.bar 1\r\n"},
		want: "MSG foo.bar 1 16\r\n0123456789abcdef\r\n"},
	{name: "4subs", msg: hotMsg, subs: hotRepeat("SUB foo.* 1\r\n", 4)},
	{name: "queue4", msg: hotMsg, subs: hotRepeat("SUB foo.bar q 1\r\n", 4)},
	{name: "hpub1sub", msg: hotHMsg, subs: []string{"SUB foo.> 7\r\n"},
		want: "HMSG foo.bar 7 12 28\r\nNATS/1.0\r\n\r\n0123456789abcdef\r\n"},
}

func hotRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// hotRig is a publisher and its subscribers on one Server.
type hotRig struct {
	pub  *client
	subs []*client
}

func newHotRig(tb testing.TB, subs []string) *hotRig {
	tb.Helper()
	s := hotServer(tb)
	r := &hotRig{pub: hotClient(tb, s, "")}
	for _, setup := range subs {
		r.subs = append(r.subs, hotClient(tb, s, setup))
	}
	return r
}

// batch parses buf as one read of the publisher's and then drops what was
// delivered, as the subscribers' writers would.
func (r *hotRig) batch(tb testing.TB, buf []byte) {
	used, need, err := r.pub.parse(buf)
	r.pub.endBatch()
	if err != nil || used != len(buf) || need != 0 {
		tb.Fatalf("parse = %d, %d, %v; want %d, 0, nil", used, need, err, len(buf))
	}
	for _, sub := range r.subs {
		hotDiscard(sub)
	}
}

// BenchmarkParsePub parses batches of small PUBs that match no subscription:
// the parser and the subject cache alone. One op is one batch of hotBatch
// messages; ns/msg is per message.
func BenchmarkParsePub(b *testing.B) {
	benchHot(b, hotMsg, nil)
}

// BenchmarkParseDeliver parses batches of small PUBs and routes each to one
// subscriber, to four, to one member of a four-member queue group, and (an
// HPUB) to one subscriber that takes headers.
func BenchmarkParseDeliver(b *testing.B) {
	for _, hc := range hotCases {
		b.Run(hc.name, func(b *testing.B) { benchHot(b, hc.msg, hc.subs) })
	}
}

func benchHot(b *testing.B, msg string, subs []string) {
	r := newHotRig(b, subs)
	buf := []byte(strings.Repeat(msg, hotBatch))
	r.batch(b, buf) // warm the caches and size the scratch buffers
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		r.batch(b, buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*hotBatch), "ns/msg")
}

// hotRaceEnabled reports whether the test binary was built with -race. The race
// runtime makes sync.Pool drop a quarter of what it is given, so the
// outbound chunks are then reallocated.
func hotRaceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// TestHotPathAllocs guards the rule that nothing per message allocates: once
// warmed up, parsing a PUB and delivering it (to one subscriber, to several,
// to a queue group, an HPUB with headers) must allocate nothing. It first
// checks that the subscriber received exactly the expected bytes.
func TestHotPathAllocs(t *testing.T) {
	for _, hc := range append([]hotCase{{name: "nosub", msg: hotMsg}}, hotCases...) {
		t.Run(hc.name, func(t *testing.T) {
			r := newHotRig(t, hc.subs)
			msg := []byte(hc.msg)
			hotParse(t, r.pub, msg)
			var got [][]byte
			for _, sub := range r.subs {
				if q := hotQueued(sub); len(q) > 0 {
					got = append(got, q)
				}
			}
			switch {
			case len(r.subs) == 0 && len(got) != 0:
				t.Fatalf("delivered with no subscriber: %q", got)
			case len(r.subs) > 0 && strings.Contains(hc.subs[0], " q ") && len(got) != 1:
				t.Fatalf("queue group: %d members got the message, want 1", len(got))
			case len(r.subs) > 0 && !strings.Contains(hc.subs[0], " q ") && len(got) != len(r.subs):
				t.Fatalf("%d of %d subscribers got the message", len(got), len(r.subs))
			case hc.want != "" && !bytes.Equal(got[0], []byte(hc.want)):
				t.Fatalf("subscriber got %q, want %q", got[0], hc.want)
			}
			for range 10 {
				r.batch(t, msg)
			}
			allocs := testing.AllocsPerRun(1000, func() { r.batch(t, msg) })
			if hotRaceEnabled() {
				t.Skipf("%v allocs/run; not checked under the race detector, whose sync.Pool drops entries", allocs)
			}
			if allocs > 0 {
				t.Fatalf("parse and deliver of %q makes %v allocations per message; the hot path must not allocate", hc.msg, allocs)
			}
		})
	}
}
