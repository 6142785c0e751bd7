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
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/broker"
)

// startServer runs a broker on 127.0.0.1 and a random port with logging off,
// and shuts it down when the test ends. Fields of opts left zero keep their
// defaults; opts may be nil.
func startServer(t testing.TB, opts *broker.Options) *broker.Server {
	t.Helper()
	o := &broker.Options{}
	if opts != nil {
		o = opts.Clone()
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = broker.RandomPort
	}
	o.NoLog = true
	s, err := broker.New(o)
	if err != nil {
		t.Fatalf("broker.New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// waitFor polls f every 10ms until it returns nil or d passes, and then
// fails the test with f's last error.
func waitFor(t testing.TB, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v: %v", d, err)
		}
		time.Sleep(10 * time.Millisecond)
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
//	config <key> <value>        a server limit, before the first dial (see serverConfig)
//	timeout <duration>          read deadline of the following steps (default 2s)
//	dial <conn>                 connect and read the INFO line (any INFO {json} \r\n)
//	dialraw <conn>              connect and read nothing
//	connect <conn> [json]       dial, then send CONNECT with json, by default
//	                            {"verbose":false,"pedantic":false} as real clients do
//	send <conn> <bytes>         one write (byte-at-a-time in bytewise mode)
//	trickle <conn> <bytes>      one write per byte, always
//	expect <conn> <bytes>       exactly these bytes come next
//	anyorder <conn> <bytes>     consecutive anyorder lines of one conn: these byte
//	                            strings come next, each once, in any order
//	either <c1,c2,...> <bytes>  exactly one of the connections gets these bytes,
//	                            the others nothing (each is then synced with PING)
//	match <conn> <regexp>       the next line, "\n" included, matches the whole regexp
//	closed <conn>               the server closes the connection next, sending nothing more
//	drain <conn>                read until the server closes; no "-ERR" may appear
//	open <conn>                 send PING, expect PONG: the connection is alive and in
//	                            sync (a server PING before the PONG is answered)
//	quiet <conn> <duration>     nothing arrives for that long
//	flood <conn> <subj> <size> <count>   publish count payloads of size bytes in large writes
//	payload <conn> <size>       expect size bytes of "x" and \r\n (a flood's payload)
//	close <conn>                the client closes the connection
//	sleep <duration>            wait (only where a timer must expire on the server)
//
// <bytes> is the rest of the line after one space, with the escapes \r \n \t
// \\ and \xHH. A <regexp> is Go syntax and is not unescaped.
// ---------------------------------------------------------------------------

// protoCase is one scripted case.
type protoCase struct {
	name       string
	file       string
	line       int
	noBytewise bool
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

// serverConfig holds the limits a case changes from the defaults. Keys are
// nats-server config names; the broker target maps them to Options.
type serverConfig map[string]string

// configKeys are the config keys a script may set, with how each is rendered
// in a nats-server config file.
var configKeys = map[string]func(v string) (string, error){
	"max_payload":       intValue,
	"max_control_line":  intValue,
	"max_connections":   intValue,
	"max_pending":       intValue,
	"ping_max":          intValue,
	"ping_interval":     durationValue,
	"write_deadline":    durationValue,
	"no_header_support": boolValue,
}

func intValue(v string) (string, error) {
	_, err := strconv.ParseInt(v, 10, 64)
	return v, err
}

func durationValue(v string) (string, error) {
	_, err := time.ParseDuration(v)
	return strconv.Quote(v), err
}

func boolValue(v string) (string, error) {
	_, err := strconv.ParseBool(v)
	return v, err
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
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		line = strings.TrimLeft(line, " \t")
		errf := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", file, lineNo, fmt.Sprintf(format, args...))
		}
		verb, rest, _ := strings.Cut(line, " ")
		if verb == "case" {
			if rest == "" {
				return nil, errf("case needs a name")
			}
			cur = &protoCase{name: rest, file: file, line: lineNo, config: serverConfig{}}
			cases = append(cases, cur)
			continue
		}
		if cur == nil {
			return nil, errf("%q before the first case", verb)
		}
		st := step{line: lineNo, verb: verb}
		args := strings.Fields(rest)
		switch verb {
		case "nobytewise":
			cur.noBytewise = true
			continue
		case "config":
			if len(args) != 2 {
				return nil, errf("config <key> <value>")
			}
			render, ok := configKeys[args[0]]
			if !ok {
				return nil, errf("unknown config key %q", args[0])
			}
			if _, err := render(args[1]); err != nil {
				return nil, errf("config %s: %v", args[0], err)
			}
			if len(cur.steps) > 0 {
				return nil, errf("config after the first step")
			}
			cur.config[args[0]] = args[1]
			continue
		case "timeout", "sleep":
			if len(args) != 1 {
				return nil, errf("%s <duration>", verb)
			}
			d, err := time.ParseDuration(args[0])
			if err != nil {
				return nil, errf("%v", err)
			}
			st.dur = d
		case "dial", "dialraw", "closed", "drain", "open", "close":
			if len(args) != 1 {
				return nil, errf("%s <conn>", verb)
			}
			st.conn = args[0]
		case "quiet":
			if len(args) != 2 {
				return nil, errf("quiet <conn> <duration>")
			}
			d, err := time.ParseDuration(args[1])
			if err != nil {
				return nil, errf("%v", err)
			}
			st.conn, st.dur = args[0], d
		case "connect":
			conn, arg, _ := strings.Cut(rest, " ")
			if conn == "" {
				return nil, errf("connect <conn> [json]")
			}
			if arg == "" {
				arg = `{"verbose":false,"pedantic":false}`
			}
			st.conn, st.data = conn, []byte("CONNECT "+arg+"\r\n")
		case "send", "trickle", "expect", "match", "anyorder", "either":
			conn, arg, ok := strings.Cut(rest, " ")
			if !ok || conn == "" || arg == "" {
				return nil, errf("%s <conn> <text>", verb)
			}
			st.conn = conn
			if verb == "match" {
				re, err := regexp.Compile(`^(?:` + arg + `)$`)
				if err != nil {
					return nil, errf("%v", err)
				}
				st.re = re
			} else {
				b, err := unescape(arg)
				if err != nil {
					return nil, errf("%v", err)
				}
				st.data = b
			}
			if verb == "anyorder" {
				if n := len(cur.steps); n > 0 && cur.steps[n-1].verb == verb && cur.steps[n-1].conn == conn {
					prev := &cur.steps[n-1]
					prev.set = append(prev.set, st.data)
					continue
				}
				st.set, st.data = [][]byte{st.data}, nil
			}
		case "payload":
			if len(args) != 2 {
				return nil, errf("payload <conn> <size>")
			}
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return nil, errf("%v", err)
			}
			st.conn, st.size = args[0], n
		case "flood":
			if len(args) != 4 {
				return nil, errf("flood <conn> <subject> <size> <count>")
			}
			size, err1 := strconv.Atoi(args[2])
			count, err2 := strconv.Atoi(args[3])
			if err := errors.Join(err1, err2); err != nil {
				return nil, errf("%v", err)
			}
			st.conn, st.subj, st.size, st.count = args[0], args[1], size, count
		default:
			return nil, errf("unknown step %q", verb)
		}
		cur.steps = append(cur.steps, st)
	}
	return cases, nil
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
// Targets: where a case's server comes from.
// ---------------------------------------------------------------------------

// target starts one server for one case and returns its host:port. The
// server must be stopped when t ends.
type target interface {
	start(t *testing.T, cfg serverConfig) string
}

// brokerTarget runs our broker in-process.
type brokerTarget struct{}

func (brokerTarget) start(t *testing.T, cfg serverConfig) string {
	t.Helper()
	return startServer(t, brokerOptions(t, cfg)).Addr().String()
}

// brokerOptions maps a case's config keys to broker Options.
func brokerOptions(t *testing.T, cfg serverConfig) *broker.Options {
	t.Helper()
	o := &broker.Options{}
	for k, v := range cfg {
		n, _ := strconv.ParseInt(v, 10, 64)
		d, _ := time.ParseDuration(v)
		b, _ := strconv.ParseBool(v)
		switch k {
		case "max_payload":
			o.MaxPayload = int32(n)
		case "max_control_line":
			o.MaxControlLine = int32(n)
		case "max_connections":
			o.MaxConn = int(n)
			if n == 0 { // as in a config file: refuse everyone
				o.MaxConn = -1
			}
		case "max_pending":
			o.MaxPending = n
		case "ping_max":
			o.MaxPingsOut = int(n)
		case "ping_interval":
			o.PingInterval = d
		case "write_deadline":
			o.WriteDeadline = d
		case "no_header_support":
			o.NoHeaderSupport = b
		default:
			t.Fatalf("broker target: config key %q not mapped", k)
		}
	}
	return o
}

// referenceTarget runs a nats-server binary, one process per case, on
// 127.0.0.1 and a port the server picks (-p -1, read back from its ports
// file), with a generated config file holding the case's limits.
type referenceTarget struct{ bin string }

// referenceBinary finds nats-server: $NATS_SERVER_BIN, else the copy
// installed by shared/tools/peers.sh. It returns "" when there is none.
func referenceBinary() string {
	if p := os.Getenv("NATS_SERVER_BIN"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	p := filepath.Join(home, ".cache", "natsvisor-peers", "nats-server")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func (r referenceTarget) start(t *testing.T, cfg serverConfig) string {
	t.Helper()
	addr, _ := runReference(t, r.bin, cfg, "-1")
	return addr
}

// runReference starts nats-server on 127.0.0.1 and port ("-1" for any) with
// a config file holding cfg, waits until it listens and returns its
// host:port and a stop function. The server is also stopped when t ends.
func runReference(t *testing.T, bin string, cfg serverConfig, port string) (addr string, stop func()) {
	t.Helper()
	dir := t.TempDir()
	var conf strings.Builder
	for k, v := range cfg {
		rendered, _ := configKeys[k](v)
		fmt.Fprintf(&conf, "%s: %s\n", k, rendered)
	}
	confPath := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", port, "-c", confPath, "--ports_file_dir", dir)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	t.Cleanup(stop)
	portsFile := filepath.Join(dir, fmt.Sprintf("%s_%d.ports", filepath.Base(bin), cmd.Process.Pid))
	waitFor(t, 10*time.Second, func() error {
		select {
		case <-exited:
			t.Fatalf("nats-server exited: %s", logs.String())
		default:
		}
		data, err := os.ReadFile(portsFile)
		if err != nil {
			return err
		}
		var ports struct{ Nats []string }
		if err := json.Unmarshal(data, &ports); err != nil || len(ports.Nats) == 0 {
			return fmt.Errorf("ports file %q: %v", data, err)
		}
		addr = strings.TrimPrefix(ports.Nats[0], "nats://")
		return nil
	})
	return addr, stop
}

// syncBuffer is a bytes.Buffer safe for a process's output goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ---------------------------------------------------------------------------
// Running a case.
// ---------------------------------------------------------------------------

const defaultReadTimeout = 2 * time.Second

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

// runCases runs every scripted case against tgt, each in its own parallel
// subtest, once with writes as scripted and once byte-at-a-time.
func runCases(t *testing.T, tgt target) {
	for _, c := range parseScripts(t) {
		file := strings.TrimSuffix(c.file, ".txt")
		t.Run(file+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, tgt, c, false)
			if !c.noBytewise {
				t.Run("bytewise", func(t *testing.T) { runCase(t, tgt, c, true) })
			}
		})
	}
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
// read: every byte the server sends must be expected.
func (r *runner) checkLeftovers() {
	r.t.Helper()
	var wg sync.WaitGroup
	extra := make(map[string][]byte)
	var mu sync.Mutex
	for name, w := range r.wires {
		if w.done {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = w.conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			b, err := w.r.ReadByte()
			if err != nil {
				return
			}
			mu.Lock()
			extra[name] = append([]byte{b}, r.pending(w)...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, b := range extra {
		r.t.Errorf("%s:%d: case %s: connection %s got bytes no step expected: %q", r.c.file, r.c.line, r.c.name, name, b)
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
		r.write(st, r.wire(st), st.data, r.bytewise)
	case "send":
		r.write(st, r.wire(st), st.data, r.bytewise)
	case "trickle":
		r.write(st, r.wire(st), st.data, true)
	case "expect":
		r.expect(st, r.wire(st), st.data)
	case "anyorder":
		r.anyOrder(st, r.wire(st))
	case "either":
		r.either(st)
	case "match":
		w := r.wire(st)
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
	conn, err := net.DialTimeout("tcp", r.addr, r.timeout)
	if err != nil {
		r.fail(st, "%v", err)
	}
	r.t.Cleanup(func() { _ = conn.Close() })
	w := &wire{name: st.conn, conn: conn, r: bufio.NewReaderSize(conn, 64*1024)}
	r.wires[st.conn] = w
	if st.verb == "dialraw" {
		return
	}
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
func (r *runner) write(st step, w *wire, data []byte, bytewise bool) {
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

// open sends PING and expects PONG. A server PING arriving first is
// answered and skipped: on long cases the server's keepalive may fire.
func (r *runner) open(st step, w *wire) {
	r.t.Helper()
	r.write(st, w, []byte("PING\r\n"), false)
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
			r.write(st, w, []byte("PONG\r\n"), false)
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
		r.write(st, w, []byte("PING\r\n"), false)
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

// readLine reads through the next '\n'.
func (r *runner) readLine(st step, w *wire) string {
	r.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
	line, err := w.r.ReadString('\n')
	if err != nil {
		r.fail(st, "want a line, got %q then %s", line, describeErr(err))
	}
	return line
}

func (r *runner) closed(st step, w *wire) {
	r.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(r.timeout))
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

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isClosedErr reports whether err means the peer closed: EOF or a reset.
func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}

func describeErr(err error) string {
	switch {
	case isTimeout(err):
		return "nothing more (timeout)"
	case isClosedErr(err):
		return "<closed>"
	default:
		return err.Error()
	}
}
