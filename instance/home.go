package instance

import (
	"fmt"
	"os"
	"path/filepath"
)

// HomeEnv names the environment variable that overrides DefaultHome; the
// CLI's --home flag overrides both.
const HomeEnv = "NATSVISOR_HOME"

// DefaultHome returns the registry's home directory: $NATSVISOR_HOME when
// set (made absolute), else the system's home when Privileged and the
// user's otherwise:
//
//	             system (root / elevated)   user
//	Linux, Unix  /var/lib/natsvisor         $XDG_STATE_HOME/natsvisor, or ~/.local/state/natsvisor
//	Windows      %ProgramData%\natsvisor    %LOCALAPPDATA%\natsvisor
func DefaultHome() (string, error) {
	if h := os.Getenv(HomeEnv); h != "" {
		abs, err := filepath.Abs(h)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w", HomeEnv, h, err)
		}
		return abs, nil
	}
	if Privileged() {
		return systemHome(), nil
	}
	h, err := userHome()
	if err != nil {
		return "", fmt.Errorf("no home directory for the registry (%w); set %s or --home", err, HomeEnv)
	}
	return h, nil
}

// Privileged reports whether this process runs as root (Unix) or elevated
// (Windows): its registry and services are then the system's, not the
// user's.
func Privileged() bool { return privileged() }
