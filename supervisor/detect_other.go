//go:build !linux && !windows

package supervisor

import (
	"fmt"
	"runtime"
)

// Detect returns ErrNoManager: natsvisor drives systemd (Linux) and the
// Windows SCM only.
func Detect() (Manager, error) {
	return nil, fmt.Errorf("%w: natsvisor installs services with systemd (Linux) and the Windows SCM, not on %s: "+
		"run the broker in the foreground with `natsvisor run` instead", ErrNoManager, runtime.GOOS)
}
