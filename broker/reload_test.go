package broker_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// logLines is a broker.Logger that keeps every line as "[LVL] message".
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(level, format string, v []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, v...))
}

func (l *logLines) Noticef(format string, v ...any) { l.add("[INF]", format, v) }
func (l *logLines) Warnf(format string, v ...any)   { l.add("[WRN]", format, v) }
func (l *logLines) Errorf(format string, v ...any)  { l.add("[ERR]", format, v) }
func (l *logLines) Fatalf(format string, v ...any)  { l.add("[FTL]", format, v) }
func (l *logLines) Debugf(format string, v ...any)  { l.add("[DBG]", format, v) }
func (l *logLines) Tracef(format string, v ...any)  { l.add("[TRC]", format, v) }

// mark is the number of lines so far, for since.
func (l *logLines) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// since returns the lines logged after mark m, joined.
func (l *logLines) since(m int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines[m:], "\n")
}

// wait polls until a line after mark m contains want.
func (l *logLines) wait(t *testing.T, m int, want string) {
	t.Helper()
	waitFor(t, 5*time.Second, func() error {
		if s := l.since(m); !strings.Contains(s, want) {
			return fmt.Errorf("log lacks %q:\n%s", want, s)
		}
		return nil
	})
}

// reloadServer is a broker started from a config file, with its log.
type reloadServer struct {
	*broker.Server
	path string // the config file
	log  *logLines
}

// startFromFile writes conf to a fresh config file and starts a broker with
// -c on it plus args. The conf should listen on 127.0.0.1:-1.
func startFromFile(t *testing.T, conf string, args ...string) *reloadServer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "n.conf")
	rs := &reloadServer{path: path, log: &logLines{}}
	rs.write(t, conf)
	opts, err := broker.ParseArgs(append([]string{"-c", path}, args...))
	if err != nil {
		t.Fatalf("ParseArgs: %v", err)
	}
	s, err := broker.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s.SetLogger(rs.log)
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Shutdown)
	rs.Server = s
	return rs
}

