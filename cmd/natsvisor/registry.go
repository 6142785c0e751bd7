package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/supervisor"
)

// newManager returns the host's service manager: systemd on Linux, the
// SCM on Windows. Tests replace it with supervisor.NewFake.
var newManager = supervisor.Detect

// homeDir is --home made absolute, else instance.DefaultHome.
func homeDir(cmd *cobra.Command) (string, error) {
	if f := cmd.Flag("home"); f != nil && f.Changed {
		if f.Value.String() == "" {
			return "", usagef("--home is empty")
		}
		return filepath.Abs(f.Value.String())
	}
	return instance.DefaultHome()
}

// openRegistry opens the registry under homeDir.
func openRegistry(cmd *cobra.Command) (*instance.Registry, error) {
	home, err := homeDir(cmd)
	if err != nil {
		return nil, err
	}
	return instance.OpenRegistry(home)
}

// getInstance returns the registered instance name.
func getInstance(cmd *cobra.Command, name string) (*instance.Registry, *instance.Instance, error) {
	reg, err := openRegistry(cmd)
	if err != nil {
		return nil, nil, err
	}
	inst, err := reg.Get(name)
	return reg, inst, err
}

// completeInstances completes the first argument with registered names.
func completeInstances(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return completeNames(cmd, toComplete)
}

// completeNames lists registered names starting with prefix.
func completeNames(cmd *cobra.Command, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	reg, err := openRegistry(cmd)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	all, _ := reg.List()
	var out []cobra.Completion
	for _, inst := range all {
		if strings.HasPrefix(inst.Name, prefix) {
			out = append(out, inst.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// serviceState asks m for name's state; a service that is not installed
// is a state (Installed false), not an error.
func serviceState(ctx context.Context, m supervisor.Manager, name string) (supervisor.State, error) {
	st, err := m.Status(ctx, name)
	if errors.Is(err, supervisor.ErrNotInstalled) {
		return supervisor.State{Name: name, Active: "inactive"}, nil
	}
	return st, err
}
