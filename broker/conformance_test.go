package broker_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The scripted cases in testdata/protocol pin the client protocol byte for
// byte, as nats-server v2.15.2 speaks it. TestReferenceConformance plays them
// against the real nats-server, which validates the expectations themselves;
// TestConformance plays the same cases against our broker. Run both after
// changing a script:
//
//	go test ./broker/ -run 'Conformance'
//
// The script format is described below, before parseScript.

// TestConformance runs every scripted protocol case against the broker.
func TestConformance(t *testing.T) {
	t.Parallel()
	runCases(t, brokerTarget{})
}

// TestReferenceConformance runs every scripted protocol case against
// nats-server ($NATS_SERVER_BIN, or the copy shared/tools/peers.sh installs
// in ~/.cache/natsvisor-peers).
func TestReferenceConformance(t *testing.T) {
	bin := referenceBinary()
	if bin == "" {
		t.Skip("nats-server not found: set NATS_SERVER_BIN or run shared/tools/peers.sh")
	}
	t.Parallel()
	runCases(t, referenceTarget{bin: bin})
}

// TestScriptSyntax checks the script reader on the forms it must refuse and
// the escapes it decodes, so that a typo in a case fails loudly instead of
// testing something else.
func TestScriptSyntax(t *testing.T) {
	bad := []struct{ name, text string }{
		{"step before case", "send a PING\\r\\n\n"},
		{"unknown verb", "case x\nsned a PING\n"},
		{"unknown escape", "case x\nsend a \\q\n"},
		{"short hex escape", "case x\nsend a \\x4\n"},
		{"unknown config key", "case x\nconfig max_foo 1\n"},
		{"config after a step", "case x\ndial a\nconfig max_payload 1\n"},
		{"bad regexp", "case x\nmatch a (\n"},
		{"missing conn", "case x\nclosed\n"},
		{"bad duration", "case x\nquiet a soon\n"},
		{"bad count", "case x\nsendn a many PING\n"},
		{"zero count", "case x\nexpectn a 0 PING\n"},
		{"flood without count", "case x\nflood a foo 10\n"},
	}
	for _, tc := range bad {
		if _, err := parseScript("t.txt", tc.text); err == nil {
			t.Errorf("%s: parsed without error", tc.name)
		}
	}
	cases, err := parseScript("t.txt", "case x\n  send a A\\r\\n\\x00\\\\ \\\n    B\\t\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(cases[0].steps[0].data), "A\r\n\x00\\ B\t"; got != want {
		t.Errorf("unescape: got %q, want %q", got, want)
	}
	cases, err = parseScript("t.txt", "case x\nanyorder a 1\nanyorder a 2\nanyorder b 3\nexpectn a 3 ab\n")
	if err != nil {
		t.Fatal(err)
	}
	if st := cases[0].steps; len(st) != 3 || len(st[0].set) != 2 || len(st[1].set) != 1 || string(st[2].data) != "ababab" {
		t.Errorf("anyorder grouping or expectn: got %+v", st)
	}
}

