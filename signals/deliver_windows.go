package signals

import (
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// byName is true on Windows: commands go to the instance's SCM service.
const byName = true

// Custom SCM controls nats-server defines.
const (
	reopenControl svc.Cmd = 128
	ldmControl    svc.Cmd = 129
)

// send delivers cmd to t's service as an SCM control; stop and quit wait
// (up to 10s, polling every 300ms, as nats-server) for the service to stop.
func send(cmd Command, t Target) error {
	if t.Instance == "" {
		return fmt.Errorf("on Windows a command goes to a service: name the instance, not pid %d", t.PID)
	}
	var c svc.Cmd
	switch cmd {
	case Stop, Quit:
		c = svc.Stop
	case Reload:
		c = svc.ParamChange
	case Reopen:
		c = reopenControl
	case LDM:
		c = ldmControl
	default:
		return fmt.Errorf("unknown signal %q", cmd)
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(t.Instance)
	if err != nil {
		return fmt.Errorf("service %q: %w", t.Instance, err)
	}
	defer s.Close()
	if _, err := s.Control(c); err != nil {
		return fmt.Errorf("signal %q to service %q: %w", cmd, t.Instance, err)
	}
	if c != svc.Stop {
		return nil
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		st, err := s.Query()
		if err == nil && st.State == svc.Stopped {
			return nil
		}
	}
	return fmt.Errorf("timeout waiting for service to go to state=%d", svc.Stopped)
}

// alive reports whether pid names a live process.
func alive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var code uint32
	return windows.GetExitCodeProcess(h, &code) == nil && code == 259 // STILL_ACTIVE
}
