package broker_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var payloadLine = regexp.MustCompile(`(<<-|->>) MSG_PAYLOAD: .*`)

// payloadTraces lists the MSG_PAYLOAD lines of a log, without their
// prefixes.
func payloadTraces(log string) []string {
	return payloadLine.FindAllString(log, -1)
}

// TestTraceHeaders: under trace_headers only a message's headers are
// traced, for what comes in and what goes out, as nats-server traces them;
// a message without headers traces no payload line.
func TestTraceHeaders(t *testing.T) {
	const conf = "trace_headers: true\n"
	hpub := "HPUB foo 18 23\r\nNATS/1.0\r\nA: b\r\n\r\nhello\r\n"
	script := func(t *testing.T, addr string) {
		hsub, hbr := rawClientHeaders(t, addr, true)
		fmt.Fprint(hsub, "SUB foo 1\r\nPING\r\n")
		expectLine(t, hsub, hbr, "PONG\r\n")
		// Headers stripped for it: nats-server cuts the delivery at the
		// header length, longer than this payload, so traces nothing.
		sub, br := rawClientHeaders(t, addr, false)
		fmt.Fprint(sub, "SUB foo 2\r\nPING\r\n")
		expectLine(t, sub, br, "PONG\r\n")
		pub, pbr := rawClientHeaders(t, addr, true)
		fmt.Fprint(pub, hpub+"PUB foo 3\r\nabc\r\nPING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
	}
	want := []string{
		`<<- MSG_PAYLOAD: ["NATS/1.0\r\nA: b"]`,
		`->> MSG_PAYLOAD: ["NATS/1.0\r\nA: b"]`,
	}
	t.Run("broker", func(t *testing.T) {
		s, _, lines := confServer(t, conf)
		script(t, s.Addr().String())
		waitFor(t, 5e9, func() error {
			if got := payloadTraces(lines.since(0)); strings.Join(got, "\n") != strings.Join(want, "\n") {
				return fmt.Errorf("payload traces:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			return nil
		})
	})
	t.Run("nats-server", func(t *testing.T) {
		bin := referenceBinary()
		if bin == "" {
			t.Skip("nats-server not installed (shared/tools/peers.sh)")
		}
		logFile := filepath.Join(t.TempDir(), "nats.log")
		r := launchReference(t, bin, serverConfig{"conf": conf}, "-1", "-l", logFile)
		script(t, r.addr)
		waitFor(t, 5e9, func() error {
			b, _ := os.ReadFile(logFile)
			if got := payloadTraces(string(b)); strings.Join(got, "\n") != strings.Join(want, "\n") {
				return fmt.Errorf("payload traces:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			return nil
		})
	})
}

// rawClientHeaders is rawClient with CONNECT's headers set as given.
func rawClientHeaders(t *testing.T, addr string, headers bool) (net.Conn, *bufio.Reader) {
	t.Helper()
	return rawClientConnect(t, addr, fmt.Sprintf(`{"verbose":false,"pedantic":false,"headers":%v}`, headers))
}
