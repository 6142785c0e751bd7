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
	sigs := make(chan os.Signal, 4)
	for s := range trapped {
		signal.Notify(sigs, s)
	}
	return forward(sigs, func(s os.Signal) Command { return trapped[s] })
}
