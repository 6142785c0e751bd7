//go:build !windows

package signals

import (
	"os"
	"os/signal"
	"syscall"
)

// trapped maps the signals an instance traps to commands (SIGKILL, stop,
// cannot be trapped).
var trapped = map[os.Signal]Command{
	syscall.SIGINT: Quit, syscall.SIGTERM: Term, syscall.SIGUSR1: Reopen,
	syscall.SIGHUP: Reload, syscall.SIGUSR2: LDM,
}

// Trap turns the process's signals into events until stop is called.
func Trap() (events <-chan Event, stop func()) {
	return trap(trapped)
}

func trap(m map[os.Signal]Command) (<-chan Event, func()) {
	sigs := make(chan os.Signal, 4)
	list := make([]os.Signal, 0, len(m))
	for s := range m {
		list = append(list, s)
	}
	signal.Notify(sigs, list...)
	events := make(chan Event, 4)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				events <- Event{Command: m[s], Name: s.String()}
			}
		}
	}()
	return events, func() { signal.Stop(sigs); close(done) }
}
