package broker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Bits of FuzzParser's mode argument.
const (
	// fuzzPipe feeds the input through net.Pipe and createClient instead of
	// a TCP connection; each write then reaches the parser as its own read,
	// so splits land exactly where the input says. The pipe is closed right
	// after the input (an abrupt disconnect).
	fuzzPipe = 1 << iota
	// fuzzSubscriber first connects a second client subscribed to `>`,
	// plainly and in a queue group, so what the input publishes is routed.
	fuzzSubscriber
	// fuzzBytewise writes a short input one byte per write.
	fuzzBytewise
	// fuzzAbort closes the TCP connection after the input instead of
	// half-closing it and reading until the server closes.
	fuzzAbort
	// fuzzPlainSub makes the subscriber connect without headers, so HPUB
	// reaches it as MSG with the header block stripped.
	fuzzPlainSub
)

const (
	// fuzzTimeout bounds every wait on the server: a write, the close after
	// EOF, the clean-up after the connections end. Past it the input hung
	// the server or leaked.
	fuzzTimeout = 5 * time.Second
	// fuzzMaxBytewise is the longest input written one byte at a time.
	fuzzMaxBytewise = 256
	// fuzzMaxReplayBytewise is the longest input replayed one byte per read.
	fuzzMaxReplayBytewise = 1024
	// fuzzMaxKept bounds the server output kept for the framing check.
	fuzzMaxKept = 1 << 20
	// fuzzLabelKey labels every goroutine of the fuzzed server (pprof labels
	// are inherited by the goroutines a goroutine starts), so the goroutines
	// of its connections can be counted.
	fuzzLabelKey = "natsvisor_fuzz"
)

var fuzzLabels = pprof.Labels(fuzzLabelKey, "FuzzParser")

// FuzzParser feeds arbitrary bytes to a real Server as one client's
// connection, optionally while a second client subscribed to `>` receives
// what it publishes, and checks that the server neither panics nor hangs,
// that the connections' goroutines end, that no client or subscription is
// left behind, and that everything the server wrote is well framed.
//
// data is what the client sends; split, when inside data, cuts it into two
// writes; mode holds the fuzz* bits. One Server serves every input of a
// fuzzing process; it is started on first use.
func FuzzParser(f *testing.F) {
	h := &fuzzHarness{}
	f.Cleanup(h.shutdown)
	f.Fuzz(func(t *testing.T, data []byte, split uint16, mode uint8) {
		h.run(t, data, int(split), mode)
	})
}

// fuzzHarness owns the Server one fuzzing process feeds.
type fuzzHarness struct {
	once sync.Once
	srv  *Server
	err  error
}

// fuzzOptions are the fuzzed Servers' options: small limits, so inputs reach
// the max_payload, max_control_line and max_pending paths.
func fuzzOptions() *Options {
	return &Options{
		Host:           "127.0.0.1",
		Port:           RandomPort,
		NoLog:          true,
		MaxPayload:     1024,
		MaxControlLine: 256,
		MaxPending:     64 << 10,
		WriteDeadline:  2 * time.Second,
	}
}

// server starts the Server on first use, with a short ping interval so the
// keepalive timer runs against the parser. It is started under fuzzLabels so
// its accept loop, and every connection goroutine that loop starts, carry
// them.
func (h *fuzzHarness) server(t *testing.T) *Server {
	t.Helper()
	h.once.Do(func() {
		o := fuzzOptions()
		o.PingInterval = 100 * time.Millisecond
		s, err := New(o)
		if err != nil {
			h.err = err
			return
		}
		pprof.Do(context.Background(), fuzzLabels, func(context.Context) { h.err = s.Start() })
		h.srv = s
	})
	if h.err != nil {
		t.Fatalf("starting the fuzzed server: %v", h.err)
	}
	return h.srv
}

func (h *fuzzHarness) shutdown() {
	if h.srv != nil {
		h.srv.Shutdown()
	}
}

