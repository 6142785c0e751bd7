//go:build !windows

package supervisor

import (
	"fmt"
	"runtime"
)

// RunService exists for Windows only: elsewhere it returns an error, since
// systemd runs `natsvisor run` as a plain process.
func RunService(name string, _ ServiceFunc, _ chan<- Control) (int, error) {
	return 1, fmt.Errorf("service %q: %s runs only under the Windows SCM, not on %s", name, ServiceFlag, runtime.GOOS)
}
