package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/signals"
	"github.com/natsvisor/natsvisor/supervisor"
)

func newRunCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run [--name <name> [--home <dir>] [--service]] [-- <nats-server flags>...]",
		Short: "Run one broker in the foreground, like nats-server",
		Long: `Run one NATS broker in the foreground, as nats-server does: it logs to stderr
(or to the -l file), and stops gracefully on Ctrl-C (SIGINT) or SIGTERM.
Nothing is installed or registered on the system.

"run --name <name>" runs installed instance <name> with the flags saved by
"natsvisor install" (from the registry under --home, else $NATSVISOR_HOME,
else the default home): this is what its OS service executes. "--service"
says the process runs under the Windows service manager; the service adds it.

natsvisor's own flags (--name, --home, --service, spelled with two dashes)
are recognised only before "--", or anywhere when there is no "--".
Everything after "--" goes to the broker verbatim: "natsvisor run -- --name
foo" sets the broker's server name, "natsvisor run --name east" runs
instance east, and "natsvisor run -p 4222" (no "--") still runs a broker on
port 4222. The flag syntax is nats-server's: -x and --x are the same flag,
values follow as "-x v" or "-x=v", and booleans are turned off with
"-x=false". "natsvisor run -h" (or "-- -h") prints this help; "-- -v" prints
the version.

Supported nats-server flags:
` + broker.FlagUsage() + `
Recognised but not supported yet (refused with an error):
` + wrap(broker.RefusedFlags(), 78, "  ") + `

` + exitCodesHelp(true),
		Example: `  # A broker on the default port 4222
  natsvisor run

  # Two brokers side by side, each with its own port, name, log and pid file
  natsvisor run -- -p 4222 -n east -l east.log -P east.pid
  natsvisor run -- -p 4223 -n west -l west.log -P west.pid

  # Installed instance east in the foreground, as its service runs it
  natsvisor run --name east

  # A random port on the loopback, with debug and trace, without timestamps
  natsvisor run -- -a 127.0.0.1 -p -1 -DV -T=false`,
		DisableFlagParsing:    true, // single-dash nats-server flags pass through untouched
		DisableFlagsInUseLine: true,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 && args[len(args)-1] == "--name" {
				return completeNames(cmd, prefix)
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: runRun,
	}
}

func runRun(cmd *cobra.Command, args []string) error {
	ra, err := parseRunArgs(args)
	if err != nil {
		return err
	}
	// Help and version are answered here; ParseArgs is pure, and
	// instance.Run parses again.
	_, err = broker.ParseArgs(ra.broker)
	switch {
	case errors.Is(err, broker.ErrHelp):
		return cmd.Help()
	case errors.Is(err, broker.ErrVersion):
		_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
		return err
	}
	if err := ra.check(); err != nil {
		return err
	}
	if ra.name != "" {
		return runInstance(cmd, ra)
	}
	return exitWith(runTrapped(cmd.Context(), ra.broker, cmd.OutOrStdout(), cmd.ErrOrStderr(), instance.Env{}))
}

// runInstance runs a registered instance with its saved flags.
func runInstance(cmd *cobra.Command, ra runArgs) error {
	home := ra.home
	if home == "" {
		h, err := instance.DefaultHome()
		if err != nil {
			return err
		}
		home = h
	}
	home, err := filepath.Abs(home)
	if err != nil {
		return err
	}
	reg, err := instance.OpenRegistry(home)
	if err != nil {
		return err
	}
	inst, err := reg.Get(ra.name)
	if errors.Is(err, instance.ErrNotFound) {
		return fmt.Errorf("%w (for the broker's server name, put the flag after \"--\": natsvisor run -- --name %s)", err, ra.name)
	}
	if err != nil {
		return err
	}
	// The default pid and log files live there; recreate it if removed.
	if err := os.MkdirAll(inst.Dir(), 0o700); err != nil {
		return fmt.Errorf("instance %q: %w", inst.Name, err)
	}
	args, stdout, stderr := inst.BrokerArgs(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	env := instance.Env{Name: inst.Name} // its syslog tag and Event Log source
	if !ra.service {
		return exitWith(runTrapped(cmd.Context(), args, stdout, stderr, env))
	}
	controls := make(chan supervisor.Control, 4)
	code, err := supervisor.RunService(inst.Name, func(ctx context.Context, ready func()) int {
		env.Service, env.Ready = true, ready
		env.Control = controlLoop(serviceEvents(ctx, controls))
		return instance.RunEnv(ctx, args, stdout, stderr, env)
	}, controls)
	if err != nil {
		return fmt.Errorf("instance %q: %w", inst.Name, err)
	}
	return exitWith(code)
}

// exitWith ends a command with code, whose reason was printed.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return exitError{code}
}

// wrap joins items with "; " into indented lines of at most width columns,
// never breaking an item.
func wrap(items []string, width int, indent string) string {
	var lines []string
	line := indent
	for i, it := range items {
		if i < len(items)-1 {
			it += ";"
		}
		if len(line) > len(indent) && len(line)+1+len(it) > width {
			lines = append(lines, line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += it
	}
	return strings.Join(append(lines, line), "\n")
}

// runTrapped runs a broker in the foreground with nats-server's signals:
// they are trapped before it starts, so one arriving during start-up is
// not fatal, and carried out by the signals package's loop.
func runTrapped(ctx context.Context, args []string, stdout, stderr io.Writer, env instance.Env) int {
	events, stop := signals.Trap()
	defer stop()
	env.Control = controlLoop(events)
	return instance.RunEnv(ctx, args, stdout, stderr, env)
}

// controlLoop carries out events on the running broker until it stops.
func controlLoop(events <-chan signals.Event) func(context.Context, instance.Controlled) {
	return func(ctx context.Context, b instance.Controlled) {
		signals.Loop(ctx, b, events, func(format string, v ...any) { b.Logger().Noticef(format, v...) })
	}
}

// serviceEvents turns the SCM's controls (ParamChange, 128, 129) into the
// events the loop carries out, until ctx ends.
func serviceEvents(ctx context.Context, controls <-chan supervisor.Control) <-chan signals.Event {
	events := make(chan signals.Event)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case c := <-controls:
				select {
				case events <- signals.Event{Command: signals.Command(c)}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return events
}