// run feeds one input and checks the server is back to its idle state.
func (h *fuzzHarness) run(t *testing.T, data []byte, split int, mode uint8) {
	s := h.server(t)
	input := func() string { return fmt.Sprintf("input %q split %d mode %#x", data, split, mode) }

	var sub *fuzzConn
	if mode&fuzzSubscriber != 0 {
		sub = h.subscribe(t, s, mode&fuzzPlainSub == 0)
	}

	var c *fuzzConn
	if mode&fuzzPipe != 0 {
		c = fuzzPipeClient(t, s)
	} else {
		nc, err := net.DialTimeout("tcp", s.Addr().String(), fuzzTimeout)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		c = newFuzzConn(t, nc)
	}
	if err := fuzzWrite(c.nc, data, split, mode&fuzzBytewise != 0); err != nil {
		t.Fatalf("the server stopped reading: %v\n%s\n%s", err, input(), fuzzGoroutines())
	}
	tc, isTCP := c.nc.(*net.TCPConn)
	if isTCP && mode&fuzzAbort == 0 {
		// Half-close: the server reads EOF after the whole input and must
		// close the connection.
		_ = tc.CloseWrite()
		select {
		case <-c.done:
		case <-time.After(fuzzTimeout):
			t.Fatalf("the server did not close the connection within %v of EOF\n%s\n%s", fuzzTimeout, input(), fuzzGoroutines())
		}
	}
	_ = c.nc.Close()
	<-c.done
	if sub != nil {
		_ = sub.nc.Close()
		<-sub.done
	}

	h.checkIdle(t, s, input)
	if _, err := fuzzCheckStream(c.out); err != nil {
		t.Fatalf("publisher's stream: %v\n%s\noutput %q", err, input(), c.out)
	}
	if sub != nil {
		if _, err := fuzzCheckStream(sub.out); err != nil {
			t.Fatalf("subscriber's stream: %v\n%s\noutput %q", err, input(), sub.out)
		}
	}
}

// FuzzReadBoundaries checks that where a client's reads end changes nothing
// the server answers: it runs data through a client's read loop on the
// test's goroutine whole, cut in two at split, and one byte per read, and
// compares what the server queued for the client each time. nats-server
// parses byte by byte, so its answers never depend on the reads either.
//
// Inputs that subscribe in a queue group are left out: the member a message
// goes to is chosen at random, and with auto-unsubscribe that changes what
// follows. A sid differs only by that choice, so sids are not compared.
func FuzzReadBoundaries(f *testing.F) {
	r := &fuzzReplayer{}
	f.Cleanup(r.shutdown)
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		r.check(t, data, int(split))
	})
}

// fuzzReplayCID is the client id of every replay, so the INFO a replay gets
// after its first PING is the same each time.
const fuzzReplayCID = 1 << 62

// fuzzReplayer owns the Server the replays' clients are attached to. It is
// never started, and it sends no keepalive PING, so what it answers depends
// on the input alone.
type fuzzReplayer struct {
	once sync.Once
	srv  *Server
	err  error
}

func (r *fuzzReplayer) server(t *testing.T) *Server {
	t.Helper()
	r.once.Do(func() {
		o := fuzzOptions()
		o.PingInterval, o.DisableShortFirstPing = time.Hour, true
		r.srv, r.err = New(o)
	})
	if r.err != nil {
		t.Fatalf("creating the replays' server: %v", r.err)
	}
	return r.srv
}

func (r *fuzzReplayer) shutdown() {
	if r.srv != nil {
		r.srv.Shutdown()
	}
}

