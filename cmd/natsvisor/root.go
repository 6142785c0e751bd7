package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/signals"
)

// execute runs the natsvisor command line and returns the process exit
// code; main only passes it to os.Exit.
func execute(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(signalFlagArgs(args))
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.InitDefaultCompletionCmd() // after SetOut: it keeps the writer
	markUsageErrors(root)
	err := root.ExecuteContext(context.Background())
	var ee exitError
	var se errSignalFailed
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code // the reason is already printed
	case errors.As(err, &se):
		return se.code() // each failure is already printed
	}
	code := exitCode(err)
	fmt.Fprintf(stderr, "natsvisor: %v\n", err)
	if code == exitUsage {
		fmt.Fprintln(stderr, "Run 'natsvisor --help' for usage.")
	}
	return code
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "natsvisor",
		Short: "Run NATS brokers, one OS service per broker",
		Long: `natsvisor is one binary that runs NATS brokers. Its broker speaks the
NATS client protocol as nats-server ` + protocolVersion + ` does and takes the same
command-line flags.

"natsvisor run" runs one broker in the foreground and changes nothing on the
system. "natsvisor install --name X" registers instance X (in the registry
under --home) and an OS service named X (a systemd unit on Linux, an SCM
service on Windows) that runs it; start, stop, restart, status, list and
uninstall manage those instances. reload, reopen, ldm and signal (also in
nats-server's form, --signal/-sl) send control commands to running
instances and wait for their effect.

The registry's home is --home, else $NATSVISOR_HOME, else /var/lib/natsvisor
for root and $XDG_STATE_HOME/natsvisor (~/.local/state/natsvisor) for other
users; %ProgramData%\natsvisor (elevated) or %LOCALAPPDATA%\natsvisor on
Windows.

` + exitCodesHelp(false),
		Version:       versionString(),
		Args:          unknownCommand,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().String("home", "", "the registry's home directory (default $NATSVISOR_HOME, else per OS: see natsvisor --help)")
	root.AddCommand(newRunCmd(), newVersionCmd(), newInstallCmd(), newUninstallCmd(),
		newStartCmd(), newStopCmd(), newRestartCmd(), newStatusCmd(), newListCmd(), newMkpasswdCmd(),
		newSignalCmd(), newVerbCmd(signals.Reload, "Reload the configuration of running instances"),
		newVerbCmd(signals.Reopen, "Reopen the log files of running instances"),
		newVerbCmd(signals.LDM, "Put running instances in lame duck mode"))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	return root
}