func (rs *reloadServer) write(t *testing.T, conf string) {
	t.Helper()
	if err := os.WriteFile(rs.path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
}

// rewriteAndReload writes conf and reloads, returning Reload's error.
func (rs *reloadServer) rewriteAndReload(t *testing.T, conf string) error {
	t.Helper()
	rs.write(t, conf)
	return rs.Reload()
}

// connectNats connects nats.go with reconnection off, so a close is seen.
func connectNats(t *testing.T, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, append([]nats.Option{nats.NoReconnect(), nats.Timeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// checkRoundTrip publishes on nc and receives the message on nc: the
// connection still works.
func checkRoundTrip(t *testing.T, nc *nats.Conn) {
	t.Helper()
	subj := nats.NewInbox()
	sub, err := nc.SubscribeSync(subj)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.Publish(subj, []byte("still here")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil || string(m.Data) != "still here" {
		t.Fatalf("round trip: %v, %v", m, err)
	}
}

// rawInfo dials addr and returns the INFO the server greets with.
func rawInfo(t *testing.T, addr string) map[string]any {
	t.Helper()
	var info map[string]any
	testkit.Greeting(t, addr, &info)
	return info
}

func readStatus(t *testing.T, path string) broker.ReloadResult {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reload status file: %v", err)
	}
	var r broker.ReloadResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("reload status file %q: %v", b, err)
	}
	return r
}

const listenLocal = "listen: 127.0.0.1:-1\n"

func TestReloadMaxPayload(t *testing.T) {
	dir := t.TempDir()
	pid := filepath.Join(dir, "n.pid")
	base := listenLocal + fmt.Sprintf("pid_file: %q\n", pid)
	rs := startFromFile(t, base+"max_payload: 1MB\n")
	nc := connectNats(t, rs.ClientURL())
	if nc.MaxPayload() != 1<<20 {
		t.Fatalf("max_payload %d before reload", nc.MaxPayload())
	}
	if _, ok := rs.LastReload(); ok {
		t.Fatal("LastReload reports a reload before any")
	}

	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, base+"max_payload: 256KB\n"); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	rs.log.wait(t, m, "[INF] Reloaded: max_payload = 262144")
	rs.log.wait(t, m, "[INF] Reloaded server configuration (sha256:")

	// The next connection's INFO has the new limit, and so does a new
	// nats.go connection; the old one keeps working.
	if got := rawInfo(t, rs.Addr().String())["max_payload"]; got != float64(262144) {
		t.Fatalf("INFO max_payload %v after reload, want 262144", got)
	}
	if nc2 := connectNats(t, rs.ClientURL()); nc2.MaxPayload() != 262144 {
		t.Fatalf("new nats.go connection sees max_payload %d", nc2.MaxPayload())
	}
	checkRoundTrip(t, nc)

	r, ok := rs.LastReload()
	if !ok || r.Seq != 1 || !r.OK || r.Error != "" || !slices.Equal(r.Changed, []string{"max_payload"}) ||
		r.Digest != rs.Options().ConfigDigest() || !strings.HasPrefix(r.Digest, "sha256:") || r.PID != os.Getpid() {
		t.Fatalf("LastReload = %+v, %v", r, ok)
	}
	if st := readStatus(t, pid+".reload"); !reflect.DeepEqual(st, r) {
		t.Fatalf("status file %+v, LastReload %+v", st, r)
	}
}

// The existing connection gets the new limit too (nats-server pushes it to
// every client): a payload over it is refused and the connection closed.
func TestReloadMaxPayloadAppliesToExistingConnections(t *testing.T) {
	rs := startFromFile(t, listenLocal+"max_payload: 1MB\n")
	conn, br := dialRaw(t, rs.Addr().String())
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if err := rs.rewriteAndReload(t, listenLocal+"max_payload: 16\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(conn, "CONNECT {\"verbose\":false}\r\nPUB x 17\r\n%s\r\n", strings.Repeat("a", 17)); err != nil {
		t.Fatal(err)
	}
	line, err := br.ReadString('\n')
	if err != nil || line != "-ERR 'Maximum Payload Violation'\r\n" {
		t.Fatalf("got %q, %v; want the max payload error", line, err)
	}
}

func TestReloadDebugAndTrace(t *testing.T) {
	rs := startFromFile(t, listenLocal+"debug: false\ntrace: false\n")
	old := connectNats(t, rs.ClientURL())

	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, listenLocal+"debug: true\ntrace: true\n"); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "[INF] Reloaded: debug = true")
	rs.log.wait(t, m, "[INF] Reloaded: trace = true")
	nc := connectNats(t, rs.ClientURL())
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "- Client connection created")
	rs.log.wait(t, m, "- <<- [CONNECT {")
	rs.log.wait(t, m, "- ->> [PONG]")
	checkRoundTrip(t, old)

	// Off again: a new connection logs neither.
	if err := rs.rewriteAndReload(t, listenLocal+"debug: false\ntrace: false\n"); err != nil {
		t.Fatal(err)
	}
	m = rs.log.mark()
	nc2 := connectNats(t, rs.ClientURL())
	if err := nc2.Flush(); err != nil {
		t.Fatal(err)
	}
	if s := rs.log.since(m); strings.Contains(s, "[DBG]") || strings.Contains(s, "[TRC]") {
		t.Fatalf("debug or trace lines after turning them off:\n%s", s)
	}
	checkRoundTrip(t, old)
}

func TestReloadMaxConnections(t *testing.T) {
	rs := startFromFile(t, listenLocal+"max_connections: 10\n")
	var closed sync.WaitGroup
	conns := make([]*nats.Conn, 5)
	for i := range conns {
		closed.Add(1)
		var once sync.Once
		conns[i] = connectNats(t, rs.ClientURL(), nats.ClosedHandler(func(*nats.Conn) { once.Do(closed.Done) }))
	}
	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, listenLocal+"max_connections: 2\n"); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "[INF] Closed 3 connections to fall within max_connections")
	rs.log.wait(t, m, "[INF] Reloaded: max_connections = 2")
	waitFor(t, 5*time.Second, func() error {
		open := 0
		for _, nc := range conns {
			if !nc.IsClosed() {
				open++
			}
		}
		if open != 2 {
			return fmt.Errorf("%d connections open, want 2", open)
		}
		return nil
	})
	for _, nc := range conns {
		if !nc.IsClosed() {
			checkRoundTrip(t, nc)
		} else if err := nc.LastError(); err == nil || !strings.Contains(err.Error(), "maximum connections exceeded") {
			t.Errorf("closed connection's error %v, want maximum connections exceeded", err)
		}
	}
}

