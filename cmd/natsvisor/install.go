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
	"github.com/natsvisor/natsvisor/supervisor"
)

// installFlags are install's own flags.
type installFlags struct {
	name          string
	start, dryRun bool
}

func newInstallCmd() *cobra.Command {
	var f installFlags
	cmd := &cobra.Command{
		Use:   "install --name <name> [--start] [--dry-run] [-- <nats-server flags>...]",
		Short: "Register a broker instance and an OS service that runs it",
		Long: `Register broker instance <name> and an OS service of the same name that runs
it: a systemd unit <name>.service on Linux (the system's for root, the user's
otherwise), an SCM service on Windows. The service runs
"natsvisor run --name <name> --home <home>", which starts the broker with the
flags given here after "--".

What changes on the system: the registry entry <home>/<name>/instance.json
(directories 0700, file 0600) and the service, enabled to start at boot. The
broker is not started unless --start is given.

Everything is checked before anything changes, and a refused install changes
nothing: the flags are parsed exactly as "natsvisor run" parses them (the -c
file is read); flags a service cannot use (-h, -v, -t, --signal) are refused,
and so is a port another instance uses. Relative paths in -c, -l, -P and
--ports_file_dir are made absolute against the current directory. Unless the
flags or the config file name them, the pid file is <home>/<name>/<name>.pid
and the log <home>/<name>/<name>.log.

Installing again with the same flags changes nothing. With other flags it
updates the instance; a running broker keeps its old flags until restarted.
--dry-run prints the unit file or SCM configuration and changes nothing.`,
		Example: `  # Two brokers on one host, started now and at every boot
  natsvisor install --name east --start -- -p 4222 -c /etc/nats/east.conf
  natsvisor install --name west --start -- -p 4223 -c /etc/nats/west.conf

  # The unit file east would get, without installing anything
  natsvisor install --name east --dry-run -- -p 4222`,
		Args:                  cobra.ArbitraryArgs,
		DisableFlagsInUseLine: true, // the Use line shows them
		RunE:                  func(cmd *cobra.Command, args []string) error { return runInstall(cmd, f, args) },
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usagef("%w (nats-server flags go after \"--\": natsvisor install --name <name> -- -p 4222)", err)
	})
	cmd.Flags().StringVar(&f.name, "name", "", "the instance's name, also its service's (letters, digits, '.', '_', '-')")
	cmd.Flags().BoolVar(&f.start, "start", false, "start the broker once installed, unless it is running")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the service's unit file or SCM configuration; change nothing")
	_ = cmd.RegisterFlagCompletionFunc("name", func(cmd *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return completeNames(cmd, prefix)
	})
	return cmd
}

