package broker_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wdWorld is one server under test: its client address, monitor URL and
// what it has logged so far.
type wdWorld struct {
	addr, monitor string
	log           func() string
}

// writeDeadlineTargets runs f against our broker and nats-server, each
// started with conf, a monitor and a log.
func writeDeadlineTargets(t *testing.T, conf string, f func(t *testing.T, w wdWorld)) {
	t.Run("broker", func(t *testing.T) {
		s, _, lines := confServer(t, "http: \"127.0.0.1:-1\"\n"+conf)
		f(t, wdWorld{s.Addr().String(), s.MonitorURL(), func() string { return lines.since(0) }})
	})
	t.Run("nats-server", func(t *testing.T) {
		bin := referenceBinary()
		if bin == "" {
			t.Skip("nats-server not installed (shared/tools/peers.sh)")
		}
		logFile := filepath.Join(t.TempDir(), "nats.log")
		r := launchReference(t, bin, serverConfig{"conf": conf}, "-1", "-m", "-1", "-l", logFile)
		f(t, wdWorld{r.addr, strings.Replace(r.monitor, "0.0.0.0", "127.0.0.1", 1), func() string {
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
			if v := (stallWorld{w.addr, w.monitor}).varz(t); v.SlowConsumers != 1 {
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

// Under write_timeout: retry, a subscriber that reads slowly stays
// connected through writes past the deadline (each counted as a slow
// consumer) and gets every byte.
func TestWriteTimeoutRetry(t *testing.T) {
	writeDeadlineTargets(t, "write_deadline: \"100ms\"\nwrite_timeout: retry\n", func(t *testing.T, w wdWorld) {
		sub, br := rawClient(t, w.addr)
		fmt.Fprint(sub, "SUB foo 1\r\nPING\r\n")
		expectLine(t, sub, br, "PONG\r\n")
		pub, pbr := rawClient(t, w.addr)
		const n = 12 << 10 // 12 MiB of 1 KiB messages
		flood(t, pub, "foo", n)
		fmt.Fprint(pub, "PING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
		// Read slowly (64 KiB every 10 ms, ~6 MB/s) until every message came.
		want := []byte(fmt.Sprintf("MSG foo 1 1024\r\n%s\r\n", bytes.Repeat([]byte("x"), 1024)))
		total, got := n*len(want), 0
		buf := make([]byte, 64<<10)
		_ = sub.SetReadDeadline(time.Now().Add(30 * time.Second))
		for got < total {
			k, err := br.Read(buf)
			if err != nil {
				t.Fatalf("after %d of %d bytes: %v (closed: %q)", got, total, err, w.closedReasons(t))
			}
			got += k
			time.Sleep(10 * time.Millisecond)
		}
		if v := (stallWorld{w.addr, w.monitor}).varz(t); v.SlowConsumers == 0 {
			t.Errorf("no slow consumer counted; log:\n%s", w.log())
		}
		for _, line := range []string{"Slow Consumer Detected: WriteDeadline of 100ms exceeded", "Slow Consumer Recovered: Flush took "} {
			if !strings.Contains(w.log(), line) {
				t.Errorf("no %q in the log", line)
			}
		}
	})
}