// ---------------------------------------------------------------------------
// Scripted protocol cases.
//
// A script file (testdata/protocol/*.txt) holds cases run over raw TCP against
// a fresh server each. Blank lines and lines starting with '#' are ignored. A
// line ending in an odd number of backslashes continues on the next line,
// whose leading blanks are dropped. Steps:
//
//	case <name>                 start a case
//	nobytewise                  do not rerun this case with byte-at-a-time writes
//	strictpings                 do not skip server PINGs (see below)
//	config <key> <value>        a server limit, before the first dial (see serverConfig);
//	                            `config conf <text>` adds raw config text (authorization {…})
//	timeout <duration>          read deadline of the following steps (default 5s)
//	dial <conn>                 connect and read the INFO line (any INFO {json} \r\n)
//	dialraw <conn>              connect and read nothing
//	connect <conn> [json]       dial, then send CONNECT with json, by default
//	                            {"verbose":false,"pedantic":false} as real clients do
//	send <conn> <bytes>         one write (byte-at-a-time in bytewise mode)
//	trickle <conn> <bytes>      one write per byte, always
//	sendn <conn> <n> <bytes>    one write of the bytes repeated n times (never trickled)
//	expect <conn> <bytes>       exactly these bytes come next
//	expectn <conn> <n> <bytes>  exactly these bytes repeated n times come next
//	anyorder <conn> <bytes>     consecutive anyorder lines of one conn: these byte
//	                            strings come next, each once, in any order
//	either <c1,c2,...> <bytes>  exactly one of the connections gets these bytes,
//	                            the others nothing (each is then synced with PING)
//	match <conn> <regexp>       the next line, "\n" included, matches the whole regexp
//	closed <conn>               the server closes the connection next, sending nothing more
//	drain <conn>                read until the server closes; no "-ERR" may appear
//	open <conn>                 send PING, expect PONG: the connection is alive and in
//	                            sync (server PINGs before the PONG are skipped)
//	quiet <conn> <duration>     nothing arrives for that long
//	flood <conn> <subj> <size> <count>   publish count payloads of size bytes in large writes
//	payload <conn> <size>       expect size bytes of "x" and \r\n (a flood's payload)
//	close <conn>                the client closes the connection
//	sleep <duration>            wait (only where a timer must expire on the server)
//
// <bytes> is the rest of the line after one space, with the escapes \r \n \t
// \\ and \xHH. A <regexp> is Go syntax and is not unescaped.
//
// A server PING arriving where a step expects something else is skipped,
// without an answer, so that a case slowed down by a busy machine is not upset
// by the RTT PING the server sends about 2s after CONNECT. Cases about PINGs
// say strictpings.
//
// After the last step, every connection still open is pinged and must answer
// with PONG alone: every byte the server sends is expected by some step.
// ---------------------------------------------------------------------------

// protoCase is one scripted case.
type protoCase struct {
	name       string
	file       string
	line       int
	noBytewise bool
	strictPing bool
	config     serverConfig
	steps      []step
}

// step is one line of a case.
type step struct {
	line  int
	verb  string
	conn  string
	data  []byte         // send, trickle, expect
	set   [][]byte       // anyorder
	re    *regexp.Regexp // match
	dur   time.Duration  // quiet, timeout, sleep
	subj  string         // flood
	size  int            // flood, payload
	count int            // flood
}

// parseScripts reads every testdata/protocol/*.txt file.
func parseScripts(t *testing.T) []*protoCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "protocol", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/protocol: %v", err)
	}
	var all []*protoCase
	names := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases, err := parseScript(filepath.Base(f), string(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if prev, dup := names[c.name]; dup {
				t.Fatalf("%s:%d: case %q already defined in %s", c.file, c.line, c.name, prev)
			}
			names[c.name] = c.file
		}
		all = append(all, cases...)
	}
	return all
}

// parseScript parses one script file's text.
func parseScript(file, text string) ([]*protoCase, error) {
	var (
		cases []*protoCase
		cur   *protoCase
		lines = strings.Split(text, "\n")
	)
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimRight(lines[i], "\r")
		for endsInEscape(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimLeft(strings.TrimRight(lines[i], "\r"), " \t")
		}
		line = strings.TrimLeft(line, " \t")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		errf := func(err error) error { return fmt.Errorf("%s:%d: %w", file, lineNo, err) }
		verb, rest, _ := strings.Cut(line, " ")
		switch {
		case verb == "case":
			if rest == "" {
				return nil, errf(errors.New("case needs a name"))
			}
			cur = &protoCase{name: rest, file: file, line: lineNo, config: serverConfig{}}
			cases = append(cases, cur)
			continue
		case cur == nil:
			return nil, errf(fmt.Errorf("%q before the first case", verb))
		case verb == "nobytewise":
			cur.noBytewise = true
			continue
		case verb == "strictpings":
			cur.strictPing = true
			continue
		case verb == "config":
			if err := cur.setConfig(rest); err != nil {
				return nil, errf(err)
			}
			continue
		}
		st, err := parseStep(verb, rest)
		if err != nil {
			return nil, errf(err)
		}
		st.line = lineNo
		// Consecutive anyorder lines of one connection make one set.
		if n := len(cur.steps); verb == "anyorder" && n > 0 && cur.steps[n-1].verb == verb && cur.steps[n-1].conn == st.conn {
			cur.steps[n-1].set = append(cur.steps[n-1].set, st.set...)
			continue
		}
		cur.steps = append(cur.steps, st)
	}
	return cases, nil
}