// check replays data whole, cut at split and one byte per read, and fails if
// the answers differ.
func (r *fuzzReplayer) check(t *testing.T, data []byte, split int) {
	t.Helper()
	s := r.server(t)
	if fuzzQueueSub(data) {
		return
	}
	type replayRun struct {
		name   string
		chunks [][]byte
	}
	runs := []replayRun{{"whole", [][]byte{data}}}
	if split > 0 && split < len(data) {
		runs = append(runs, replayRun{fmt.Sprintf("split at %d", split), [][]byte{data[:split], data[split:]}})
	}
	if len(data) <= fuzzMaxReplayBytewise {
		bytewise := make([][]byte, len(data))
		for i := range data {
			bytewise[i] = data[i : i+1]
		}
		runs = append(runs, replayRun{"one byte per read", bytewise})
	}
	var want []byte
	for i, run := range runs {
		out := fuzzReplay(t, s, run.chunks)
		if n := s.subs.Count(); n != 0 {
			t.Fatalf("replay %s: %d subscription(s) left in the index after the connection closed\ninput %q", run.name, n, data)
		}
		norm, err := fuzzCheckStream(out)
		if err != nil {
			t.Fatalf("replay %s: %v\ninput %q\noutput %q", run.name, err, data, out)
		}
		if i == 0 {
			want = norm
		} else if !bytes.Equal(norm, want) {
			t.Fatalf("read boundaries change the answer\ninput %q\n%s: %q\n%s: %q", data, runs[0].name, want, run.name, norm)
		}
	}
}

// fuzzReplay feeds chunks, one per read, to a new client of s, runs its read
// loop until the input ends, and returns everything the server queued for
// the client (no writer drains it).
func fuzzReplay(t *testing.T, s *Server, chunks [][]byte) []byte {
	t.Helper()
	c := newClient(s, &chunkConn{chunks: slices.Clone(chunks)}, fuzzReplayCID)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.readLoop()
	}()
	select {
	case <-done:
	case <-time.After(fuzzTimeout):
		t.Fatalf("the read loop did not end within %v of the input's end\ninput %q", fuzzTimeout, bytes.Join(chunks, nil))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []byte
	for _, ch := range c.out.chunks {
		out = append(out, *ch...)
	}
	putChunks(c.out.chunks)
	c.out.chunks, c.out.size = nil, 0
	return out
}

// fuzzQueueSub reports whether data may subscribe in a queue group: whether
// a line starts with SUB (any case) and has three arguments or more.
func fuzzQueueSub(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) < 4 || !bytes.EqualFold(line[:3], []byte("SUB")) {
			continue
		}
		f := bytes.FieldsFunc(bytes.TrimSuffix(line, []byte("\r")), func(r rune) bool { return r == ' ' || r == '\t' })
		if len(f) >= 4 {
			return true
		}
	}
	return false
}

// chunkConn is a client's socket for a replay: each Read returns (at most
// the rest of) the next chunk, then io.EOF; writes are discarded.
type chunkConn struct {
	chunks [][]byte
}

func (c *chunkConn) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	return n, nil
}

func (*chunkConn) Write(p []byte) (int, error)      { return len(p), nil }
func (*chunkConn) Close() error                     { return nil }
func (*chunkConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4222} }
func (*chunkConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000} }
func (*chunkConn) SetDeadline(time.Time) error      { return nil }
func (*chunkConn) SetReadDeadline(time.Time) error  { return nil }
func (*chunkConn) SetWriteDeadline(time.Time) error { return nil }

// subscribe connects the client that receives what the input publishes and
// waits until its subscriptions are in place.
func (h *fuzzHarness) subscribe(t *testing.T, s *Server, headers bool) *fuzzConn {
	t.Helper()
	c := fuzzPipeClient(t, s)
	connect := `CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true}` + "\r\n"
	if !headers {
		connect = `CONNECT {"verbose":false,"pedantic":false,"headers":false}` + "\r\n"
	}
	if err := fuzzWrite(c.nc, []byte(connect+"SUB > 1\r\nSUB > q 2\r\nPING\r\n"), 0, false); err != nil {
		t.Fatalf("subscriber: %v", err)
	}
	select {
	case <-c.pong:
	case <-c.done:
		t.Fatalf("subscriber closed before PONG: %q", c.out)
	case <-time.After(fuzzTimeout):
		t.Fatalf("subscriber: no PONG within %v", fuzzTimeout)
	}
	return c
}

