package broker_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// stallWorld is one server under the fast-producer scenario: its client
// address and monitor URL.
type stallWorld struct{ addr, monitor string }

// stallTargets runs f against our broker and, when it is installed,
// against nats-server, each started with cfg and a monitor.
func stallTargets(t *testing.T, cfg serverConfig, f func(t *testing.T, w stallWorld)) {
	t.Run("broker", func(t *testing.T) {
		s, u := startMonitored(t, brokerOptions(t, cfg))
		f(t, stallWorld{s.Addr().String(), u})
	})
	t.Run("nats-server", func(t *testing.T) {
		bin := referenceBinary()
		if bin == "" {
			t.Skip("nats-server not installed (shared/tools/peers.sh)")
		}
		r := launchReference(t, bin, cfg, "-1", "-m", "-1")
		if r.monitor == "" {
			t.Fatal("nats-server wrote no monitoring port")
		}
		f(t, stallWorld{r.addr, strings.Replace(r.monitor, "0.0.0.0", "127.0.0.1", 1)})
	})
}

// stallVarz are the /varz counters the scenario reads.
type stallVarz struct {
	SlowConsumers  int64 `json:"slow_consumers"`
	StalledClients int64 `json:"stalled_clients"`
}

func (w stallWorld) varz(t *testing.T) stallVarz {
	t.Helper()
	resp, err := http.Get(w.monitor + "/varz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v stallVarz
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// rawClient dials addr, sends CONNECT (quiet) and waits for the PONG
// after it.
func rawClient(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	return rawClientConnect(t, addr, `{"verbose":false,"pedantic":false}`)
}

// rawClientConnect is rawClient with the given CONNECT JSON.
func rawClientConnect(t *testing.T, addr, connect string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	br := bufio.NewReaderSize(nc, 64<<10)
	if _, err := br.ReadString('\n'); err != nil { // INFO
		t.Fatal(err)
	}
	fmt.Fprintf(nc, "CONNECT %s\r\nPING\r\n", connect)
	expectLine(t, nc, br, "PONG\r\n")
	return nc, br
}

func expectLine(t *testing.T, nc net.Conn, br *bufio.Reader, want string) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if line == want {
			return
		}
		if line != "PING\r\n" {
			t.Fatalf("got %q, want %q", line, want)
		}
		fmt.Fprint(nc, "PONG\r\n")
	}
}

// flood publishes n messages of 1 KiB on subject in large writes.
func flood(t *testing.T, nc net.Conn, subject string, n int) {
	t.Helper()
	msg := fmt.Sprintf("PUB %s 1024\r\n%s\r\n", subject, bytes.Repeat([]byte("x"), 1024))
	batch := []byte(strings.Repeat(msg, 64))
	_ = nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	for sent := 0; sent < n; sent += 64 {
		if _, err := nc.Write(batch); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
}

// A subscriber that stops reading makes a fast publisher wait at its gate
// (stalled_clients counts the waits) before it is cut off as a slow
// consumer, in nats-server as in ours.
func TestFastProducerStalled(t *testing.T) {
	cfg := serverConfig{"max_pending": "1048576"}
	stallTargets(t, cfg, func(t *testing.T, w stallWorld) {
		sub, br := rawClient(t, w.addr)
		fmt.Fprint(sub, "SUB foo 1\r\nPING\r\n")
		expectLine(t, sub, br, "PONG\r\n")
		pub, pbr := rawClient(t, w.addr)
		flood(t, pub, "foo", 16<<10) // 16 MiB
		fmt.Fprint(pub, "PING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
		waitFor(t, 10*time.Second, func() error {
			if v := w.varz(t); v.SlowConsumers != 1 || v.StalledClients == 0 {
				return fmt.Errorf("varz %+v, want one slow consumer after stalls", v)
			}
			return nil
		})
	})
}

// With no_fast_producer_stall the publisher never waits: what the gate
// would have held is not delivered, and the subscriber, far behind but
// not over max_pending, keeps its connection.
func TestFastProducerNoStall(t *testing.T) {
	cfg := serverConfig{"max_pending": "1048576", "write_deadline": "60s", "conf": "no_fast_producer_stall: true"}
	stallTargets(t, cfg, func(t *testing.T, w stallWorld) {
		sub, br := rawClient(t, w.addr)
		fmt.Fprint(sub, "SUB foo 1\r\nPING\r\n")
		expectLine(t, sub, br, "PONG\r\n")
		pub, pbr := rawClient(t, w.addr)
		const sent = 16 << 10
		flood(t, pub, "foo", sent)
		fmt.Fprint(pub, "PING\r\n")
		expectLine(t, pub, pbr, "PONG\r\n")
		if v := w.varz(t); v.SlowConsumers != 0 || v.StalledClients != 0 {
			t.Fatalf("varz %+v, want no slow consumer and no stall", v)
		}
		// The subscriber catches up: everything queued arrives, then its
		// PONG, and some messages never came.
		fmt.Fprint(sub, "PING\r\n")
		got := 0
		_ = sub.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("after %d messages: %v", got, err)
			}
			if line == "PONG\r\n" {
				break
			}
			if strings.HasPrefix(line, "MSG foo 1 1024") {
				got++
				if _, err := br.Discard(1026); err != nil {
					t.Fatalf("after %d messages: %v", got, err)
				}
			}
		}
		if got == 0 || got >= sent {
			t.Fatalf("subscriber got %d of %d messages; want some dropped", got, sent)
		}
		if v := w.varz(t); v.SlowConsumers != 0 {
			t.Fatalf("varz %+v after catching up", v)
		}
	})
}
