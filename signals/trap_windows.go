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
	return forward(sigs, func(s os.Signal) Command {
		if s == syscall.SIGTERM {
			return Term
		}
		return Quit
	})
}