func TestReloadPingInterval(t *testing.T) {
	rs := startFromFile(t, listenLocal+"ping_interval: \"1m\"\n")
	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, listenLocal+"ping_interval: \"100ms\"\n"); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "[INF] Reloaded: ping_interval = 100ms")

	// A new connection is pinged every 100ms: two PINGs in a row prove it is
	// the interval, not the short first PING.
	conn, br := dialRaw(t, rs.Addr().String())
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("CONNECT {\"verbose\":false}\r\n")); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		_ = conn.SetReadDeadline(time.Now().Add(time.Second))
		line, err := br.ReadString('\n')
		if err != nil || line != "PING\r\n" {
			t.Fatalf("ping %d: %q, %v", i+1, line, err)
		}
		if _, err := conn.Write([]byte("PONG\r\n")); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReloadRefused(t *testing.T) {
	const base = "max_payload: 1MB\n"
	tests := []struct {
		name string
		conf string // with its listen; max_payload changes too, and must not apply
		want string // %d is the listener's port
	}{
		{"port", "listen: 127.0.0.1:4333\n", "config reload not supported for Port: old=%d, new=4333"},
		{"host", "listen: 0.0.0.0:-1\n", "config reload not supported for Host: old=127.0.0.1, new=0.0.0.0"},
		{"server_name", listenLocal + "server_name: foo\n", "config reload not supported for ServerName: old=, new=foo"},
		{"max_pending", listenLocal + "max_pending: 10MB\n", "config reload not supported for MaxPending: old=67108864, new=10485760"},
		{"max_subs", listenLocal + "max_subs: 10\n", "config reload not supported for MaxSubs: old=0, new=10"},
		{"write_timeout", listenLocal + "write_timeout: retry\n", "config reload not supported for WriteTimeout: old=, new=retry"},
		{"max_sub_tokens", listenLocal + "max_sub_tokens: 3\n", "config reload not supported for MaxSubTokens: old=0, new=3"},
		{"no_header_support", listenLocal + "no_header_support: true\n", "config reload not supported for NoHeaderSupport: old=false, new=true"},
		{"lame_duck_duration", listenLocal + "lame_duck_duration: \"1m\"\n", "config reload not supported for LameDuckDuration: old=2m0s, new=1m0s"},
		// Not reloadable in nats-server either.
		{"logfile_size_limit", listenLocal + "logfile_size_limit: 1000\n", "config reload not supported for LogSizeLimit: old=0, new=1000"},
		{"logfile_max_num", listenLocal + "log_max_num: 2\n", "config reload not supported for LogMaxFiles: old=0, new=2"},
		{"invalid", listenLocal + "max_pending: 512KB\n", "max_payload (2097152) cannot be higher than max_pending (524288)"},
		{"client_advertise", listenLocal + "client_advertise: \"a:b:c\"\n",
			"invalid ClientAdvertise value of a:b:c, err=address a:b:c: too many colons in address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pid := filepath.Join(t.TempDir(), "n.pid")
			pidLine := fmt.Sprintf("pid_file: %q\n", pid)
			rs := startFromFile(t, listenLocal+base+pidLine)
			nc := connectNats(t, rs.ClientURL())
			before := rs.Options()

			conf := strings.Replace(tt.conf+base+pidLine, "max_payload: 1MB", "max_payload: 2MB", 1)
			m := rs.log.mark()
			err := rs.rewriteAndReload(t, conf)
			want := tt.want
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, rs.Addr().(*net.TCPAddr).Port)
			}
			if err == nil || err.Error() != want {
				t.Fatalf("Reload error %v, want %q", err, want)
			}
			if rs.Options() != before || rs.Options().MaxPayload != 1<<20 {
				t.Fatalf("options changed by a refused reload (max_payload %d)", rs.Options().MaxPayload)
			}
			rs.log.wait(t, m, "[ERR] Failed to reload server configuration: "+want)
			if strings.Contains(rs.log.since(m), "Reloaded:") {
				t.Fatalf("a refused reload logged a change:\n%s", rs.log.since(m))
			}
			r, ok := rs.LastReload()
			if !ok || r.OK || r.Error != want || r.Seq != 1 || len(r.Changed) != 0 {
				t.Fatalf("LastReload = %+v", r)
			}
			if st := readStatus(t, pid+".reload"); st.OK || st.Error != want || st.Seq != 1 {
				t.Fatalf("status file %+v", st)
			}
			checkRoundTrip(t, nc)
			if got := rawInfo(t, rs.Addr().String())["max_payload"]; got != float64(1<<20) {
				t.Fatalf("INFO max_payload %v after a refused reload", got)
			}
		})
	}
}

