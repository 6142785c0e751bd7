package broker

import (
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// stuckConn is the server's end of a client connection whose next writes
// time out after writing part of what they were given (all of it: 0 bytes
// moved), as a socket does when its peer reads too slowly. Only the
// timing of the OS is faked: the bytes go through a real net.Pipe.
type stuckConn struct {
	net.Conn
	mu    sync.Mutex
	fails int  // writes still to time out
	none  bool // a failing write moves nothing
}

func (c *stuckConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	fail, none := c.fails > 0, c.none
	if fail {
		c.fails--
	}
	c.mu.Unlock()
	if !fail {
		return c.Conn.Write(p)
	}
	n := len(p) / 2
	if none || n == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	if _, err := c.Conn.Write(p[:n]); err != nil {
		return 0, err
	}
	return n, os.ErrDeadlineExceeded
}

func (c *stuckConn) arm(fails int, none bool) {
	c.mu.Lock()
	c.fails, c.none = fails, none
	c.mu.Unlock()
}

// TestWriteTimeoutPolicy: a write past the deadline is a logged, counted
// slow consumer; "close" (the default) closes the client, "retry" goes on
// writing, with every byte delivered once and in order, while each attempt
// moves something, and closes it when one moves nothing.
func TestWriteTimeoutPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, policy string
		fails        int
		none         bool
		open         bool
		logs         []string
	}{
		{"default closes", "", 1, false, false, []string{"Slow Consumer Detected: WriteDeadline of 1s exceeded with "}},
		{"close", "close", 1, false, false, []string{"Slow Consumer Detected: WriteDeadline of 1s exceeded with "}},
		{"retry", "retry", 2, false, true, []string{
			"Slow Consumer Detected: WriteDeadline of 1s exceeded with ",
			"Slow Consumer State: WriteDeadline of 1s exceeded with ",
			"Slow Consumer Recovered: Flush took ",
		}},
		{"retry without progress", "retry", 1, true, false, []string{"Slow Consumer Detected: WriteDeadline of 1s exceeded with "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(&Options{Host: "127.0.0.1", Port: RandomPort, WriteDeadline: time.Second, WriteTimeout: tc.policy})
			if err != nil {
				t.Fatal(err)
			}
			log := &captureLogger{}
			s.SetLogger(log)
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown()
			ours, theirs := net.Pipe()
			defer ours.Close()
			sc := &stuckConn{Conn: theirs}
			s.createClient(sc)
			var mu sync.Mutex
			var got []byte
			readDone := make(chan struct{})
			go func() {
				defer close(readDone)
				buf := make([]byte, 4096)
				for {
					n, err := ours.Read(buf)
					mu.Lock()
					got = append(got, buf[:n]...)
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
			received := func() string { mu.Lock(); defer mu.Unlock(); return string(got) }
			_, _ = io.WriteString(ours, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB foo 1\r\nPING\r\n")
			waitFor(t, func() bool { return strings.HasSuffix(received(), "PONG\r\n") }, nil)
			start := len(received())
			sc.arm(tc.fails, tc.none)
			_, _ = io.WriteString(ours, "PUB foo 11\r\nhello world\r\nPING\r\n")
			if tc.open {
				want := "MSG foo 1 11\r\nhello world\r\nPONG\r\n"
				waitFor(t, func() bool { return len(received())-start >= len(want) }, nil)
				if r := received()[start:]; r != want {
					t.Fatalf("received %q, want %q", r, want)
				}
			} else {
				select {
				case <-readDone:
				case <-time.After(5 * time.Second):
					t.Fatal("the connection was not closed")
				}
				waitFor(t, func() bool { return len(s.closedConns.list()) == 1 }, nil)
				if c := s.closedConns.list()[0]; c.reason != reasonSlowConsumerDeadline {
					t.Fatalf("closed for %v", c.reason)
				}
			}
			if n := s.slowConsumers.Load(); n != int64(tc.fails) {
				t.Errorf("slow consumers %d, want %d", n, tc.fails)
			}
			var logged []string
			for _, l := range log.snapshot() {
				if strings.Contains(l, "Slow Consumer") {
					logged = append(logged, l)
				}
			}
			if len(logged) != len(tc.logs) {
				t.Fatalf("logged:\n%s", strings.Join(logged, "\n"))
			}
			for i, w := range tc.logs {
				if !strings.Contains(logged[i], w) || !strings.HasPrefix(logged[i], "[INF] ") {
					t.Errorf("line %d: %q, want %q", i, logged[i], w)
				}
			}
		})
	}
}