// fuzzPipeClient hands one end of a net.Pipe to the server as a new client,
// as its accept loop would, and returns the other end.
func fuzzPipeClient(t *testing.T, s *Server) *fuzzConn {
	ours, theirs := net.Pipe()
	pprof.Do(context.Background(), fuzzLabels, func(context.Context) { s.createClient(theirs) })
	return newFuzzConn(t, ours)
}

// fuzzConn is our end of a client connection; a goroutine reads everything
// the server sends until the connection ends.
type fuzzConn struct {
	nc   net.Conn
	done chan struct{} // closed when reading ends; out is then ours
	pong chan struct{} // closed when the first PONG line arrives
	out  []byte        // the first fuzzMaxKept bytes the server sent
}

// newFuzzConn starts reading nc; the connection is closed when the test
// ends, so a failed input leaves nothing open for the next one.
func newFuzzConn(t *testing.T, nc net.Conn) *fuzzConn {
	c := &fuzzConn{nc: nc, done: make(chan struct{}), pong: make(chan struct{})}
	t.Cleanup(func() { _ = nc.Close() })
	go c.read()
	return c
}

func (c *fuzzConn) read() {
	defer close(c.done)
	buf := make([]byte, 16<<10)
	pong := false
	for {
		n, err := c.nc.Read(buf)
		if len(c.out) < fuzzMaxKept {
			c.out = append(c.out, buf[:min(n, fuzzMaxKept-len(c.out))]...)
		}
		if !pong && bytes.Contains(c.out, []byte("PONG\r\n")) {
			pong = true
			close(c.pong)
		}
		if err != nil {
			return
		}
	}
}

// fuzzWrite writes data in one write, in two cut at split, or one byte per
// write. An error that only says the server closed the connection ends the
// writing quietly; a write that times out means the server stopped reading.
func fuzzWrite(nc net.Conn, data []byte, split int, bytewise bool) error {
	_ = nc.SetWriteDeadline(time.Now().Add(fuzzTimeout))
	var chunks [][]byte
	switch {
	case bytewise && len(data) <= fuzzMaxBytewise:
		for i := range data {
			chunks = append(chunks, data[i:i+1])
		}
	case split > 0 && split < len(data):
		chunks = [][]byte{data[:split], data[split:]}
	default:
		chunks = [][]byte{data}
	}
	for _, p := range chunks {
		if _, err := nc.Write(p); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return err
			}
			return nil
		}
	}
	return nil
}

// checkIdle waits, within fuzzTimeout, until the server is as it was before
// the input: no client in its map, no subscription in its index, and no
// goroutine of its own but the accept loop.
func (h *fuzzHarness) checkIdle(t *testing.T, s *Server, input func() string) {
	t.Helper()
	deadline := time.Now().Add(fuzzTimeout)
	for delay := 50 * time.Microsecond; ; delay = min(2*delay, 10*time.Millisecond) {
		problem := fuzzLeaks(s)
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %v after the connections ended\n%s\n%s", problem, fuzzTimeout, input(), fuzzGoroutines())
		}
		time.Sleep(delay)
	}
}

// fuzzLeaks describes what s still holds of closed connections, or is "".
func fuzzLeaks(s *Server) string {
	s.mu.Lock()
	clients := len(s.clients)
	s.mu.Unlock()
	if clients != 0 {
		return fmt.Sprintf("%d client(s) still in the server's map", clients)
	}
	if n := s.subs.Count(); n != 0 {
		return fmt.Sprintf("%d subscription(s) still in the index", n)
	}
	if n, _ := fuzzCountGoroutines(); n != 1 {
		return fmt.Sprintf("%d server goroutine(s) running, want only the accept loop", n)
	}
	return ""
}

