package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/natsvisor/natsvisor/broker"
)

// version is natsvisor's release, set at build time with
// -ldflags "-X main.version=v1.2.3"; otherwise the module version, or "dev".
var version string

// protocolVersion is the nats-server release the broker behaves like.
const protocolVersion = broker.Version

func versionString() string {
	v := version
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return fmt.Sprintf("natsvisor %s (nats-server protocol %s compatible)\nbuilt with %s for %s/%s",
		v, protocolVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print natsvisor's version and the nats-server version it matches",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return err
		},
	}
}