func TestReloadBadFile(t *testing.T) {
	tests := []struct {
		name, conf string
		want       string // after the config's path
	}{
		{"syntax", listenLocal + "max_payload: [1\n", `:3:1: Expected an array value terminator "," or an array terminator "]", but got EOF instead.`},
		{"unknown key", listenLocal + "max_payload: 2MB\nbogus: 1\n", `:3:1: unknown field "bogus"`},
		{"bad value", listenLocal + "ping_interval: \"1x\"\n", `:2:1: error parsing ping_interval: time: unknown unit "x" in duration "1x"`},
		{"unsupported", listenLocal + "max_payload: 2MB\njetstream: true\n", `:3:1: field "jetstream" is not supported yet`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs := startFromFile(t, listenLocal+"max_payload: 1MB\n")
			nc := connectNats(t, rs.ClientURL())
			m := rs.log.mark()
			err := rs.rewriteAndReload(t, tt.conf)
			want := rs.path + tt.want
			if err == nil || err.Error() != want {
				t.Fatalf("Reload error:\n%v\nwant\n%s", err, want)
			}
			rs.log.wait(t, m, "[ERR] Failed to reload server configuration: "+want)
			if rs.Options().MaxPayload != 1<<20 {
				t.Fatal("a bad file changed max_payload")
			}
			if r, _ := rs.LastReload(); r.OK || r.Error != want {
				t.Fatalf("LastReload = %+v", r)
			}
			checkRoundTrip(t, nc)

			// Fixing the file makes the next reload work.
			if err := rs.rewriteAndReload(t, listenLocal+"max_payload: 2MB\n"); err != nil {
				t.Fatalf("Reload after the fix: %v", err)
			}
			if r, _ := rs.LastReload(); !r.OK || r.Seq != 2 || rs.Options().MaxPayload != 2<<20 {
				t.Fatalf("LastReload after the fix = %+v", r)
			}
		})
	}
}

// Warnings do not stop a reload; they are logged.
func TestReloadWarnings(t *testing.T) {
	rs := startFromFile(t, listenLocal)
	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, listenLocal+"ping_interval: 30\n"); err != nil {
		t.Fatalf("Reload with a warning: %v", err)
	}
	rs.log.wait(t, m, `[WRN] `+rs.path+`:2:1: invalid use of field "ping_interval": ping_interval should be converted to a duration`)
	rs.log.wait(t, m, "[INF] Reloaded: ping_interval = 30s")
	if rs.Options().PingInterval != 30*time.Second {
		t.Fatalf("ping_interval %v", rs.Options().PingInterval)
	}
}

// A reload with nothing changed succeeds and changes nothing.
func TestReloadUnchanged(t *testing.T) {
	rs := startFromFile(t, listenLocal+"max_payload: 1MB\n")
	before := *rs.Options()
	for i := 1; i <= 3; i++ {
		if err := rs.Reload(); err != nil {
			t.Fatal(err)
		}
		if r, _ := rs.LastReload(); !r.OK || r.Seq != i || len(r.Changed) != 0 {
			t.Fatalf("reload %d: %+v", i, r)
		}
	}
	if after := *rs.Options(); !reflect.DeepEqual(exported(before), exported(after)) {
		t.Fatalf("options changed:\n%+v\n%+v", before, after)
	}
}

// exported copies the exported fields of o, for comparing Options.
func exported(o broker.Options) map[string]any {
	v := reflect.ValueOf(o)
	m := map[string]any{}
	for i := range v.NumField() {
		if f := v.Type().Field(i); f.IsExported() {
			m[f.Name] = v.Field(i).Interface()
		}
	}
	return m
}

