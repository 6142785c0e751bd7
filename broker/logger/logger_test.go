package logger

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var fixed = time.Date(2026, 11, 21, 9, 18, 9, 897755123, time.Local)

func newAt(w *bytes.Buffer, c Config) *Logger {
	l := New(w, c)
	l.now = func() time.Time { return fixed }
	return l
}

// The expected lines were taken byte for byte from nats-server v2.15.2's
// stderr and -l file output (both end lines in "\n" on Linux).
func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		log  func(l *Logger)
		want string
	}{
		{"notice", Config{Time: true, PID: 4806}, func(l *Logger) { l.Noticef("Starting nats-server") },
			"[4806] 2026/11/21 09:18:09.897755 [INF] Starting nats-server\n"},
		{"args", Config{Time: true, PID: 4806}, func(l *Logger) { l.Noticef("  Version:  %s", "2.15.2") },
			"[4806] 2026/11/21 09:18:09.897755 [INF]   Version:  2.15.2\n"},
		{"no time", Config{PID: 4991}, func(l *Logger) { l.Noticef("Trapped %q signal", "terminated") },
			"[4991] [INF] Trapped \"terminated\" signal\n"},
		{"warn", Config{PID: 1}, func(l *Logger) { l.Warnf("w") }, "[1] [WRN] w\n"},
		{"error", Config{PID: 1}, func(l *Logger) { l.Errorf("e %d", 2) }, "[1] [ERR] e 2\n"},
		{"fatal", Config{PID: 1}, func(l *Logger) { l.Fatalf("f") }, "[1] [FTL] f\n"},
		{"debug on", Config{PID: 1, Debug: true}, func(l *Logger) { l.Debugf("  Go build: %s", "go1.26.8") },
			"[1] [DBG]   Go build: go1.26.8\n"},
		{"trace on", Config{PID: 1, Trace: true}, func(l *Logger) { l.Tracef("<<- [%s]", "PING") }, "[1] [TRC] <<- [PING]\n"},
		{"debug off", Config{PID: 1, Trace: true}, func(l *Logger) { l.Debugf("x") }, ""},
		{"trace off", Config{PID: 1, Debug: true}, func(l *Logger) { l.Tracef("x") }, ""},
		{"no pid", Config{}, func(l *Logger) { l.Noticef("x") }, "[INF] x\n"},
		{"newline kept single", Config{}, func(l *Logger) { l.Noticef("x\n") }, "[INF] x\n"},
		{"empty message", Config{}, func(l *Logger) { l.Noticef("") }, "[INF] \n"},
		{"percent in arg", Config{}, func(l *Logger) { l.Noticef("%s", "100%") }, "[INF] 100%\n"},
		{"colors", Config{PID: 7, Colors: true, Debug: true}, func(l *Logger) { l.Noticef("a"); l.Debugf("b") },
			"[7] [\x1b[32mINF\x1b[0m] a\n[7] [\x1b[36mDBG\x1b[0m] b\n"},
		{"utc", Config{Time: true, UTC: true}, func(l *Logger) { l.Noticef("u") },
			fixed.UTC().Format("2006/01/02 15:04:05.000000") + " [INF] u\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(newAt(&buf, tt.cfg))
			if got := buf.String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// The real clock gives nats-server's layout.
func TestRealClock(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, Config{Time: true, PID: 42}).Warnf("hi")
	re := regexp.MustCompile(`^\[42\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[WRN\] hi\n$`)
	if !re.Match(buf.Bytes()) {
		t.Fatalf("line %q does not match %s", buf.String(), re)
	}
}

// countingStringer counts how often it is formatted.
type countingStringer struct{ n *int }

func (c countingStringer) String() string { *c.n++; return "x" }

func TestDisabledLevelsDoNotFormat(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, Config{})
	n := 0
	l.Debugf("%s", countingStringer{&n})
	l.Tracef("%s", countingStringer{&n})
	if n != 0 || buf.Len() != 0 {
		t.Fatalf("disabled levels formatted %d times, wrote %q", n, buf.String())
	}
	allocs := testing.AllocsPerRun(100, func() { l.Debugf("x %d", 1) })
	if allocs != 0 {
		t.Fatalf("disabled Debugf allocates %v times", allocs)
	}
}

// writeRecorder keeps each Write call separately.
type writeRecorder struct {
	mu     sync.Mutex
	writes []string
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestOneWritePerLineConcurrently(t *testing.T) {
	w := &writeRecorder{}
	l := New(w, Config{Time: true, PID: 9, Debug: true})
	const goroutines, lines = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				l.Debugf("goroutine %d line %d %s", g, i, strings.Repeat("z", i))
			}
		}()
	}
	wg.Wait()
	if len(w.writes) != goroutines*lines {
		t.Fatalf("%d writes, want %d", len(w.writes), goroutines*lines)
	}
	re := regexp.MustCompile(`^\[9\] \S+ \S+ \[DBG\] goroutine (\d+) line (\d+) z*\n$`)
	seen := map[string]bool{}
	for _, s := range w.writes {
		m := re.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("malformed write %q", s)
		}
		seen[m[1]+"/"+m[2]] = true
	}
	if len(seen) != goroutines*lines {
		t.Fatalf("%d distinct lines, want %d", len(seen), goroutines*lines)
	}
}

func BenchmarkNoticef(b *testing.B) {
	l := New(discard{}, Config{Time: true, PID: 1})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Noticef("client %d connected from %s", i, "127.0.0.1:4222")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func ExampleNew() {
	var buf bytes.Buffer
	l := New(&buf, Config{PID: 1234}) // as -T=false; with Time the date follows the pid
	l.Noticef("Listening for client connections on %s", "0.0.0.0:4222")
	l.Debugf("not written: Debug is off")
	fmt.Print(buf.String())
	// Output: [1234] [INF] Listening for client connections on 0.0.0.0:4222
}
