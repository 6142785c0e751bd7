package main

import (
	"context"
	"errors"
)

// checkService accepts --service: on Windows it means the SCM started
// this process.
func checkService() error { return nil }

// runService runs fn under the Windows SCM as service name and returns its
// exit code. The SCM control loop belongs to package supervisor.
func runService(name string, fn func(ctx context.Context, ready func()) int) (int, error) {
	return exitFailed, errors.New("running under the Windows service manager is not built into this natsvisor yet")
}
