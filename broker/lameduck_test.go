package broker

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// TestLameDuck checks the sequence of nats-server's lame duck mode with a
// real nats.go client and raw protocol-0 and protocol-1 clients.
func TestLameDuck(t *testing.T) {
	s, err := New(&Options{Host: "127.0.0.1", Port: RandomPort, NoLog: true,
		LameDuckDuration: 900 * time.Millisecond, LameDuckGracePeriod: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	addr := s.Addr().String()

	ldm := make(chan struct{}, 1)
	closed := make(chan struct{})
	nc, err := nats.Connect(s.ClientURL(), nats.NoReconnect(),
		nats.LameDuckModeHandler(func(*nats.Conn) { ldm <- struct{}{} }),
		nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	p1 := rawClient(t, addr, `CONNECT {"verbose":false,"pedantic":false,"protocol":1}`)
	p0 := rawClient(t, addr, `CONNECT {"verbose":false,"pedantic":false,"protocol":0}`)

	start := time.Now()
	s.LameDuck()
	if !s.InLameDuck() {
		t.Fatal("InLameDuck is false after LameDuck")
	}
	select {
	case <-ldm:
	case <-time.After(2 * time.Second):
		t.Fatal("nats.go saw no lame duck INFO")
	}
	if line := readLine(t, p1); !strings.HasPrefix(line, "INFO ") || !strings.Contains(line, `"ldm":true`) {
		t.Fatalf("protocol-1 client got %q, want INFO with ldm", line)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a new connection was accepted in lame duck mode")
	}
	// The protocol-0 client gets nothing before it is closed.
	if line, err := bufio.NewReader(p0).ReadString('\n'); err == nil {
		t.Fatalf("protocol-0 client got %q, want only the close", line)
	}
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("the nats.go connection was not closed")
	}
	select {
	case <-s.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the server did not shut down after lame duck")
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("clients closed after %v, before the grace period", d)
	}
}

// TestLameDuckNoClients shuts down at once.
func TestLameDuckNoClients(t *testing.T) {
	s, err := New(&Options{Host: "127.0.0.1", Port: RandomPort, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.LameDuck()
	select {
	case <-s.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("no shutdown with no clients")
	}
	s.LameDuck() // after shutdown: nothing happens
}

func TestCloseSpacing(t *testing.T) {
	for _, tc := range []struct {
		d          time.Duration
		n          int
		gap        time.Duration
		batchAtMin int
	}{
		{110 * time.Second, 10, time.Second, 1},
		{time.Second, 4, 250 * time.Millisecond, 1},
		{0, 2, 500 * time.Millisecond, 1},
		{10, 100, 1, 10},
	} {
		gap, batch := closeSpacing(tc.d, tc.n)
		if gap != tc.gap || batch != tc.batchAtMin {
			t.Errorf("closeSpacing(%v, %d) = %v, %d; want %v, %d", tc.d, tc.n, gap, batch, tc.gap, tc.batchAtMin)
		}
	}
}

// rawClient connects, reads INFO, sends connect and a PING and waits for the
// PONG, so the server counts the handshake as done.
func rawClient(t *testing.T, addr, connect string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	readLine(t, c) // INFO
	if _, err := c.Write([]byte(connect + "\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	for {
		line := readLine(t, c)
		if line == "PONG\r\n" {
			break
		}
	}
	// A protocol-1 client also gets the INFO that answers its first PING.
	if strings.Contains(connect, `"protocol":1`) {
		if line := readLine(t, c); !strings.Contains(line, `"connect_info":true`) {
			t.Fatalf("got %q, want the connect INFO", line)
		}
	}
	return c
}

// readLine reads one line with a deadline, byte by byte so no data is
// buffered away from later readers.
func readLine(t *testing.T, c net.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	var b []byte
	one := make([]byte, 1)
	for {
		if _, err := c.Read(one); err != nil {
			t.Fatalf("read: %v (after %q)", err, b)
		}
		b = append(b, one[0])
		if one[0] == '\n' {
			return string(b)
		}
	}
}
