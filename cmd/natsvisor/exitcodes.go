package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/signals"
	"github.com/natsvisor/natsvisor/supervisor"
)

// Exit codes of every natsvisor command, in one place: the help texts and
// README.md list exitCodes. The first four are instance.Run's, so `run` and
// the service manager see the same numbers.
const (
	exitOK       = instance.ExitOK      // 0
	exitFailed   = instance.ExitStartup // 1
	exitUsage    = instance.ExitUsage   // 2
	exitConfig   = instance.ExitConfig  // 3
	exitNotFound = 4
	exitTimeout  = 5
	exitConflict = 6
	exitNotReady = instance.ExitNotReady // 7
)

// exitCodes documents the codes; run marks those `natsvisor run` returns.
var exitCodes = []struct {
	code    int
	run     bool
	name    string // a few words, for a service's last exit in list
	meaning string
}{
	{exitOK, true, "", "success; for run: the broker stopped on SIGINT or SIGTERM"},
	{exitFailed, true, "start failed", "failure: the broker could not start (port in use, log or pid file not writable), or the service manager refused"},
	{exitUsage, true, "bad arguments", "bad arguments: unknown, unsupported or malformed flag, invalid instance name, unknown command"},
	{exitConfig, true, "bad configuration", "bad configuration: the config file cannot be read or is invalid, or the options are"},
	{exitNotFound, true, "instance not found", "no such instance in the registry, its service is not installed, or a signal target matches nothing or is not running"},
	{exitTimeout, false, "", "the service manager did not finish a start or stop in time, or a signal's effect was not seen in time"},
	{exitConflict, false, "", "conflict: a port used by another instance, a name taken, or a service natsvisor did not install"},
	{exitNotReady, true, "not ready in time", "the broker did not accept connections on every listener within NATS_STARTUP_DELAY (default 10s) and was shut down"},
}

// exitName is ", <name>" for an exit code `natsvisor run` returns, else "".
func exitName(code int) string {
	for _, c := range exitCodes {
		if c.code == code && c.run && c.name != "" {
			return ", " + c.name
		}
	}
	return ""
}

// exitCodesHelp renders exitCodes for a help text; onlyRun keeps run's.
func exitCodesHelp(onlyRun bool) string {
	var b strings.Builder
	b.WriteString("Exit codes:")
	for _, c := range exitCodes {
		if !onlyRun || c.run {
			fmt.Fprintf(&b, "\n  %d  %s", c.code, c.meaning)
		}
	}
	return b.String()
}

// usageError marks a command-line mistake: exit code 2 and a hint to read
// the help.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError ends a command with an exit code whose reason was printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode maps an error to the exit code that names its kind.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.Is(err, instance.ErrInvalidName), errors.Is(err, instance.ErrInvalidArgs):
		return exitUsage
	case errors.Is(err, instance.ErrInvalidConfig):
		return exitConfig
	case errors.Is(err, instance.ErrNotFound), errors.Is(err, supervisor.ErrNotInstalled),
		errors.Is(err, signals.ErrNoTarget), errors.Is(err, signals.ErrNotRunning):
		return exitNotFound
	case errors.Is(err, supervisor.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	case errors.Is(err, instance.ErrPortInUse), errors.Is(err, instance.ErrNameTaken), errors.Is(err, supervisor.ErrForeign):
		return exitConflict
	}
	return exitFailed
}

// markUsageErrors makes the argument errors of cmd and its subcommands
// usage errors (cobra returns them as plain errors); flag errors are marked
// by the root's flag error func, which subcommands inherit.
func markUsageErrors(cmd *cobra.Command) {
	if v := cmd.Args; v != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := v(c, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		markUsageErrors(sub)
	}
}

// unknownCommand is the root's Args: any argument is an unknown command.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return usageError{errors.New(msg)}
}