func TestReloadWithoutFile(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status.json")
	s := startServer(t, &broker.Options{ReloadStatusFile: status})
	err := s.Reload()
	if !errors.Is(err, broker.ErrNoConfigFile) {
		t.Fatalf("Reload = %v, want ErrNoConfigFile", err)
	}
	r, ok := s.LastReload()
	if !ok || r.OK || r.Error != broker.ErrNoConfigFile.Error() || r.Seq != 1 {
		t.Fatalf("LastReload = %+v, %v", r, ok)
	}
	if st := readStatus(t, status); st.Error != broker.ErrNoConfigFile.Error() {
		t.Fatalf("status file %+v", st)
	}

	// ReloadOptions needs no file.
	next := s.Options().Clone()
	next.MaxPayload = 4096
	if err := s.ReloadOptions(next); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.LastReload(); !r.OK || r.Seq != 2 || !slices.Equal(r.Changed, []string{"max_payload"}) || r.Digest != "" {
		t.Fatalf("LastReload = %+v", r)
	}
	if got := rawInfo(t, s.Addr().String())["max_payload"]; got != float64(4096) {
		t.Fatalf("INFO max_payload %v", got)
	}
}

// A pid file and ports file directory set by a reload are written.
func TestReloadPidAndPortsFile(t *testing.T) {
	dir := t.TempDir()
	rs := startFromFile(t, listenLocal)
	pid := filepath.Join(dir, "new.pid")
	conf := listenLocal + fmt.Sprintf("pid_file: %q\nports_file_dir: %q\n", pid, dir)
	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, conf); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "[INF] Reloaded: pid_file = "+pid)
	rs.log.wait(t, m, "[INF] Reloaded: ports_file_dir = "+dir)
	if b, err := os.ReadFile(pid); err != nil || string(b) != fmt.Sprint(os.Getpid()) {
		t.Fatalf("pid file %q, %v", b, err)
	}
	ports, _ := filepath.Glob(filepath.Join(dir, "*.ports"))
	if len(ports) != 1 {
		t.Fatalf("ports files %v", ports)
	}
	b, _ := os.ReadFile(ports[0])
	if want := rs.Addr().String(); !strings.Contains(string(b), want) {
		t.Fatalf("ports file %s lacks %s", b, want)
	}
	// Dropping the directory removes the file.
	if err := rs.rewriteAndReload(t, listenLocal+fmt.Sprintf("pid_file: %q\n", pid)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ports[0]); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ports file left after ports_file_dir was dropped: %v", err)
	}
}

// no_fast_producer_stall reloads, logged in nats-server's words; the stall
// tests show what it changes.
func TestReloadFastProducerStall(t *testing.T) {
	rs := startFromFile(t, listenLocal)
	for _, c := range []struct{ conf, log string }{
		{"no_fast_producer_stall: true\n", "[INF] Reloaded: fast producers will not be stalled"},
		{"no_fast_producer_stall: false\n", "[INF] Reloaded: fast producers will be stalled"},
	} {
		m := rs.log.mark()
		if err := rs.rewriteAndReload(t, listenLocal+c.conf); err != nil {
			t.Fatal(err)
		}
		rs.log.wait(t, m, c.log)
	}
}

// A reload logs its changes in nats-server's order (its Options field
// order), with the users and accounts nats-server reloads every time; this
// is nats-server 2.15.2's output for the same two files.
func TestReloadLogOrder(t *testing.T) {
	rs := startFromFile(t, listenLocal)
	m := rs.log.mark()
	if err := rs.rewriteAndReload(t, listenLocal+"debug: true\nmax_payload: 2000\nping_interval: \"30s\"\n"+
		"write_deadline: \"3s\"\nmax_connections: 50\nlogtime: false\nserver_metadata: {k: v}\nserver_tags: [a]\n"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(rs.log.since(m), "\n") {
		if strings.HasPrefix(l, "[INF] Reloaded") {
			got = append(got, strings.TrimPrefix(l, "[INF] "))
		}
	}
	want := []string{"Reloaded: debug = true", "Reloaded: logtime = false", "Reloaded: max_connections = 50",
		"Reloaded: authorization users", "Reloaded: accounts", "Reloaded: ping_interval = 30s",
		"Reloaded: max_payload = 2000", "Reloaded: write_deadline = 3s", "Reloaded: tags", "Reloaded: metadata"}
	if len(got) != len(want)+1 || strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") ||
		!strings.HasPrefix(got[len(want)], "Reloaded server configuration (sha256:") {
		t.Fatalf("reload logged:\n%s\nwant:\n%s\nReloaded server configuration (…)", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Nothing changed: the users and accounts lines still come.
	m = rs.log.mark()
	if err := rs.Reload(); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "[INF] Reloaded: authorization users\n[INF] Reloaded: accounts\n[INF] Reloaded server configuration")
}
