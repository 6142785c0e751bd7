package broker_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// errConnect is sent before each case's bytes, in the same write, so the
// parser error's index counts from the start of this line in both servers.
const errConnect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n"

// errLogCases are malformed commands and the error line nats-server logs
// for each (after the client's label).
var errLogCases = []struct{ name, send, want string }{
	{"sub args", "SUB foo bar baz qux\r\n", `processSub Parse Error: "foo bar baz qux"`},
	{"unsub args", "UNSUB 1 2 3\r\n", `processUnsub Parse Error: "1 2 3"`},
	{"pub args", "PUB foo\r\n", `processPub Parse Error: "foo"`},
	{"pub size", "PUB foo x\r\n", `processPub Bad or Missing Size: "foo x"`},
	{"hpub args", "HPUB foo 1\r\n", `processHeaderPub Parse Error: "foo 1"`},
	{"hpub header size", "HPUB foo x 2\r\n", `processHeaderPub Bad or Missing Header Size: "foo x 2"`},
	{"hpub total size", "HPUB foo 1 x\r\n", `processHeaderPub Bad or Missing Total Size: "foo 1 x"`},
	{"hpub sizes", "HPUB foo 5 2\r\n", `processHeaderPub Header Size larger then TotalSize: "foo 5 2"`},
	{"max payload", "PUB foo 2000000\r\n", `maximum payload exceeded: 2000000 vs 1048576`},
	{"unknown op", "FOO\r\n", `Client parser ERROR, state=0, i=59: proto='"FOO\r"...'`},
	{"op prefix", "PUX\r\n", `Client parser ERROR, state=30, i=61: proto='"X\r"...'`},
	{"no space", "SUB\r\n", `Client parser ERROR, state=45, i=62: proto='"\r"...'`},
	{"payload end r", "PUB foo 1\r\nxx\r\n", `Client parser ERROR, state=41, i=71: proto='"x\r"...'`},
	{"payload end n", "PUB foo 1\r\nx\rx\n", `Client parser ERROR, state=42, i=72: proto='"x"...'`},
	{"connect json", "CONNECT {bad\r\n", `invalid character 'b' looking for beginning of object key string`},
	{"connect type", "CONNECT {\"verbose\":\"x\"}\r\n", `json: cannot unmarshal string into Go struct field ClientOpts.verbose of type bool`},
	{"info type", "INFO {\"port\":\"x\"}\r\n", `json: cannot unmarshal string into Go struct field Info.port of type int`},
	{"client error", "-ERR x\r\n", `Client Error x`},
}

// A malformed command is logged in nats-server's words, with its numbers;
// nats-server itself is checked against the same table when installed.
func TestParseErrorLogs(t *testing.T) {
	t.Run("broker", func(t *testing.T) {
		rs := startFromFile(t, listenLocal)
		for _, c := range errLogCases {
			m := rs.log.mark()
			sendRaw(t, rs.Addr().String(), c.send)
			rs.log.wait(t, m, "[ERR] ")
			rs.log.wait(t, m, " - "+c.want)
		}
	})
	t.Run("nats-server", func(t *testing.T) {
		bin := referenceBinary()
		if bin == "" {
			t.Skip("nats-server not installed (shared/tools/peers.sh)")
		}
		logFile := filepath.Join(t.TempDir(), "nats.log")
		r := launchReference(t, bin, serverConfig{}, "-1", "-l", logFile)
		for _, c := range errLogCases {
			sendRaw(t, r.addr, c.send)
			waitFor(t, 5*time.Second, func() error {
				b, _ := os.ReadFile(logFile)
				if !strings.Contains(string(b), " - "+c.want+"\n") {
					return fmt.Errorf("%s: log lacks %q", c.name, c.want)
				}
				return nil
			})
		}
	})
}

// sendRaw connects, writes errConnect and data in one write, and waits
// for the server to close the connection.
func sendRaw(t *testing.T, addr, data string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	buf := make([]byte, 4096)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(buf); err != nil { // INFO
		t.Fatal(err)
	}
	if _, err := nc.Write([]byte(errConnect + data)); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := nc.Read(buf); err != nil {
			return // closed (or the deadline: the log check then tells)
		}
	}
}

