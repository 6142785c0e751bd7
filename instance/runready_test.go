package instance

import (
	"context"
	"net"
	"testing"
	"time"
)

// RunReady calls ready once the listener accepts, before the broker stops.
func TestRunReadyCallsReady(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	ready := make(chan struct{})
	done := make(chan int, 1)
	go func() {
		done <- RunReady(ctx, []string{"-a", "127.0.0.1", "-p", "-1"}, &stdout, &stderr, func() { close(ready) })
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("Run returned %d before ready; stderr:\n%s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("ready not called after 10s")
	}
	addr := waitForListen(t, stderr.String, done)
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("not accepting once ready: %v", err)
	}
	conn.Close()
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d", code)
	}
}
