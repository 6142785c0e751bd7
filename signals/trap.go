package signals

import (
	"context"
	"os"
	"os/signal"
)

// Broker is what the in-process trap drives; *broker.Server satisfies it.
type Broker interface {
	Shutdown()
	LameDuck()
	InLameDuck() bool
	Reload() error
	ReopenLog()
	Done() <-chan struct{}
}

// Event is one command arriving at a running instance, from an OS signal
// or a service manager control, with the name it is logged under.
type Event struct {
	Command Command
	// Name is how the trap logs it: `Trapped "hangup" signal`.
	Name string
	// Done, when not nil, is closed once the command has been carried out
	// (a service manager control waits on it).
	Done chan<- struct{}
}

// Loop carries out events until the broker is done or ctx ends (then it
// shuts the broker down). quit and stop shut down; term does too, except
// during lame duck mode, as nats-server; reload, reopen and ldm act and
// go on. logf logs each event as nats-server does.
func Loop(ctx context.Context, b Broker, events <-chan Event, logf func(format string, v ...any)) {
	for {
		select {
		case <-ctx.Done():
			b.Shutdown()
			return
		case <-b.Done():
			return
		case ev := <-events:
			if ev.Name != "" {
				logf("Trapped %q signal", ev.Name)
			}
			stop := apply(b, ev.Command)
			if ev.Done != nil {
				close(ev.Done)
			}
			if stop {
				return
			}
		}
	}
}

// apply carries out one command; it reports whether the broker stopped.
func apply(b Broker, c Command) bool {
	switch c {
	case Quit, Stop:
		b.Shutdown()
		return true
	case Term:
		if b.InLameDuck() {
			return false // nats-server ignores SIGTERM during lame duck
		}
		b.Shutdown()
		return true
	case Reload:
		_ = b.Reload() // the broker logs and records the result
	case Reopen:
		b.ReopenLog()
	case LDM:
		b.LameDuck()
	}
	return false
}

// forward turns what arrives on sigs into events, naming each command with
// command(sig), until the returned stop func is called.
func forward(sigs chan os.Signal, command func(os.Signal) Command) (<-chan Event, func()) {
	events := make(chan Event, 4)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				events <- Event{Command: command(s), Name: s.String()}
			}
		}
	}()
	return events, func() { signal.Stop(sigs); close(done) }
}
