//go:build !windows

package main

import (
	"context"
	"errors"
)

// checkService refuses --service: only the Windows SCM starts a process
// that must speak its protocol; systemd runs `natsvisor run` as is.
func checkService() error {
	return usagef("--service is only for the Windows service manager")
}

// runService is never reached here: checkService refuses --service first.
func runService(string, func(ctx context.Context, ready func()) int) (int, error) {
	return exitUsage, errors.New("--service is only for the Windows service manager")
}
