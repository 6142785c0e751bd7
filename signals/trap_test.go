package signals

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeBroker records what the loop asks of it.
type fakeBroker struct {
	mu      sync.Mutex
	calls   []string
	ldm     bool
	done    chan struct{}
	stopped bool
}

func newFakeBroker() *fakeBroker { return &fakeBroker{done: make(chan struct{})} }

func (f *fakeBroker) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}
func (f *fakeBroker) Shutdown() {
	f.record("shutdown")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.stopped {
		f.stopped = true
		close(f.done)
	}
}
func (f *fakeBroker) LameDuck()             { f.record("ldm"); f.mu.Lock(); f.ldm = true; f.mu.Unlock() }
func (f *fakeBroker) InLameDuck() bool      { f.mu.Lock(); defer f.mu.Unlock(); return f.ldm }
func (f *fakeBroker) Reload() error         { f.record("reload"); return nil }
func (f *fakeBroker) ReopenLog()            { f.record("reopen") }
func (f *fakeBroker) Done() <-chan struct{} { return f.done }

func TestLoop(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Command
		want []string
		ends bool
	}{
		{"reload then quit", []Command{Reload, Quit}, []string{"reload", "shutdown"}, true},
		{"reopen, ldm, term ignored in lame duck", []Command{Reopen, LDM, Term}, []string{"reopen", "ldm"}, false},
		{"term", []Command{Term}, []string{"shutdown"}, true},
		{"stop", []Command{Stop}, []string{"shutdown"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newFakeBroker()
			events := make(chan Event)
			var logged []string
			ended := make(chan struct{})
			go func() {
				Loop(context.Background(), b, events, func(f string, v ...any) { logged = append(logged, f) })
				close(ended)
			}()
			for _, c := range tc.in {
				done := make(chan struct{})
				events <- Event{Command: c, Name: string(c), Done: done}
				<-done
			}
			select {
			case <-ended:
				if !tc.ends {
					t.Fatal("the loop ended")
				}
			case <-time.After(100 * time.Millisecond):
				if tc.ends {
					t.Fatal("the loop did not end")
				}
				b.Shutdown()
				<-ended
				b.calls = b.calls[:len(b.calls)-1]
			}
			if len(b.calls) != len(tc.want) {
				t.Fatalf("calls %v, want %v", b.calls, tc.want)
			}
			for i := range tc.want {
				if b.calls[i] != tc.want[i] {
					t.Fatalf("calls %v, want %v", b.calls, tc.want)
				}
			}
			if len(logged) != len(tc.in) {
				t.Fatalf("logged %d events, want %d", len(logged), len(tc.in))
			}
		})
	}
}

func TestLoopContextShutsDown(t *testing.T) {
	b := newFakeBroker()
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	go func() { Loop(ctx, b, nil, func(string, ...any) {}); close(ended) }()
	cancel()
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Fatal("the loop did not end with its context")
	}
	if len(b.calls) != 1 || b.calls[0] != "shutdown" {
		t.Fatalf("calls %v", b.calls)
	}
}
