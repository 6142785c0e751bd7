package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/supervisor"
)

func newUninstallCmd() *cobra.Command {
	var purge bool
	cmd := &cobra.Command{
		Use:   "uninstall <name> [--purge]",
		Short: "Stop and remove an instance's service and registry entry",
		Long: `Stop the OS service of instance <name>, remove it, then remove the instance
from the registry. Its directory <home>/<name> (the default log and pid
files, and its data) stays unless --purge is given. Files named by its flags
outside that directory (the -c config file, a -l log elsewhere) are never
removed. A service that natsvisor did not install is never touched.

"uninstall --purge <name>" also removes what an earlier uninstall kept.`,
		Example: `  # Remove east, keeping its logs and data
  natsvisor uninstall east

  # Remove west and its directory with logs and data
  natsvisor uninstall --purge west`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeInstances,
		RunE:              func(cmd *cobra.Command, args []string) error { return runUninstall(cmd, args[0], purge) },
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "also remove <home>/<name>: logs, pid file and data")
	return cmd
}

// runUninstall removes the service first, so a failure leaves the
// registry entry for a retry.
func runUninstall(cmd *cobra.Command, name string, purge bool) error {
	reg, err := openRegistry(cmd)
	if err != nil {
		return err
	}
	inst, getErr := reg.Get(name)
	if getErr != nil && !errors.Is(getErr, instance.ErrNotFound) {
		return getErr
	}
	mgr, err := newManager()
	if err != nil {
		return err
	}
	st, err := serviceState(cmd.Context(), mgr, name)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	dir := filepath.Join(reg.Home(), name)
	switch {
	case st.Installed && !st.Ours:
		return fmt.Errorf("instance %q: %w: natsvisor leaves it alone", name, supervisor.ErrForeign)
	case inst == nil && !st.Installed && !(purge && exists(dir)):
		return getErr
	}
	if st.Installed {
		if err := mgr.Uninstall(cmd.Context(), name); err != nil {
			return fmt.Errorf("instance %q: removing the service: %w", name, err)
		}
		fmt.Fprintf(out, "removed %s service %s\n", mgr.Kind(), name)
	}
	if inst != nil {
		if err := reg.Delete(name); err != nil {
			return err
		}
		fmt.Fprintf(out, "removed instance %s from the registry\n", name)
	}
	if purge {
		return purgeDir(out, reg, inst, name)
	}
	if exists(dir) {
		fmt.Fprintf(out, "kept its logs and data in %s (natsvisor uninstall --purge %s removes them)\n", dir, name)
	}
	return nil
}

// purgeDir removes the instance's directory and names the files it keeps
// because they lie elsewhere.
func purgeDir(out io.Writer, reg *instance.Registry, inst *instance.Instance, name string) error {
	if err := reg.Purge(name); err != nil && !errors.Is(err, instance.ErrNotFound) {
		return err
	}
	dir := filepath.Join(reg.Home(), name)
	fmt.Fprintf(out, "removed %s\n", dir)
	if inst == nil {
		return nil
	}
	p := inst.Paths()
	for _, f := range []string{p.ConfigFile, p.LogFile, p.PidFile} {
		if f != "" && !strings.HasPrefix(f, dir+string(filepath.Separator)) && exists(f) {
			fmt.Fprintf(out, "kept %s (outside %s)\n", f, dir)
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
