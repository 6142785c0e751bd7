package instance

import (
	"os"
	"syscall"
	"time"
)

// shutdownSignals stop the broker gracefully: SIGINT (Ctrl-C) and SIGTERM.
// Both exist on every OS Go supports, Windows included (Ctrl-C and Ctrl-Break
// arrive as os.Interrupt there), so no per-OS file is needed. Reload, reopen
// and lame duck (HUP, USR1, USR2 and the Windows SCM controls) belong to the
// signals package.
var shutdownSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// startupTimeout bounds the wait for the listeners after Start. It is
// nats-server's default NATS_STARTUP_DELAY; reading that variable belongs to
// the startup package.
const startupTimeout = 10 * time.Second