// fuzzCountGoroutines counts the goroutines carrying fuzzLabels and returns their
// stacks.
func fuzzCountGoroutines() (int, string) {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
	needle := `"` + fuzzLabelKey + `":`
	n := 0
	var stacks strings.Builder
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(rec, needle) {
			continue
		}
		for _, line := range strings.Split(rec, "\n") {
			if count, _, ok := strings.Cut(line, " @ "); ok {
				k, _ := strconv.Atoi(count)
				n += k
				break
			}
		}
		stacks.WriteString(rec)
		stacks.WriteString("\n\n")
	}
	return n, stacks.String()
}

func fuzzGoroutines() string {
	n, stacks := fuzzCountGoroutines()
	return fmt.Sprintf("%d server goroutine(s):\n%s", n, stacks)
}

// fuzzCheckStream checks that out is a sequence of well-framed server
// operations: INFO, MSG, HMSG, PING, PONG, +OK and -ERR. An incomplete last
// operation is fine: the connection may have ended in the middle of a write.
// It returns out with the sid of every MSG and HMSG replaced by `*`.
func fuzzCheckStream(out []byte) ([]byte, error) {
	var norm []byte
	for len(out) > 0 {
		nl := bytes.IndexByte(out, '\n')
		if nl < 0 {
			return append(norm, out...), nil
		}
		if nl == 0 || out[nl-1] != '\r' {
			return nil, fmt.Errorf("line %q does not end in CRLF", out[:nl+1])
		}
		line := string(out[:nl-1])
		rest := out[nl+1:]
		op, args, _ := strings.Cut(line, " ")
		switch op {
		case "PING", "PONG", "+OK":
			if line != op {
				return nil, fmt.Errorf("bad %s line %q", op, line)
			}
		case "-ERR":
			if len(args) < 2 || args[0] != '\'' || args[len(args)-1] != '\'' {
				return nil, fmt.Errorf("bad -ERR line %q", line)
			}
		case "INFO":
			if !strings.HasPrefix(args, "{") || !strings.HasSuffix(args, "} ") {
				return nil, fmt.Errorf("bad INFO line %q", line)
			}
		case "MSG", "HMSG":
			// Fields are separated by single spaces; a subject or reply
			// may hold any other byte, even CR (as with nats-server).
			f := strings.Split(args, " ")
			size, err := fuzzMsgSize(op, f)
			if err != nil {
				return nil, fmt.Errorf("%v in %q", err, line)
			}
			if len(rest) < size+2 {
				return append(norm, out...), nil
			}
			if rest[size] != '\r' || rest[size+1] != '\n' {
				return nil, fmt.Errorf("%q: payload not followed by CRLF: %q", line, rest[:size+2])
			}
			f[1] = "*"
			norm = append(norm, op+" "+strings.Join(f, " ")+"\r\n"...)
			norm = append(norm, rest[:size+2]...)
			out = rest[size+2:]
			continue
		default:
			return nil, fmt.Errorf("unknown operation in %q", line)
		}
		norm = append(norm, out[:nl+1]...)
		out = rest
	}
	return norm, nil
}

// fuzzMsgSize reads the size of what follows a MSG (`subject sid [reply]
// size`) or an HMSG (`subject sid [reply] hdr_size total_size`) line, given
// its fields.
func fuzzMsgSize(op string, f []string) (int, error) {
	want := 3
	if op == "HMSG" {
		want = 4
	}
	if len(f) != want && len(f) != want+1 {
		return 0, fmt.Errorf("%s with %d fields", op, len(f))
	}
	size := parseSize([]byte(f[len(f)-1]))
	if size < 0 {
		return 0, errors.New("bad size")
	}
	if op == "HMSG" {
		if hdr := parseSize([]byte(f[len(f)-2])); hdr <= 0 || hdr > size {
			return 0, errors.New("bad header size")
		}
	}
	return size, nil
}
