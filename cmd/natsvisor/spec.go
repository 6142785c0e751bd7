package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/supervisor"
)

// Service timing; the spec documents each in supervisor.Spec.
const (
	// startupDelayEnv bounds the broker's wait for its listeners, as in
	// nats-server (a Go duration).
	startupDelayEnv     = "NATS_STARTUP_DELAY"
	defaultStartupDelay = 10 * time.Second
	startMargin         = 5 * time.Second
	stopMargin          = 30 * time.Second
	restartDelay        = 3 * time.Second
	limitNOFILE         = 65536
)

// executable is the absolute path of the running natsvisor, which the
// service will run. Tests replace it.
var executable = func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find the natsvisor executable for the service: %w", err)
	}
	return filepath.Abs(exe)
}

// serviceSpec describes inst's OS service: `natsvisor run --name X --home
// H`, with a start timeout from NATS_STARTUP_DELAY and a stop timeout from
// the lame duck duration, and no restart after an error restarting cannot
// fix (bad flags, bad config, instance gone).
func serviceSpec(inst *instance.Instance, opts *broker.Options) (supervisor.Spec, error) {
	exe, err := executable()
	if err != nil {
		return supervisor.Spec{}, err
	}
	env := map[string]string{instance.HomeEnv: inst.Home}
	delay := defaultStartupDelay
	if v, ok := os.LookupEnv(startupDelayEnv); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return supervisor.Spec{}, usagef("%s=%q is not a positive Go duration (such as 30s)", startupDelayEnv, v)
		}
		delay, env[startupDelayEnv] = d, v
	}
	return supervisor.Spec{
		Name:               inst.Name,
		Description:        fmt.Sprintf("NATS broker %s (natsvisor)", inst.Name),
		Executable:         exe,
		Args:               []string{"run", "--name", inst.Name, "--home", inst.Home},
		Env:                env,
		StartTimeout:       delay + startMargin,
		StopTimeout:        opts.LameDuckDuration + stopMargin,
		RestartSec:         restartDelay,
		NoRestartExitCodes: []int{exitUsage, exitConfig, exitNotFound},
		LimitNOFILE:        limitNOFILE,
	}, nil
}
