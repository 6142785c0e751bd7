package signals

import (
	"os"
	"os/signal"
	"syscall"
)

// Trap turns Ctrl-C (and Ctrl-Break, SIGTERM from Go) into events until
// stop is called; a Windows console process has no other signals. Under
// the SCM, the service loop sends its controls as events instead.
func Trap() (events <-chan Event, stop func()) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ch := make(chan Event, 4)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				c := Quit
				if s == syscall.SIGTERM {
					c = Term
				}
				ch <- Event{Command: c, Name: s.String()}
			}
		}
	}()
	return ch, func() { signal.Stop(sigs); close(done) }
}
