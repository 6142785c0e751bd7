package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/supervisor"
)

// control is one service action: its name and how to ask the manager.
type control struct {
	verb, done, short, long string
	do                      func(m supervisor.Manager, ctx context.Context, name string) error
}

func newStartCmd() *cobra.Command {
	return newControlCmd(control{verb: "start", done: "started",
		short: "Start an instance's service and wait until the broker is ready",
		long: `Start the OS service of instance <name> and wait until the service manager
reports it active: the broker listens on every port it was configured with.
Nothing changes on the system but the running service.`,
		do: supervisor.Manager.Start})
}

func newStopCmd() *cobra.Command {
	return newControlCmd(control{verb: "stop", done: "stopped",
		short: "Stop an instance's service gracefully",
		long: `Stop the OS service of instance <name> and wait until it is inactive. The
broker shuts down gracefully. The service stays installed and enabled: it
starts again at boot.`,
		do: supervisor.Manager.Stop})
}

func newRestartCmd() *cobra.Command {
	return newControlCmd(control{verb: "restart", done: "restarted",
		short: "Restart an instance's service, applying changed flags",
		long: `Stop then start the OS service of instance <name>, waiting until the broker
is ready again. This applies flags changed by "natsvisor install".`,
		do: supervisor.Manager.Restart})
}

// newControlCmd builds start, stop or restart.
func newControlCmd(c control) *cobra.Command {
	return &cobra.Command{
		Use:               c.verb + " <name>",
		Short:             c.short,
		Long:              c.long,
		Example:           fmt.Sprintf("  natsvisor %s east\n  natsvisor %s west", c.verb, c.verb),
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeInstances,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, _, err := getInstance(cmd, args[0]); err != nil {
				return err
			}
			mgr, err := newManager()
			if err != nil {
				return err
			}
			return controlAndReport(cmd.Context(), cmd.OutOrStdout(), mgr, args[0], c)
		},
	}
}

// startAndReport starts name and says so with its pid.
func startAndReport(ctx context.Context, out io.Writer, mgr supervisor.Manager, name, done string) error {
	return controlAndReport(ctx, out, mgr, name, control{verb: "start", done: done, do: supervisor.Manager.Start})
}

// controlAndReport runs c on name, then reports the pid the manager gives
// (none after a stop).
func controlAndReport(ctx context.Context, out io.Writer, mgr supervisor.Manager, name string, c control) error {
	if err := c.do(mgr, ctx, name); err != nil {
		return controlErr(name, c.verb, err)
	}
	st, err := mgr.Status(ctx, name)
	if err != nil || st.PID == 0 {
		fmt.Fprintf(out, "%s %s\n", c.done, name)
		return nil
	}
	fmt.Fprintf(out, "%s %s (pid %d)\n", c.done, name, st.PID)
	return nil
}

// controlErr names the instance and says what to do when its service is
// missing.
func controlErr(name, verb string, err error) error {
	if errors.Is(err, supervisor.ErrNotInstalled) {
		return fmt.Errorf("instance %q: cannot %s: %w; install it again (natsvisor install --name %s -- <flags>)", name, verb, err, name)
	}
	return fmt.Errorf("instance %q: cannot %s: %w", name, verb, err)
}