// The keepalive timer logs each firing at debug level, as nats-server's
// does, and says when activity put the PING off.
func TestPingTimerLogs(t *testing.T) {
	rs := startFromFile(t, listenLocal+"debug: true\nping_interval: \"200ms\"\n")
	m := rs.log.mark()
	nc, err := net.Dial("tcp", rs.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte(errConnect)); err != nil {
		t.Fatal(err)
	}
	rs.log.wait(t, m, "[DBG] 127.0.0.1:")
	rs.log.wait(t, m, " - Client Ping Timer")
	// Keep sending: the next firings find recent data and hold the PING.
	m = rs.log.mark()
	stop := time.After(3 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(rs.log.since(m), " - Delaying PING due to remote client data or ping 0s ago") {
		select {
		case <-stop:
			t.Fatalf("no delayed PING logged:\n%s", rs.log.since(m))
		case <-tick.C:
			if _, err := nc.Write([]byte("PUB x 0\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// On 0.0.0.0 the server lists the host's global unicast addresses at debug
// level, as nats-server does when it works out its connect URLs.
func TestNonLocalIPsLogged(t *testing.T) {
	rs := startFromFile(t, "listen: \"0.0.0.0:-1\"\ndebug: true\n")
	var want []string
	ifaces, _ := net.Interfaces()
	for _, iface := range ifaces {
		addrs, _ := iface.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.IsGlobalUnicast() {
				want = append(want, "[DBG]   ip="+n.IP.String())
			}
		}
	}
	log := rs.log.since(0)
	if !strings.Contains(log, "[DBG] Get non local IPs for \"0.0.0.0\"") {
		t.Fatalf("no lookup logged:\n%s", log)
	}
	for _, w := range want {
		if !strings.Contains(log, w+"\n") {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
	}
	if len(want) == 0 && !strings.Contains(log, `[ERR] Address "0.0.0.0" can not be resolved properly`) {
		t.Errorf("no address and no error:\n%s", log)
	}
}

// The accept loop's end is a debug line at shutdown, but not when lame
// duck mode closed the listener, as in nats-server.
func TestAcceptLoopExitLogged(t *testing.T) {
	for _, ldm := range []bool{false, true} {
		rs := startFromFile(t, listenLocal+"debug: true\n")
		if ldm {
			rs.LameDuck()
		} else {
			rs.Shutdown()
		}
		select {
		case <-rs.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("no shutdown")
		}
		rs.Shutdown() // waits for the goroutines
		log := rs.log.since(0)
		if got := strings.Contains(log, "[DBG] Client accept loop exiting.."); got == ldm {
			t.Errorf("lame duck %v: accept loop exit logged %v:\n%s", ldm, got, log)
		}
	}
}

// The limits log as nats-server 2.15.2 logs them: the control line after
// its -ERR and the close, refused subscriptions and connections with the
// error text alone.
func TestLimitLogs(t *testing.T) {
	rs := startFromFile(t, listenLocal+"trace: true\ndebug: true\nmax_connections: 2\nmax_control_line: 64\nmax_subscriptions: 1\n")
	addr := rs.Addr().String()

	m := rs.log.mark()
	sendRaw(t, addr, "SUB "+strings.Repeat("x", 80)+" 1\r\n")
	rs.log.wait(t, m, " - maximum control line exceeded")
	lines := rs.log.since(m)
	i, j := strings.Index(lines, "Client connection closed: Maximum Control Line Exceeded"), strings.Index(lines, "[ERR] 127.0.0.1:")
	if i < 0 || j < i {
		t.Errorf("control line: want the close, then the error:\n%s", lines)
	}

	m = rs.log.mark()
	a, ab := rawClient(t, addr)
	fmt.Fprint(a, "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n")
	expectLine(t, a, ab, "-ERR 'maximum subscriptions exceeded'\r\n")
	expectLine(t, a, ab, "-ERR 'maximum subscriptions exceeded'\r\n")
	expectLine(t, a, ab, "PONG\r\n")
	if n := strings.Count(rs.log.since(m), " - maximum subscriptions exceeded\n"); n != 1 {
		t.Errorf("refused subscriptions logged %d times, want once:\n%s", n, rs.log.since(m))
	}

	rawClient(t, addr) // the second of two
	m = rs.log.mark()
	for range 2 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(nc)
		nc.Close()
		if !strings.HasSuffix(string(b), "-ERR 'maximum connections exceeded'\r\n") {
			t.Fatalf("over the limit got %q", b)
		}
	}
	rs.log.wait(t, m, "Client connection closed: Maximum Connections Exceeded")
	got := rs.log.since(m)
	for _, want := range []string{"- Client connection created", "- ->> [-ERR maximum connections exceeded]"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, " - maximum connections exceeded"); n != 1 {
		t.Errorf("refused connections logged %d times within a second, want once:\n%s", n, got)
	}
}
