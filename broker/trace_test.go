package broker

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// captureLogger records log lines as "[LVL] msg".
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) add(lvl, f string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, "["+lvl+"] "+fmt.Sprintf(f, v...))
}
func (l *captureLogger) Noticef(f string, v ...any) { l.add("INF", f, v...) }
func (l *captureLogger) Warnf(f string, v ...any)   { l.add("WRN", f, v...) }
func (l *captureLogger) Errorf(f string, v ...any)  { l.add("ERR", f, v...) }
func (l *captureLogger) Fatalf(f string, v ...any)  { l.add("FTL", f, v...) }
func (l *captureLogger) Debugf(f string, v ...any)  { l.add("DBG", f, v...) }
func (l *captureLogger) Tracef(f string, v ...any)  { l.add("TRC", f, v...) }

func (l *captureLogger) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// TestTraceLines pins the trace and debug lines to nats-server's format,
// secrets redacted.
func TestTraceLines(t *testing.T) {
	s, err := New(&Options{Host: "127.0.0.1", Port: RandomPort, Trace: true, Debug: true, DisableShortFirstPing: true})
	if err != nil {
		t.Fatal(err)
	}
	log := &captureLogger{}
	s.SetLogger(log)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = nc.Write([]byte("SUB x 9\r\n" +
		`CONNECT {"verbose":false,"pedantic":false,"headers":true,"name":"cli","lang":"go","version":"1.0","user":"u","pass":"secret","auth_token":"tok"}` + "\r\n" +
		"SUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPUB foo 3\r\nabc\r\nUNSUB 1\r\nPING\r\n"))
	// Read up to the PONG, so the close is a clean EOF: unread data would
	// make it a reset, which is a "Read Error" for nats-server too.
	readUntil(t, nc, "PONG\r\n")
	waitFor(t, func() bool { return strings.Contains(strings.Join(log.snapshot(), "\n"), "->> [PONG]") }, nil)
	_ = nc.Close()
	waitFor(t, func() bool { return strings.Contains(strings.Join(log.snapshot(), "\n"), "DELSUB 9") }, nil)

	label := regexp.MustCompile(`127\.0\.0\.1:\d+ - cid:\d+`)
	var got []string
	for _, l := range log.snapshot() {
		if strings.HasPrefix(l, "[TRC]") || strings.Contains(l, "Client connection") {
			got = append(got, label.ReplaceAllString(l, "C"))
		}
	}
	id := `"v1.0:go:cli" - "$G/user:u"`
	want := []string{
		`[DBG] C - Client connection created`,
		`[TRC] C - <<- [SUB x 9]`,
		`[TRC] C - ->> [OK]`,
		`[TRC] C - <<- [CONNECT {"verbose":false,"pedantic":false,"headers":true,"name":"cli","lang":"go","version":"1.0","user":"u","pass":"[REDACTED]","auth_token":"[REDACTED]"}]`,
		`[TRC] C - ` + id + ` - <<- [SUB foo 1]`,
		`[TRC] C - ` + id + ` - <<- [HPUB foo 12 14]`,
		`[TRC] C - ` + id + ` - <<- MSG_PAYLOAD: ["NATS/1.0\r\n\r\nhi"]`,
		`[TRC] C - ` + id + ` - ->> [HMSG foo 1 12 14]`,
		`[TRC] C - ` + id + ` - ->> MSG_PAYLOAD: ["NATS/1.0\r\n\r\nhi"]`,
		`[TRC] C - ` + id + ` - <<- [PUB foo 3]`,
		`[TRC] C - ` + id + ` - <<- MSG_PAYLOAD: ["abc"]`,
		`[TRC] C - ` + id + ` - ->> [MSG foo 1 3]`,
		`[TRC] C - ` + id + ` - ->> MSG_PAYLOAD: ["abc"]`,
		`[TRC] C - ` + id + ` - <<- [UNSUB 1]`,
		`[TRC] C - ` + id + ` - <-> [DELSUB 1]`,
		`[TRC] C - ` + id + ` - <<- [PING]`,
		`[TRC] C - ` + id + ` - ->> [PONG]`,
		`[DBG] C - ` + id + ` - Client connection closed: Client Closed`,
		`[TRC] C - ` + id + ` - <-> [DELSUB 9]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("trace lines:\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range log.snapshot() {
		if strings.Contains(l, "secret") || strings.Contains(l, "tok\"") {
			t.Fatalf("a secret reached the log: %s", l)
		}
	}
}

// waitFor polls cond for up to 5s; nc, when given, is drained meanwhile.
func waitFor(t *testing.T, cond func() bool, nc net.Conn) {
	t.Helper()
	buf := make([]byte, 4096)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		if nc != nil {
			_ = nc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			_, _ = nc.Read(buf)
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Fatal("condition not met within 5s")
}

// readUntil reads nc until what it received ends with suffix (5s at most).
func readUntil(t *testing.T, nc net.Conn, suffix string) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	buf := make([]byte, 4096)
	for !strings.HasSuffix(string(got), suffix) {
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatalf("read: %v after %q", err, got)
		}
		got = append(got, buf[:n]...)
	}
}
