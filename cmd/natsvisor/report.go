package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/supervisor"
)

// report is one instance as list shows it, a row of the table. Its JSON
// form is documented in README.md; fields are only ever added.
type report struct {
	// Name is the instance's name, also its service's.
	Name string `json:"name"`
	// State is the service manager's active state (active, activating,
	// deactivating, inactive, failed, reloading), or "not-installed", or
	// "unknown" when no service manager answers.
	State string `json:"state"`
	// Sub is the manager's detailed state (running, auto-restart, dead, ...).
	Sub string `json:"sub,omitempty"`
	// Ready is true when the broker is up and accepting connections.
	Ready bool `json:"ready"`
	// Reason says why it is not ready; empty when it is.
	Reason string `json:"reason,omitempty"`
	// PID is the broker's process id; 0 when not running.
	PID int `json:"pid,omitempty"`
	// Ports are the listeners its options ask for (port -1: random); null
	// when its options cannot be read.
	Ports []instance.Listener `json:"ports"`
	// UptimeSeconds is how long it has been ready; 0 when not.
	UptimeSeconds int64 `json:"uptime_seconds"`
	// Monitor is what the instance's HTTP monitor reports: enabled false
	// without a monitoring port; null when its options cannot be read.
	Monitor *monitorReport `json:"monitor"`
}

// statusReport is report with the details status shows.
type statusReport struct {
	report
	// Manager names the service manager (systemd, windows).
	Manager string `json:"manager,omitempty"`
	// Since is when the service entered its current state.
	Since *time.Time `json:"since,omitempty"`
	// ExitCode is the broker's last exit code, when known.
	ExitCode int `json:"exit_code,omitempty"`
	// StatusText is the broker's own status line, as the manager has it.
	StatusText string `json:"status_text,omitempty"`
	// Error says why the options (and so the ports) cannot be read.
	Error string `json:"error,omitempty"`
	// Args are the broker flags as installed.
	Args []string `json:"args"`
	// Paths are the instance's files.
	Paths instance.Paths `json:"paths"`
}

// describe builds inst's status report; mgr is nil when none answers, and
// mgrErr then says why.
func describe(ctx context.Context, mgr supervisor.Manager, mgrErr error, inst *instance.Instance, now time.Time) statusReport {
	r := statusReport{report: report{Name: inst.Name}, Args: broker.RedactArgs(inst.Args), Paths: inst.Paths()}
	if ports, err := inst.Listeners(); err != nil && ports == nil {
		r.Error = err.Error()
	} else {
		r.Ports = ports
	}
	var st supervisor.State
	if mgr != nil {
		r.Manager = mgr.Kind()
		st, mgrErr = serviceState(ctx, mgr, inst.Name)
	}
	if mgrErr != nil {
		r.State, r.Reason = "unknown", mgrErr.Error()
		if r.Ports != nil {
			r.Monitor = queryMonitor(ctx, r.Ports, true)
		}
		return r
	}
	r.State, r.Sub, r.PID, r.ExitCode, r.StatusText = st.Active, st.Sub, st.PID, st.ExitCode, st.StatusText
	r.Ready, r.Reason = st.Running(), notReadyReason(st)
	if !st.Installed {
		r.State = "not-installed"
	}
	if r.Ports != nil {
		r.Monitor = queryMonitor(ctx, r.Ports, st.Running())
	}
	if !st.Since.IsZero() {
		since := st.Since
		r.Since = &since
		if r.Ready {
			r.UptimeSeconds = int64(now.Sub(since) / time.Second)
		}
	}
	return r
}

// notReadyReason says why a service is not ready; empty when it is.
func notReadyReason(st supervisor.State) string {
	exit := ""
	if st.ExitCode != 0 {
		exit = fmt.Sprintf(" (exit %d%s)", st.ExitCode, exitName(st.ExitCode))
	}
	var why string
	switch {
	case !st.Installed:
		return "service not installed (natsvisor install --name " + st.Name + " ... installs it)"
	case st.Running():
		return ""
	case st.Active == "activating" && st.Sub == "auto-restart":
		why = "restarting after a failure" + exit
	case st.Active == "activating":
		why = "starting"
	case st.Active == "deactivating":
		why = "stopping"
	case st.Active == "reloading":
		why = "reloading"
	case st.Active == "failed":
		why = "failed" + exit
	default:
		why = "stopped" + exit
	}
	if st.StatusText != "" {
		why += ": " + st.StatusText
	}
	return why
}

// stateText is the STATE column: "active (running)".
func (r report) stateText() string {
	if r.Sub == "" || r.Sub == r.State {
		return r.State
	}
	return r.State + " (" + r.Sub + ")"
}

// readyText is the READY column: "yes", or "no: <reason>".
func (r report) readyText() string {
	if r.Ready {
		return "yes"
	}
	return "no: " + r.Reason
}

// portsText is the PORTS column: "4222", "127.0.0.1:4400", "random".
func (r report) portsText() string {
	if r.Ports == nil {
		return "?"
	}
	var out []string
	for _, l := range r.Ports {
		p := strconv.Itoa(l.Port)
		if l.Port == -1 {
			p = "random"
		}
		if l.Host != "0.0.0.0" && l.Host != "::" {
			p = l.Host + ":" + p
		}
		if l.Kind != "client" {
			p = l.Kind + " " + p
		}
		out = append(out, p)
	}
	return strings.Join(out, ",")
}

// uptimeText is the UPTIME column: "3d4h", "2h5m", "4m12s", "-".
func (r report) uptimeText() string {
	if !r.Ready {
		return "-"
	}
	d := time.Duration(r.UptimeSeconds) * time.Second
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute)
	}
	return d.String()
}

func pidText(pid int) string {
	if pid == 0 {
		return "-"
	}
	return strconv.Itoa(pid)
}
