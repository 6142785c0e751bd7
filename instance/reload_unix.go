//go:build !windows

package instance

import (
	"os"
	"syscall"
)

// reloadSignals ask `natsvisor run` to reload its configuration: SIGHUP, as
// nats-server.
var reloadSignals = []os.Signal{syscall.SIGHUP}
