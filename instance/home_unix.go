//go:build !windows

package instance

import (
	"os"
	"path/filepath"
)

func privileged() bool { return os.Geteuid() == 0 }

func systemHome() string { return "/var/lib/natsvisor" }

func userHome() (string, error) {
	if s := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(s) {
		return filepath.Join(s, "natsvisor"), nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".local", "state", "natsvisor"), nil
}
