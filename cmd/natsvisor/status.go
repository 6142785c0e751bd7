package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/instance"
)

// addOutputFlag adds -o and returns a func that says whether JSON was asked.
func addOutputFlag(cmd *cobra.Command) func() (bool, error) {
	var format string
	cmd.Flags().StringVarP(&format, "output", "o", "", `output format: "json" (default: human-readable)`)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"json"}, cobra.ShellCompDirectiveNoFileComp))
	return func() (bool, error) {
		switch format {
		case "":
			return false, nil
		case "json":
			return true, nil
		}
		return false, usagef("-o %q: the output format is json, or none for human-readable", format)
	}
}

func newListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [-o json]",
		Short: "List the installed instances and their state",
		Long: `List the instances in the registry with their service's state: NAME, STATE
(the service manager's), READY ("yes", or why not), PID, PORTS (from the
instance's flags and config file), UPTIME and MONITOR: with a monitoring
port (-m, http_port) the broker's connections, subscriptions, messages in
and out and /healthz status, read from its HTTP monitor; "off" without one.
Nothing changes on the system.

-o json prints an array of objects with the fields name, state, sub, ready,
reason, pid, ports ([{kind, host, port}]), uptime_seconds and monitor
({enabled, url, health, error, stats: {connections, subscriptions, in_msgs,
out_msgs, in_bytes, out_bytes, slow_consumers}}).`,
		Example: `  natsvisor list
  natsvisor list -o json`,
		Args: cobra.NoArgs,
	}
	asJSON := addOutputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		j, err := asJSON()
		if err != nil {
			return err
		}
		reports, err := describeAll(cmd, "")
		if err != nil {
			return err
		}
		rows := make([]report, len(reports))
		for i, r := range reports {
			rows[i] = r.report
		}
		if j {
			return writeJSON(cmd.OutOrStdout(), rows)
		}
		return writeTable(cmd.OutOrStdout(), rows)
	}
	return cmd
}

func newStatusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status [<name>] [-o json]",
		Short: "Show an instance's state, ports, flags and files",
		Long: `Show instance <name>, or every instance: its service's state and whether the
broker is ready (or why not), its pid, ports, uptime, broker flags and files
(config, log, pid file, reload status, data). Nothing changes on the system.

-o json prints the list fields (see natsvisor list --help) plus manager,
since, exit_code, status_text, error, args and paths: one object for
<name>, an array without.`,
		Example: `  natsvisor status east
  natsvisor status west -o json
  natsvisor status`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeInstances,
	}
	asJSON := addOutputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		j, err := asJSON()
		if err != nil {
			return err
		}
		name := ""
		if len(args) == 1 {
			name = args[0]
		}
		reports, err := describeAll(cmd, name)
		switch {
		case err != nil:
			return err
		case j && name != "":
			return writeJSON(cmd.OutOrStdout(), reports[0])
		case j:
			return writeJSON(cmd.OutOrStdout(), reports)
		}
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(cmd.OutOrStdout())
			}
			writeStatus(cmd.OutOrStdout(), r)
		}
		return nil
	}
	return cmd
}

// describeAll reports on instance name, or every instance when name is
// empty. Without a service manager the states are "unknown" and a warning
// says why.
func describeAll(cmd *cobra.Command, name string) ([]statusReport, error) {
	reg, err := openRegistry(cmd)
	if err != nil {
		return nil, err
	}
	var insts []*instance.Instance
	if name != "" {
		inst, err := reg.Get(name)
		if err != nil {
			return nil, err
		}
		insts = append(insts, inst)
	} else if insts, err = reg.List(); err != nil {
		return nil, err
	}
	mgr, mgrErr := newManager()
	if mgrErr != nil && len(insts) > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "natsvisor: warning: %v\n", mgrErr)
	}
	now := time.Now()
	out := make([]statusReport, 0, len(insts))
	for _, inst := range insts {
		out = append(out, describe(cmd.Context(), mgr, mgrErr, inst, now))
	}
	return out, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeTable prints list's table; an empty registry prints a hint instead.
func writeTable(w io.Writer, rows []report) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no instances installed (natsvisor install --name <name> -- <flags> adds one)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tREADY\tPID\tPORTS\tUPTIME\tMONITOR")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.stateText(), r.readyText(), pidText(r.PID), r.portsText(), r.uptimeText(), r.Monitor.text())
	}
	return tw.Flush()
}

// writeStatus prints one instance's details.
func writeStatus(w io.Writer, r statusReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s:\t%s\n", k, v)
		}
	}
	fmt.Fprintln(tw, r.Name)
	service := r.stateText()
	if r.Manager != "" {
		service += ", " + r.Manager
	}
	if r.Since != nil {
		service += ", since " + r.Since.Format(time.RFC3339)
	}
	line("service", service)
	line("ready", r.readyText())
	line("pid", pidText(r.PID))
	line("ports", r.portsText())
	line("uptime", r.uptimeText())
	line("monitor", r.Monitor.text())
	if m := r.Monitor; m != nil && m.URL != "" {
		line("monitor url", m.URL)
	}
	line("error", r.Error)
	line("args", quoteArgs(r.Args))
	line("config", r.Paths.ConfigFile)
	line("log", r.Paths.LogFile)
	line("pid file", r.Paths.PidFile)
	line("reload", r.Paths.ReloadStatus)
	line("data", r.Paths.DataDir)
	_ = tw.Flush()
}
