// Package testkit holds helpers that tests of several packages share: a
// buffer safe for concurrent writers, a test certificate authority, and
// reading the INFO a NATS server greets with. Only tests import it.
package testkit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a bytes.Buffer safe for concurrent writers (a process's
// output, a logger's goroutines) and a test reading it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Greeting dials the NATS server at addr and decodes the JSON of the INFO
// it greets with into v.
func Greeting(t testing.TB, addr string, v any) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("greeting %q, %v", line, err)
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line[5:])), v); err != nil {
		t.Fatalf("greeting %q: %v", line, err)
	}
}
