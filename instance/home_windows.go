package instance

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

func privileged() bool { return windows.GetCurrentProcessToken().IsElevated() }

func systemHome() string {
	pd := os.Getenv("ProgramData")
	if !filepath.IsAbs(pd) {
		pd = `C:\ProgramData`
	}
	return filepath.Join(pd, "natsvisor")
}

func userHome() (string, error) {
	la := os.Getenv("LOCALAPPDATA")
	if !filepath.IsAbs(la) {
		return "", errors.New("%LOCALAPPDATA% is not set")
	}
	return filepath.Join(la, "natsvisor"), nil
}
