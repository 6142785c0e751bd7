// Package testpeer finds the reference nats-server that tests compare the
// broker with: $NATS_SERVER_BIN, else the copy shared/tools/peers.sh
// installs. Only tests import it.
package testpeer

import (
	"os"
	"path/filepath"
)

// EnvBin names the variable that points at a nats-server binary.
const EnvBin = "NATS_SERVER_BIN"

// NatsServer returns the path of the nats-server binary, or "" when there
// is none (tests that need it then skip, saying why).
func NatsServer() string {
	if p := os.Getenv(EnvBin); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	p := filepath.Join(home, ".cache", "natsvisor-peers", "nats-server")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
