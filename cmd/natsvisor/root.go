package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/instance"
)

// execute runs the natsvisor command line and returns the process exit
// code; main only passes it to os.Exit.
func execute(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(context.Background())
	var ee exitError
	switch {
	case err == nil:
		return instance.ExitOK
	case errors.As(err, &ee):
		return ee.code // the reason is already printed
	}
	fmt.Fprintf(stderr, "natsvisor: %v\nRun 'natsvisor --help' for usage.\n", err)
	return instance.ExitUsage
}

// exitError ends a command with an exit code whose reason was printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "natsvisor",
		Short: "Run NATS brokers",
		Long: `natsvisor is one binary that runs NATS brokers. Its broker speaks the
NATS client protocol as nats-server ` + protocolVersion + ` does and takes the same
command-line flags.`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newRunCmd(), newVersionCmd())
	return root
}