// setConfig handles "config <key> <value>".
func (c *protoCase) setConfig(rest string) error {
	args := strings.Fields(rest)
	if len(args) > 2 && args[0] == "conf" { // raw config text, spaces and all
		args = []string{"conf", strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "conf"))}
	}
	if len(args) != 2 {
		return errors.New("config <key> <value>")
	}
	render, ok := configKeys[args[0]]
	if !ok {
		return fmt.Errorf("unknown config key %q", args[0])
	}
	if _, err := render(args[1]); err != nil {
		return fmt.Errorf("config %s: %v", args[0], err)
	}
	if len(c.steps) > 0 {
		return errors.New("config after the first step")
	}
	c.config[args[0]] = args[1]
	return nil
}

// parseStep parses a step line's verb and the rest of the line.
func parseStep(verb, rest string) (step, error) {
	st := step{verb: verb}
	args := strings.Fields(rest)
	usage := func(u string) (step, error) { return st, fmt.Errorf("usage: %s %s", verb, u) }
	var err error
	switch verb {
	case "timeout", "sleep":
		if len(args) != 1 {
			return usage("<duration>")
		}
		st.dur, err = time.ParseDuration(args[0])
	case "dial", "dialraw", "closed", "drain", "open", "close":
		if len(args) != 1 {
			return usage("<conn>")
		}
		st.conn = args[0]
	case "quiet":
		if len(args) != 2 {
			return usage("<conn> <duration>")
		}
		st.conn = args[0]
		st.dur, err = time.ParseDuration(args[1])
	case "connect":
		conn, arg, _ := strings.Cut(rest, " ")
		if conn == "" {
			return usage("<conn> [json]")
		}
		if arg == "" {
			arg = `{"verbose":false,"pedantic":false}`
		}
		st.conn, st.data = conn, []byte("CONNECT "+arg+"\r\n")
	case "match":
		conn, arg, ok := strings.Cut(rest, " ")
		if !ok || conn == "" || arg == "" {
			return usage("<conn> <regexp>")
		}
		st.conn = conn
		st.re, err = regexp.Compile(`^(?:` + arg + `)$`)
	case "send", "trickle", "expect", "anyorder", "either":
		conn, arg, ok := strings.Cut(rest, " ")
		if !ok || conn == "" || arg == "" {
			return usage("<conn> <bytes>")
		}
		st.conn = conn
		st.data, err = unescape(arg)
		if verb == "anyorder" {
			st.set, st.data = [][]byte{st.data}, nil
		}
	case "sendn", "expectn":
		conn, rest, _ := strings.Cut(rest, " ")
		count, arg, ok := strings.Cut(rest, " ")
		if !ok || conn == "" || arg == "" {
			return usage("<conn> <n> <bytes>")
		}
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return st, fmt.Errorf("bad count %q", count)
		}
		b, err := unescape(arg)
		st.conn, st.data = conn, bytes.Repeat(b, n)
		return st, err
	case "payload":
		if len(args) != 2 {
			return usage("<conn> <size>")
		}
		st.conn = args[0]
		st.size, err = strconv.Atoi(args[1])
	case "flood":
		if len(args) != 4 {
			return usage("<conn> <subject> <size> <count>")
		}
		var err1, err2 error
		st.conn, st.subj = args[0], args[1]
		st.size, err1 = strconv.Atoi(args[2])
		st.count, err2 = strconv.Atoi(args[3])
		err = errors.Join(err1, err2)
	default:
		return st, fmt.Errorf("unknown step %q", verb)
	}
	return st, err
}

