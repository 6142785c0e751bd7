//go:build !windows

package signals

import (
	"errors"
	"fmt"
	"syscall"
)

// byName is false on Unix: commands go to a pid.
const byName = false

var unixSignals = map[Command]syscall.Signal{
	Stop: syscall.SIGKILL, Quit: syscall.SIGINT, Term: syscall.SIGTERM,
	Reopen: syscall.SIGUSR1, Reload: syscall.SIGHUP, LDM: syscall.SIGUSR2,
}

// kill is the delivery syscall; tests replace it.
var kill = syscall.Kill

// send delivers cmd to t's process.
func send(cmd Command, t Target) error {
	if err := kill(t.PID, unixSignals[cmd]); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("signal %q %d: %w", cmd, t.PID, ErrNotRunning)
		}
		return fmt.Errorf("signal %q %d: %w", cmd, t.PID, err)
	}
	return nil
}

// alive reports whether pid names a live process we may signal.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// servicePID is Windows' lookup of an instance's process through the SCM;
// on Unix instancePID reads the pid file instead.
func servicePID(name string) (int, error) {
	return 0, fmt.Errorf("instance %q: no service manager lookup on this OS", name)
}
