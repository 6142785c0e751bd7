package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Detect returns the systemd manager when systemd runs this host
// (/run/systemd/system exists) and systemctl answers: the system manager
// for root, the per-user manager (systemctl --user) for anyone else.
// Otherwise it returns an error wrapping ErrNoManager that says why.
func Detect() (Manager, error) {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return nil, fmt.Errorf("%w: systemd is not running this host (no /run/systemd/system; a container?): "+
			"run the broker in the foreground with `natsvisor run` instead", ErrNoManager)
	}
	path, err := exec.LookPath("systemctl")
	if err != nil {
		return nil, fmt.Errorf("%w: systemd runs this host but systemctl is not on PATH", ErrNoManager)
	}
	user := os.Geteuid() != 0
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m, err := newSystemd(ctx, path, user)
	if err != nil {
		if user {
			return nil, fmt.Errorf("%w: the per-user systemd manager does not answer (%v); "+
				"log in through a session, or `loginctl enable-linger`, or run as root", ErrNoManager, err)
		}
		return nil, fmt.Errorf("%w: systemd does not answer: %v", ErrNoManager, err)
	}
	return m, nil
}
