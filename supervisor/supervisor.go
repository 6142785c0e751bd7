// Package supervisor registers natsvisor instances as OS services and
// controls them: a systemd unit per instance on Linux, an SCM service per
// instance on Windows, and an in-memory fake for tests. The package renders
// and drives services; it never parses broker flags (package instance does).
package supervisor

import (
	"context"
	"errors"
	"time"
)

// Errors a Manager returns; test them with errors.Is.
var (
	// ErrNotInstalled: no service of that name exists.
	ErrNotInstalled = errors.New("service not installed")
	// ErrForeign: a service of that name exists but natsvisor did not create
	// it; natsvisor never changes or removes it.
	ErrForeign = errors.New("service exists and was not installed by natsvisor")
	// ErrNoManager: no supported service manager runs on this host.
	ErrNoManager = errors.New("no supported service manager on this host")
	// ErrTimeout: a start or stop did not finish in time.
	ErrTimeout = errors.New("timed out")
)

// Spec is everything a service is rendered from. It is built from an
// instance by the caller; unit files and SCM entries are rendered from it
// and never parsed back.
type Spec struct {
	// Name is the service name: the unit is Name.service, the SCM service Name.
	Name string
	// Description is the human description shown by the service manager.
	Description string
	// Executable is the absolute path of the natsvisor binary to run.
	Executable string
	// Args follow Executable: "run", "--name", Name, plus "--home". The
	// Windows manager inserts ServiceFlag after Args[0] itself (the process
	// cannot tell that the SCM started it), so callers never add it.
	Args []string
	// Env holds environment variables for the service (NATSVISOR_HOME,
	// NATS_STARTUP_DELAY, ...).
	Env map[string]string
	// StartTimeout bounds a start: NATS_STARTUP_DELAY plus a margin.
	StartTimeout time.Duration
	// StopTimeout bounds a stop: the lame duck duration plus a margin.
	StopTimeout time.Duration
	// RestartSec is the delay before an automatic restart after a failure.
	//lint:ignore ST1011 named after the systemd setting it becomes
	RestartSec time.Duration
	// NoRestartExitCodes are exit codes that mean "do not restart" (a
	// config or usage error: restarting cannot help).
	NoRestartExitCodes []int
	// LimitNOFILE is the open-files limit; 0 leaves the default.
	LimitNOFILE int
	// User runs the service as a per-user service (systemd --user), when
	// natsvisor is not run by root. The manager Detect returned decides:
	// Install and Render set User to the manager's own mode, so callers may
	// leave it false.
	User bool
}

// State is what the service manager says about one service.
type State struct {
	// Name is the service name.
	Name string `json:"name"`
	// Installed is false when no such service exists.
	Installed bool `json:"installed"`
	// Ours is true when natsvisor installed the service.
	Ours bool `json:"ours"`
	// Active is the manager's own word, normalised to one of: "active",
	// "activating", "deactivating", "inactive", "failed", "reloading".
	Active string `json:"active"`
	// Sub is the manager's detailed state (systemd SubState: running,
	// start, auto-restart, dead, ...; SCM state names on Windows).
	Sub string `json:"sub,omitempty"`
	// PID is the main process id, 0 when not running.
	PID int `json:"pid,omitempty"`
	// StatusText is the service's own status line (systemd STATUS=).
	StatusText string `json:"status_text,omitempty"`
	// Since is when the service entered its current active state.
	Since time.Time `json:"since,omitzero"`
	// ExitCode is the last exit status of the main process, when known.
	ExitCode int `json:"exit_code,omitempty"`
	// Restarts counts the automatic restarts since the service was last
	// started by hand (systemd NRestarts; 0 where the manager does not
	// count them).
	Restarts int `json:"restarts,omitempty"`
}

// ServiceFlag is the argument that tells `natsvisor run` it was started by
// the Windows SCM and must call RunService. It is explicit because the
// process cannot reliably tell (svc.IsWindowsService is false under wine).
const ServiceFlag = "--service"

// Marker is the first line of every unit file natsvisor writes; a unit file
// without it is not natsvisor's (ErrForeign).
const Marker = "# Managed by natsvisor: `natsvisor install` rewrites this file and `natsvisor uninstall` removes it."

// Running reports whether the service is up and ready (not merely starting).
func (s State) Running() bool { return s.Active == "active" }

// Manager is one OS service manager. Every method is safe to call for a
// name that does not exist (ErrNotInstalled) and refuses to touch a service
// natsvisor did not install (ErrForeign).
type Manager interface {
	// Kind names the manager: "systemd", "windows", "fake".
	Kind() string
	// Render returns the unit file or SCM configuration Install would
	// write, without touching the system (install --dry-run).
	Render(spec Spec) (string, error)
	// Install creates or updates the service from spec and enables it; it
	// does not start it.
	Install(ctx context.Context, spec Spec) error
	// Uninstall stops the service if needed and removes it.
	Uninstall(ctx context.Context, name string) error
	// Start starts the service and returns once the manager reports it
	// active (for a Type=notify unit: once the broker is ready) or failed.
	Start(ctx context.Context, name string) error
	// Stop stops the service gracefully and returns once it is inactive.
	Stop(ctx context.Context, name string) error
	// Restart stops then starts the service.
	Restart(ctx context.Context, name string) error
	// Status returns the service's state from the manager itself. For a
	// name that is not installed it returns a State with Installed false
	// and Active "inactive", together with ErrNotInstalled.
	Status(ctx context.Context, name string) (State, error)
}