// runInstall checks everything, then prints the render (--dry-run) or
// installs.
func runInstall(cmd *cobra.Command, f installFlags, args []string) error {
	if cmd.ArgsLenAtDash() != 0 && len(args) > 0 {
		return usagef("broker flags go after \"--\": natsvisor install --name %s -- %s", f.name, quoteArgs(args))
	}
	if f.name == "" {
		return usagef("--name is required: natsvisor install --name <name> -- <nats-server flags>")
	}
	reg, err := openRegistry(cmd)
	if err != nil {
		return err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	inst, err := reg.New(f.name, cwd, args)
	if err != nil {
		return err
	}
	opts, err := inst.Options()
	if opts == nil {
		return err
	}
	warnPaths(cmd.ErrOrStderr(), inst, err)
	if err := reg.CheckPorts(inst); err != nil {
		return err
	}
	spec, err := serviceSpec(inst, opts)
	if err != nil {
		return err
	}
	mgr, err := newManager()
	if err != nil {
		return err
	}
	if f.dryRun {
		shown := spec
		shown.Args = broker.RedactArgs(spec.Args) // the installed unit has them; the screen does not
		unit, err := mgr.Render(shown)
		if err != nil {
			return err
		}
		_, err = io.WriteString(cmd.OutOrStdout(), unit)
		return err
	}
	return applyInstall(cmd, reg, mgr, inst, spec, f.start)
}

// warnPaths prints config warnings, and warns about what a service cannot
// use as given: a relative path from the config file (a service resolves
// it against the manager's working directory) and a temporary executable.
func warnPaths(w io.Writer, inst *instance.Instance, configWarnings error) {
	if configWarnings != nil {
		fmt.Fprintf(w, "natsvisor: warning: %v\n", configWarnings)
	}
	p := inst.Paths()
	for what, path := range map[string]string{"pid_file": p.PidFile, "log_file": p.LogFile, "ports_file_dir": p.PortsFileDir} {
		if path != "" && !filepath.IsAbs(path) {
			fmt.Fprintf(w, "natsvisor: warning: instance %q: %s %q is relative: the service resolves it against its working directory; make it absolute in %s\n",
				inst.Name, what, path, p.ConfigFile)
		}
	}
	if exe, err := executable(); err == nil && strings.Contains(exe, "go-build") {
		fmt.Fprintf(w, "natsvisor: warning: the service would run %s, a temporary build (go run?); install from a built natsvisor\n", exe)
	}
}

// applyInstall saves inst and installs its service, or does nothing when
// both are already so; then starts it on request.
func applyInstall(cmd *cobra.Command, reg *instance.Registry, mgr supervisor.Manager, inst *instance.Instance, spec supervisor.Spec, start bool) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	st, err := serviceState(ctx, mgr, inst.Name)
	if err != nil {
		return err
	}
	if st.Installed && !st.Ours {
		return fmt.Errorf("instance %q: %w: natsvisor leaves it alone; choose another --name", inst.Name, supervisor.ErrForeign)
	}
	old, err := reg.Get(inst.Name)
	if err != nil && !errors.Is(err, instance.ErrNotFound) {
		return err
	}
	if old != nil && old.Equal(inst) && st.Installed {
		fmt.Fprintf(out, "instance %s is already installed with these flags: nothing changed\n", inst.Name)
	} else {
		if err := putAndInstall(ctx, reg, mgr, old, inst, spec); err != nil {
			return err
		}
		reportInstall(out, mgr.Kind(), old, inst, st)
	}
	if !start {
		return nil
	}
	if st.Running() {
		fmt.Fprintf(out, "instance %s is already running\n", inst.Name)
		return nil
	}
	return startAndReport(ctx, out, mgr, inst.Name, "started")
}

// putAndInstall saves inst, then installs its service; when the manager
// refuses, the registry is put back as it was.
func putAndInstall(ctx context.Context, reg *instance.Registry, mgr supervisor.Manager, old, inst *instance.Instance, spec supervisor.Spec) error {
	_, statErr := os.Stat(reg.Home())
	if _, err := reg.Put(inst); err != nil {
		return err
	}
	err := mgr.Install(ctx, spec)
	if err == nil {
		return nil
	}
	if old != nil {
		_, _ = reg.Put(old)
	} else {
		_ = reg.Delete(inst.Name)
		if statErr != nil {
			reg.RemoveHomeIfEmpty() // created by Put
		}
	}
	return fmt.Errorf("instance %q: installing the service: %w", inst.Name, err)
}

// reportInstall says what an install changed.
func reportInstall(out io.Writer, kind string, old, inst *instance.Instance, st supervisor.State) {
	switch {
	case old != nil && !old.Equal(inst):
		apply := "it applies at the next start"
		if st.Running() {
			apply = "restart it to apply: natsvisor restart " + inst.Name
		}
		fmt.Fprintf(out, "updated instance %s: args %s -> %s (%s)\n", inst.Name, quoteArgs(old.Args), quoteArgs(inst.Args), apply)
	case old != nil:
		fmt.Fprintf(out, "instance %s: its %s service was missing; installed it again\n", inst.Name, kind)
	default:
		p := inst.Paths()
		fmt.Fprintf(out, "installed instance %s as %s service %s\n  args: %s\n  log:  %s\n  pid:  %s\n",
			inst.Name, kind, inst.Name, quoteArgs(inst.Args), p.LogFile, p.PidFile)
	}
}

// quoteArgs joins args for display, quoting those a shell would split.
func quoteArgs(args []string) string {
	if len(args) == 0 {
		return "(none)"
	}
	q := make([]string, len(args))
	for i, a := range broker.RedactArgs(args) { // never show a password or token
		q[i] = a
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$`*?[]{}()<>|&;#~") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}
