package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/instance"
)

// exitCodesHelp documents instance's exit codes; README.md repeats it.
var exitCodesHelp = fmt.Sprintf(`Exit codes:
  %d  the broker stopped on SIGINT or SIGTERM
  %d  the broker could not start (port in use, log or pid file not writable)
  %d  bad arguments (unknown, unsupported or malformed flag)`,
	instance.ExitOK, instance.ExitStartup, instance.ExitUsage)

func newRunCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run [-- <nats-server flags>...]",
		Short: "Run one broker in the foreground, like nats-server",
		Long: `Run one NATS broker in the foreground, as nats-server does: it logs to stderr
(or to the -l file), and stops gracefully on Ctrl-C (SIGINT) or SIGTERM.
Nothing is installed or registered on the system.

Everything after "run" is passed to the broker as nats-server flags; the
"--" before them is optional, since run has no flags of its own. The flag
syntax is nats-server's: -x and --x are the same, values follow as "-x v" or
"-x=v", and booleans are turned off with "-x=false". "natsvisor run -h" (or
"-- -h") prints this help; "-- -v" prints the version.

Supported nats-server flags:
` + broker.FlagUsage() + `
Recognised but not supported yet (refused with an error):
` + wrap(broker.RefusedFlags(), 78, "  ") + `

` + exitCodesHelp,
		Example: `  # A broker on the default port 4222
  natsvisor run

  # Two brokers side by side, each with its own port, name, log and pid file
  natsvisor run -- -p 4222 -n east -l east.log -P east.pid
  natsvisor run -- -p 4223 -n west -l west.log -P west.pid

  # A random port on the loopback, with debug and trace, without timestamps
  natsvisor run -- -a 127.0.0.1 -p -1 -DV -T=false`,
		DisableFlagParsing:    true, // single-dash nats-server flags pass through untouched
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && args[0] == "--" {
				args = args[1:]
			}
			// Help and version are answered here; ParseArgs is pure, and
			// instance.Run parses again.
			_, err := broker.ParseArgs(args)
			switch {
			case errors.Is(err, broker.ErrHelp):
				return cmd.Help()
			case errors.Is(err, broker.ErrVersion):
				_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
				return err
			}
			if code := instance.Run(cmd.Context(), args, cmd.OutOrStdout(), cmd.ErrOrStderr()); code != instance.ExitOK {
				return exitError{code}
			}
			return nil
		},
	}
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
