//go:build !windows

package instance

import (
	"os"
	"syscall"
)

// reopenSignals ask `natsvisor run` to reopen its log file: SIGUSR1, as
// nats-server.
var reopenSignals = []os.Signal{syscall.SIGUSR1}
