package signals

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
)

// byName is true on Windows: commands go to the instance's SCM service,
// and whether an instance runs, and as which process, is the SCM's word.
const byName = true

// Custom SCM controls nats-server defines.
const (
	reopenControl svc.Cmd = 128
	ldmControl    svc.Cmd = 129
)

// controls maps a command to its SCM control and the one access right the
// control needs. Asking for no more than that (not the full access of
// mgr.Connect and mgr.OpenService) lets an operator whom the service's
// security descriptor grants the right, but who is not an administrator,
// send it: Windows' default descriptor lets interactive users query a
// service and send it the custom controls (reopen, ldm).
var controls = map[Command]struct {
	cmd    svc.Cmd
	access uint32
}{
	Stop:   {svc.Stop, windows.SERVICE_STOP | windows.SERVICE_QUERY_STATUS},
	Quit:   {svc.Stop, windows.SERVICE_STOP | windows.SERVICE_QUERY_STATUS},
	Reload: {svc.ParamChange, windows.SERVICE_PAUSE_CONTINUE},
	Reopen: {reopenControl, windows.SERVICE_USER_DEFINED_CONTROL},
	LDM:    {ldmControl, windows.SERVICE_USER_DEFINED_CONTROL},
}

// send delivers cmd to t's service as an SCM control; stop and quit wait
// (up to 10s, polling every 300ms, as nats-server) for the service to stop.
func send(cmd Command, t Target) error {
	if t.Instance == "" {
		return fmt.Errorf("on Windows a command goes to a service: name the instance, not pid %d", t.PID)
	}
	c, ok := controls[cmd]
	if !ok {
		return fmt.Errorf("unknown signal %q", cmd)
	}
	s, closeService, err := openService(t.Instance, c.access)
	if err != nil {
		return err
	}
	defer closeService()
	var st windows.SERVICE_STATUS
	if err := windows.ControlService(s, uint32(c.cmd), &st); err != nil {
		if errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
			err = ErrNotRunning
		}
		return fmt.Errorf("signal %q to service %q: %w", cmd, t.Instance, err)
	}
	if c.cmd != svc.Stop {
		return nil
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if st, err := queryService(s); err == nil && st.CurrentState == windows.SERVICE_STOPPED {
			return nil
		}
	}
	return fmt.Errorf("service %q: timeout waiting for service to go to state=%d", t.Instance, svc.Stopped)
}

// openService opens service name with access, connected to the SCM with
// the least right (SC_MANAGER_CONNECT); release closes both handles.
func openService(name string, access uint32) (s windows.Handle, release func(), err error) {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0, nil, fmt.Errorf("service %q: %w", name, err)
	}
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return 0, nil, fmt.Errorf("service manager: %w", err)
	}
	s, err = windows.OpenService(m, n, access)
	if err != nil {
		_ = windows.CloseServiceHandle(m)
		return 0, nil, fmt.Errorf("service %q: %w", name, err)
	}
	return s, func() { _ = windows.CloseServiceHandle(s); _ = windows.CloseServiceHandle(m) }, nil
}

// queryService reads a service's state and process id from a raw handle
// (opened with SERVICE_QUERY_STATUS).
func queryService(s windows.Handle) (windows.SERVICE_STATUS_PROCESS, error) {
	var st windows.SERVICE_STATUS_PROCESS
	var needed uint32
	err := windows.QueryServiceStatusEx(s, windows.SC_STATUS_PROCESS_INFO,
		(*byte)(unsafe.Pointer(&st)), uint32(unsafe.Sizeof(st)), &needed)
	return st, err
}

// scmStates names the states a service that is not running can be in.
var scmStates = map[uint32]string{
	windows.SERVICE_STOPPED: "stopped", windows.SERVICE_START_PENDING: "starting",
	windows.SERVICE_STOP_PENDING: "stopping", windows.SERVICE_CONTINUE_PENDING: "continuing",
	windows.SERVICE_PAUSE_PENDING: "pausing", windows.SERVICE_PAUSED: "paused",
}

// servicePID asks the SCM for the process of the instance's service:
// ErrNotRunning unless the service is RUNNING (the only state in which it
// accepts controls). A pid file is no answer here: the broker leaves it on
// shutdown, and Windows reuses process ids soon.
func servicePID(name string) (int, error) {
	s, closeService, err := openService(name, windows.SERVICE_QUERY_STATUS)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return 0, fmt.Errorf("%w (no service %q)", ErrNotRunning, name)
	}
	if err != nil {
		return 0, err
	}
	defer closeService()
	st, err := queryService(s)
	if err != nil {
		return 0, fmt.Errorf("service %q: %w", name, err)
	}
	if st.CurrentState != windows.SERVICE_RUNNING {
		state := scmStates[st.CurrentState]
		if state == "" {
			state = fmt.Sprintf("in state %d", st.CurrentState)
		}
		return 0, fmt.Errorf("%w (service %q is %s)", ErrNotRunning, name, state)
	}
	return int(st.ProcessId), nil
}

// alive reports whether pid names a live process. A process this user may
// not open (a service running as another account) exists, so it counts as
// alive, as EPERM does on Unix.
func alive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return true
	}
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var code uint32
	return windows.GetExitCodeProcess(h, &code) == nil && code == 259 // STILL_ACTIVE
}