// endsInEscape reports whether s ends in an odd number of backslashes, which
// continues a line.
func endsInEscape(s string) bool {
	n := len(s) - len(strings.TrimRight(s, `\`))
	return n%2 == 1
}

// unescape decodes \r \n \t \\ and \xHH; any other escape is an error.
func unescape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("trailing backslash")
		}
		i++
		switch s[i] {
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New(`short \x escape`)
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf(`bad \x escape: %v`, err)
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf(`unknown escape \%c`, s[i])
		}
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Running a case.
// ---------------------------------------------------------------------------

// defaultReadTimeout bounds each read. It only delays failures, so it is
// generous for busy machines.
const defaultReadTimeout = 5 * time.Second

// dialTimeout bounds connecting to the server.
const dialTimeout = 5 * time.Second

// wire is one client connection of a case.
type wire struct {
	name string
	conn net.Conn
	r    *bufio.Reader
	done bool // closed by either side: no leftover check
}

// runner executes one case's steps against one server.
type runner struct {
	t        *testing.T
	c        *protoCase
	addr     string
	bytewise bool
	timeout  time.Duration
	wires    map[string]*wire
}

// caseWorkers is how many cases run at once. Cases mostly wait on the network
// and on server timers, so this does not follow -parallel.
const caseWorkers = 8

// runCases runs every scripted case against tgt in its own subtest, once
// with writes as scripted and once byte-at-a-time.
func runCases(t *testing.T, tgt target) {
	cases := parseScripts(t)
	next := make(chan *protoCase)
	var wg sync.WaitGroup
	for range caseWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				t.Run(strings.TrimSuffix(c.file, ".txt")+"/"+c.name, func(t *testing.T) {
					runCase(t, tgt, c, false)
					if !c.noBytewise {
						t.Run("bytewise", func(t *testing.T) { runCase(t, tgt, c, true) })
					}
				})
			}
		}()
	}
	for _, c := range cases {
		next <- c
	}
	close(next)
	wg.Wait()
}

// runCase starts a server for c and plays its steps.
func runCase(t *testing.T, tgt target, c *protoCase, bytewise bool) {
	t.Helper()
	r := &runner{t: t, c: c, bytewise: bytewise, timeout: defaultReadTimeout, wires: map[string]*wire{}}
	r.addr = tgt.start(t, c.config)
	for _, st := range c.steps {
		r.do(st)
	}
	r.checkLeftovers()
}

// checkLeftovers fails the case if a connection still open got bytes no step
// read: each is pinged and must answer with nothing but PONG.
func (r *runner) checkLeftovers() {
	r.t.Helper()
	names := make([]string, 0, len(r.wires))
	for name, w := range r.wires {
		if !w.done {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		r.open(step{line: r.c.line, verb: "end of case, open", conn: name}, r.wires[name])
	}
}

// fail reports a step's failure with its script position and stops the case.
func (r *runner) fail(st step, format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf("%s:%d: %s %s: %s", r.c.file, st.line, st.verb, st.conn, fmt.Sprintf(format, args...))
}

// wire returns the named connection, failing if it was never dialed.
func (r *runner) wire(st step) *wire {
	w, ok := r.wires[st.conn]
	if !ok {
		r.fail(st, "connection %q not dialed", st.conn)
	}
	return w
}

func (r *runner) do(st step) {
	r.t.Helper()
	switch st.verb {
	case "timeout":
		r.timeout = st.dur
	case "sleep":
		time.Sleep(st.dur)
	case "dial", "dialraw":
		r.dial(st)
	case "connect":
		r.dial(st)
		r.write(r.wire(st), st.data, r.bytewise)
	case "send":
		r.write(r.wire(st), st.data, r.bytewise)
	case "trickle":
		r.write(r.wire(st), st.data, true)
	case "sendn":
		r.write(r.wire(st), st.data, false)
	case "expect", "expectn":
		r.expect(st, r.wire(st), st.data)
	case "anyorder":
		r.anyOrder(st, r.wire(st))
	case "either":
		r.either(st)
	case "match":
		w := r.wire(st)
		_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
		r.skipServerPings(w, func(p []byte) bool { return st.re.Match(p) })
		line := r.readLine(st, w)
		if !st.re.MatchString(line) {
			r.fail(st, "line %q does not match %s", line, st.re)
		}
	case "closed":
		r.closed(st, r.wire(st))
		r.wire(st).done = true
	case "drain":
		r.drain(st, r.wire(st))
		r.wire(st).done = true
	case "open":
		r.open(st, r.wire(st))
	case "quiet":
		w := r.wire(st)
		_ = w.conn.SetReadDeadline(time.Now().Add(st.dur))
		if b, err := w.r.ReadByte(); err == nil {
			r.fail(st, "want nothing for %v, got %q", st.dur, append([]byte{b}, r.pending(w)...))
		} else if !isTimeout(err) {
			r.fail(st, "want nothing for %v, got error %v", st.dur, err)
		}
	case "flood":
		r.flood(st, r.wire(st))
	case "payload":
		r.expect(st, r.wire(st), append(bytes.Repeat([]byte("x"), st.size), "\r\n"...))
	case "close":
		_ = r.wire(st).conn.Close()
		r.wire(st).done = true
	default:
		r.fail(st, "unknown verb")
	}
}

func (r *runner) dial(st step) {
	if _, dup := r.wires[st.conn]; dup {
		r.fail(st, "connection already dialed")
	}
	conn, err := net.DialTimeout("tcp", r.addr, dialTimeout)
	if err != nil {
		r.fail(st, "%v", err)
	}
	r.t.Cleanup(func() { _ = conn.Close() })
	w := &wire{name: st.conn, conn: conn, r: bufio.NewReaderSize(conn, 64*1024)}
	r.wires[st.conn] = w
	if st.verb == "dialraw" {
		return
	}
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
	line := r.readLine(st, w)
	if err := checkInfoLine(line); err != nil {
		r.fail(st, "%v", err)
	}
}

// checkInfoLine checks the framing of a server INFO line: "INFO ", a JSON
// object, " \r\n".
func checkInfoLine(line string) error {
	body, ok := strings.CutPrefix(line, "INFO ")
	if ok {
		body, ok = strings.CutSuffix(body, " \r\n")
	}
	if !ok {
		return fmt.Errorf("want INFO {json} \\r\\n, got %q", line)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return fmt.Errorf("INFO JSON: %v in %q", err, line)
	}
	return nil
}

// write sends data in one write, or one byte per write. A write error ends
// the writing silently: a server that closed the connection shows up in the
// steps that read.
func (r *runner) write(w *wire, data []byte, bytewise bool) {
	_ = w.conn.SetWriteDeadline(time.Now().Add(r.timeout))
	if !bytewise {
		_, _ = w.conn.Write(data)
		return
	}
	for i := range data {
		if _, err := w.conn.Write(data[i : i+1]); err != nil {
			return
		}
	}
}

func (r *runner) expect(st step, w *wire, want []byte) {
	r.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
	r.skipServerPings(w, func(p []byte) bool { return bytes.HasPrefix(want, p) })
	got := make([]byte, len(want))
	n, err := io.ReadFull(w.r, got)
	got = got[:n]
	if err != nil {
		r.fail(st, "want %q, got %q then %s", want, got, describeErr(err))
	}
	if !bytes.Equal(got, want) {
		r.fail(st, "want %q, got %q", want, append(got, r.pending(w)...))
	}
}

// anyOrder reads as many bytes as st.set holds together and checks that they
// are the set's members in some order.
func (r *runner) anyOrder(st step, w *wire) {
	r.t.Helper()
	total := 0
	for _, b := range st.set {
		total += len(b)
	}
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
	r.skipServerPings(w, func(p []byte) bool {
		return slices.ContainsFunc(st.set, func(m []byte) bool { return bytes.HasPrefix(m, p) })
	})
	got := make([]byte, total)
	n, err := io.ReadFull(w.r, got)
	got = got[:n]
	if err != nil {
		r.fail(st, "want %q in any order, got %q then %s", st.set, got, describeErr(err))
	}
	if !isPermutation(got, st.set, make([]bool, len(st.set))) {
		r.fail(st, "want %q in any order, got %q", st.set, append(got, r.pending(w)...))
	}
}

// open sends PING and expects PONG. Server PINGs arriving first are skipped,
// even in strictpings cases: open asks only whether the connection is alive
// and in sync.
func (r *runner) open(st step, w *wire) {
	r.t.Helper()
	r.write(w, []byte("PING\r\n"), false)
	for {
		_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
		got := make([]byte, len("PONG\r\n"))
		n, err := io.ReadFull(w.r, got)
		got = got[:n]
		if err != nil {
			r.fail(st, "want \"PONG\\r\\n\", got %q then %s", got, describeErr(err))
		}
		switch string(got) {
		case "PONG\r\n":
			return
		case "PING\r\n":
		default:
			r.fail(st, "want \"PONG\\r\\n\", got %q", append(got, r.pending(w)...))
		}
	}
}

// either checks that exactly one of st.conn's comma-separated connections
// got st.data and the others nothing: it pings each and reads to the PONG.
func (r *runner) either(st step) {
	r.t.Helper()
	got := map[string][]byte{}
	winners := 0
	for _, name := range strings.Split(st.conn, ",") {
		w := r.wire(step{line: st.line, verb: st.verb, conn: name})
		r.write(w, []byte("PING\r\n"), false)
		var b []byte
		_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
		for !bytes.HasSuffix(b, []byte("PONG\r\n")) {
			c, err := w.r.ReadByte()
			if err != nil {
				r.fail(st, "%s: got %q then %s", name, b, describeErr(err))
			}
			b = append(b, c)
		}
		b = b[:len(b)-len("PONG\r\n")]
		if !r.c.strictPing {
			b = bytes.ReplaceAll(b, serverPing, nil) // the payloads hold no PING
		}
		got[name] = b
		switch {
		case bytes.Equal(b, st.data):
			winners++
		case len(b) > 0:
			winners = -len(st.conn) // anything else is a failure
		}
	}
	if winners != 1 {
		r.fail(st, "want %q on exactly one connection, got %q", st.data, got)
	}
}

// isPermutation reports whether b is the concatenation of the unused members
// of set in some order.
func isPermutation(b []byte, set [][]byte, used []bool) bool {
	if len(b) == 0 {
		return true
	}
	for i, m := range set {
		if !used[i] && bytes.HasPrefix(b, m) {
			used[i] = true
			if isPermutation(b[len(m):], set, used) {
				return true
			}
			used[i] = false
		}
	}
	return false
}

// serverPing is what skipServerPings skips.
var serverPing = []byte("PING\r\n")

// skipServerPings drops server PINGs waiting at the head of w's stream,
// unless the case is strictpings or wanted(PING) says the step expects one.
// They are not answered: a PONG would be bytes the case did not script, and
// the server tolerates unanswered PINGs for two more intervals. The caller
// sets the read deadline, which bounds the step as a whole.
func (r *runner) skipServerPings(w *wire, wanted func([]byte) bool) {
	if r.c.strictPing || wanted(serverPing) {
		return
	}
	for {
		// Only PING and PONG start with 'P', and both are 6 bytes long, so
		// peeking 6 bytes after a 'P' cannot wait for bytes never sent.
		if b, err := w.r.Peek(1); err != nil || b[0] != 'P' {
			return
		}
		if b, err := w.r.Peek(len(serverPing)); err != nil || !bytes.Equal(b, serverPing) {
			return
		}
		_, _ = w.r.Discard(len(serverPing))
	}
}

// readLine reads through the next '\n' within the deadline already set.
func (r *runner) readLine(st step, w *wire) string {
	r.t.Helper()
	line, err := w.r.ReadString('\n')
	if err != nil {
		r.fail(st, "want a line, got %q then %s", line, describeErr(err))
	}
	return line
}

func (r *runner) closed(st step, w *wire) {
	r.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
	r.skipServerPings(w, func([]byte) bool { return false })
	b, err := w.r.ReadByte()
	switch {
	case err == nil:
		r.fail(st, "want close, got %q", append([]byte{b}, r.pending(w)...))
	case isTimeout(err):
		r.fail(st, "want close, connection still open after %v", r.timeout)
	case !isClosedErr(err):
		r.fail(st, "want close, got %v", err)
	}
}

// drain reads until the server closes; it is the slow consumer's view.
func (r *runner) drain(st step, w *wire) {
	r.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
	var tail []byte
	buf := make([]byte, 64*1024)
	for {
		n, err := w.r.Read(buf)
		tail = append(tail, buf[:n]...)
		if bytes.Contains(tail, []byte("-ERR")) {
			i := bytes.Index(tail, []byte("-ERR"))
			r.fail(st, "want a close without -ERR, got %q", tail[i:min(len(tail), i+64)])
		}
		if len(tail) > 64 {
			tail = tail[len(tail)-64:]
		}
		if err != nil {
			if isClosedErr(err) {
				return
			}
			r.fail(st, "want close, got %s", describeErr(err))
		}
	}
}

// flood publishes st.count messages of st.size bytes, batched into writes of
// about 64 KB.
func (r *runner) flood(st step, w *wire) {
	r.t.Helper()
	msg := fmt.Appendf(nil, "PUB %s %d\r\n%s\r\n", st.subj, st.size, bytes.Repeat([]byte("x"), st.size))
	per := max(1, 64*1024/len(msg))
	batch := bytes.Repeat(msg, per)
	for left := st.count; left > 0; left -= per {
		b := batch
		if left < per {
			b = batch[:left*len(msg)]
		}
		_ = w.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := w.conn.Write(b); err != nil {
			r.fail(st, "publisher write: %v", err)
		}
	}
}

// pending returns what else arrives within 50ms, to show context in a failure.
func (r *runner) pending(w *wire) []byte {
	_ = w.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var out []byte
	buf := make([]byte, 4096)
	for len(out) < 256 {
		n, err := w.r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if isClosedErr(err) {
				out = append(out, "<closed>"...)
			}
			return out
		}
	}
	return append(out[:256], "..."...)
}
