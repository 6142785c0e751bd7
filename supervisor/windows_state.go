package supervisor

// This file maps SCM states to State; it builds on every OS so the mapping
// is unit-tested everywhere. The numbers are the Windows SERVICE_* values.

const (
	scmStopped         = 1
	scmStartPending    = 2
	scmStopPending     = 3
	scmRunning         = 4
	scmContinuePending = 5
	scmPausePending    = 6
	scmPaused          = 7

	// errServiceSpecific (ERROR_SERVICE_SPECIFIC_ERROR): the exit code is
	// in ServiceSpecificExitCode.
	errServiceSpecific = 1066
	// errNeverStarted (ERROR_SERVICE_NEVER_STARTED): the exit code of a
	// service that has not run since it was installed.
	errNeverStarted = 1077
)

// scmStatus is what QueryServiceStatusEx reports.
type scmStatus struct {
	state, pid, win32Exit, specificExit uint32
}

// scmStateNames are the Sub values for SCM states.
var scmStateNames = map[uint32]string{
	scmStopped: "stopped", scmStartPending: "start_pending", scmStopPending: "stop_pending",
	scmRunning: "running", scmContinuePending: "continue_pending", scmPausePending: "pause_pending",
	scmPaused: "paused",
}

// stateFromSCM turns an SCM status into a State.
func stateFromSCM(name string, st scmStatus, ours bool) State {
	s := State{Name: name, Installed: true, Ours: ours, Sub: scmStateNames[st.state]}
	if st.state != scmStopped {
		s.PID = int(st.pid)
	}
	switch st.win32Exit {
	case 0, errNeverStarted:
	case errServiceSpecific:
		s.ExitCode = int(st.specificExit)
	default:
		s.ExitCode = int(st.win32Exit)
	}
	switch st.state {
	case scmRunning:
		s.Active = "active"
	case scmStartPending, scmContinuePending:
		s.Active = "activating"
	case scmStopPending, scmPausePending:
		s.Active = "deactivating"
	case scmStopped:
		s.Active = "inactive"
		if s.ExitCode != 0 {
			s.Active = "failed"
		}
	default: // paused: the broker does not serve
		s.Active = "inactive"
	}
	return s
}
