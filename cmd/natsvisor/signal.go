package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/signals"
)

const signalHelp = `Commands, as nats-server's --signal names them:
  stop    kill the broker at once (SIGKILL on Unix, as nats-server; the SCM's
          Stop on Windows). For a graceful stop of a service use
          "natsvisor stop <name>" instead.
  quit    shut down gracefully (SIGINT; Stop on Windows)
  term    shut down gracefully (SIGTERM; ignored during lame duck; not on Windows)
  reopen  reopen the log file after an external rotation (SIGUSR1; control 128)
  reload  reload the configuration (SIGHUP; ParamChange)
  ldm     enter lame duck mode (SIGUSR2; control 129)

A target is an instance name, a glob over instance names ('east-*', '*'),
--all, a pid, or a pid file. Processes are found through the registry and
pid files, never by their names. Each command waits for its effect: a
reload for the instance's reload result (it fails if the instance rejected
the new configuration, which is checked before anything is sent), reopen
and ldm for their log lines, stop, quit and term for the process to exit.`

// signalOpts are the flags every signal command shares.
type signalOpts struct {
	all     bool
	timeout time.Duration
	output  string
}

func (o *signalOpts) bind(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.all, "all", false, "send to every registered instance that is running")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for the effect")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "output format: json")
}

func newSignalCmd() *cobra.Command {
	var o signalOpts
	cmd := &cobra.Command{
		Use:   "signal <command>[=<target>]",
		Short: "Send stop, quit, term, reopen, reload or ldm to instances",
		Long: "Send a control command to one or more running instances and report its\n" +
			"effect. Nothing else changes on the system. natsvisor --signal (-sl) is the\n" +
			"same, in nats-server's form.\n\n" + signalHelp,
		Example: "  natsvisor signal reload=east\n  natsvisor signal ldm='west-*'\n" +
			"  natsvisor -sl reopen=/var/lib/natsvisor/east/east.pid\n  natsvisor signal quit --all",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, target, err := signals.ParseSpec(args[0])
			if err != nil {
				return usageError{err}
			}
			return runSignal(cmd, c, target, o)
		},
	}
	o.bind(cmd)
	return cmd
}

// newVerbCmd builds reload, reopen and ldm: signal <c>=<target> as a verb.
func newVerbCmd(c signals.Command, short string) *cobra.Command {
	var o signalOpts
	cmd := &cobra.Command{
		Use:               string(c) + " [<target>]",
		Short:             short,
		Long:              short + ", and report the effect. The same as \"natsvisor signal " + string(c) + "=<target>\".\n\n" + signalHelp,
		Example:           fmt.Sprintf("  natsvisor %s east\n  natsvisor %s 'east-*'\n  natsvisor %s --all", c, c, c),
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeInstances,
		RunE: func(cmd *cobra.Command, args []string) error {
			target := ""
			if len(args) == 1 {
				target = args[0]
			}
			return runSignal(cmd, c, target, o)
		},
	}
	o.bind(cmd)
	return cmd
}

// runSignal resolves the target, checks a reload first, sends, waits for
// the effects and reports them.
func runSignal(cmd *cobra.Command, c signals.Command, target string, o signalOpts) error {
	if o.output != "" && o.output != "json" {
		return usagef("unknown output format %q (want json)", o.output)
	}
	reg, err := openRegistry(cmd)
	if err != nil {
		return err
	}
	targets, err := signals.Resolve(reg, target, o.all)
	if err != nil {
		return err
	}
	if c == signals.Reload {
		for _, t := range targets {
			if err := signals.Validate(t); err != nil {
				return err
			}
		}
	}
	results := make([]signals.Result, 0, len(targets))
	for _, t := range targets {
		results = append(results, signals.Do(c, t, o.timeout))
	}
	return reportSignals(cmd.OutOrStdout(), results, o.output)
}

// reportSignals prints one line (or JSON object) per target and fails when
// any command failed.
func reportSignals(out io.Writer, results []signals.Result, format string) error {
	failed := 0
	for _, r := range results {
		if r.Failed() {
			failed++
		}
	}
	if format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			switch {
			case r.Failed():
				fmt.Fprintf(out, "%s %s: failed: %s\n", r.Command, r.Target.Name(), r.Error)
			case r.Detail != "":
				fmt.Fprintf(out, "%s %s: %s\n", r.Command, r.Target.Name(), r.Detail)
			default:
				fmt.Fprintf(out, "%s %s: sent\n", r.Command, r.Target.Name())
			}
		}
	}
	if failed > 0 {
		return errSignalFailed{failed, len(results), results}
	}
	return nil
}

// errSignalFailed ends a signal command whose failures were printed.
type errSignalFailed struct {
	failed, total int
	results       []signals.Result
}

func (e errSignalFailed) Error() string {
	return fmt.Sprintf("%d of %d failed", e.failed, e.total)
}

// signalExit maps a failed signal command to its exit code: a timeout when
// every failure was a wait for an effect that did not come.
func (e errSignalFailed) code() int {
	for _, r := range e.results {
		if r.Failed() && !strings.HasPrefix(r.Error, "sent, but no effect") {
			return exitFailed
		}
	}
	return exitTimeout
}

// signalFlagArgs rewrites nats-server's `--signal <cmd>[=<target>]` (and
// -sl, with = or a space) into `signal ...`, where it stands among the
// global flags before any command.
func signalFlagArgs(args []string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--home" {
			i++ // its value
			continue
		}
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case name == "-sl" || name == "--sl" || name == "-signal" || name == "--signal":
			out := append(append([]string{}, args[:i]...), "signal")
			if hasValue {
				out = append(out, value)
			}
			return append(out, args[i+1:]...)
		case strings.HasPrefix(a, "-"):
			continue // another global flag
		}
		return args // a command: its arguments are its own
	}
	return args
}
