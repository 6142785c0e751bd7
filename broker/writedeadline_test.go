package broker_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wdWorld is one server under test: its client address and monitor URL,
// and what it has logged so far.
type wdWorld struct {
	stallWorld
	log func() string
}

// writeDeadlineTargets runs f against our broker and nats-server, each
// started with conf, a monitor and a log.
func writeDeadlineTargets(t *testing.T, conf string, f func(t *testing.T, w wdWorld)) {
	t.Run("broker", func(t *testing.T) {
		s, _, lines := confServer(t, "http: \"127.0.0.1:-1\"\n"+conf)
		f(t, wdWorld{stallWorld{s.Addr().String(), s.MonitorURL()}, func() string { return lines.since(0) }})
	})
	t.Run("nats-server", func(t *testing.T) {
		bin := referenceBinary()
		if bin == "" {
			t.Skip("nats-server not installed (shared/tools/peers.sh)")
		}
		logFile := filepath.Join(t.TempDir(), "nats.log")
		r := launchReference(t, bin, serverConfig{"conf": conf}, "-1", "-m", "-1", "-l", logFile)
		f(t, wdWorld{stallWorld{r.addr, strings.Replace(r.monitor, "0.0.0.0", "127.0.0.1", 1)}, func() string {
			b, _ := os.ReadFile(logFile)
			return string(b)
		}})
	})
}

// closedReasons lists the reasons of /connz?state=closed.
func (w wdWorld) closedReasons(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(w.monitor + "/connz?state=closed")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cz struct {
		Conns []struct{ Reason string } `json:"connections"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cz); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cz.Conns {
		out = append(out, c.Reason)
	}
	return out
}

// A subscriber that stops reading blocks its writer past write_deadline:
// it is logged and counted as a slow consumer and closed, in nats-server
// as in ours, long before max_pending is reached.
func TestWriteDeadlineSlowConsumer(t *testing.T) {
	writeDeadlineTargets(t, "write_deadline: \"200ms\"\n", func(t *testing.T, w wdWorld) {
		sub, br := rawClient(t, w.addr)
		fmt.Fprint(sub, "SUB foo 1\r\nPING\r\n")
		expectLine(t, sub, br, "PONG\r\n")
		pub, pbr := rawClient(t, w.addr)
		flood(t, pub, "foo", 32<<10) // 32 MiB: more than the socket buffers hold
		fmt.Fprint(pub, "PING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
		waitFor(t, 10*time.Second, func() error {
			if v := w.varz(t); v.SlowConsumers != 1 {
				return fmt.Errorf("slow_consumers %d", v.SlowConsumers)
			}
			if r := w.closedReasons(t); len(r) != 1 || r[0] != "Slow Consumer (Write Deadline)" {
				return fmt.Errorf("closed: %q", r)
			}
			if !strings.Contains(w.log(), "Slow Consumer Detected: WriteDeadline of 200ms exceeded with ") {
				return fmt.Errorf("no slow consumer line in the log:\n%s", w.log())
			}
			return nil
		})
		// The publisher is unharmed.
		fmt.Fprint(pub, "PING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
	})
}

// Under write_timeout: retry, a subscriber that never reads is still cut
// off: the write that moved bytes before the deadline is retried (a second
// slow consumer counted), and the retry, moving nothing, closes it. The
// retry that carries on while bytes move is TestWriteTimeoutPolicy's:
// over real sockets its timing is TCP's (zero-window probes back off for
// longer than a deadline), not the test's.
func TestWriteTimeoutRetryStuck(t *testing.T) {
	writeDeadlineTargets(t, "write_deadline: \"200ms\"\nwrite_timeout: retry\n", func(t *testing.T, w wdWorld) {
		sub, br := rawClient(t, w.addr)
		fmt.Fprint(sub, "SUB foo 1\r\nPING\r\n")
		expectLine(t, sub, br, "PONG\r\n")
		pub, pbr := rawClient(t, w.addr)
		flood(t, pub, "foo", 32<<10)
		fmt.Fprint(pub, "PING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
		waitFor(t, 10*time.Second, func() error {
			if r := w.closedReasons(t); len(r) != 1 || r[0] != "Slow Consumer (Write Deadline)" {
				return fmt.Errorf("closed: %q", r)
			}
			if v := w.varz(t); v.SlowConsumers < 2 {
				return fmt.Errorf("slow_consumers %d, want 2 or more", v.SlowConsumers)
			}
			if !strings.Contains(w.log(), "Slow Consumer State: WriteDeadline of 200ms exceeded with ") {
				return fmt.Errorf("no retried write in the log:\n%s", w.log())
			}
			return nil
		})
	})
}
