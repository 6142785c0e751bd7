package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// scmStatus is one status the SCM reports, as watch-start prints it.
type scmStatus struct {
	MS           int64  `json:"ms"` // since StartService was called
	State        uint32 `json:"state"`
	CheckPoint   uint32 `json:"checkpoint"`
	WaitHint     uint32 `json:"wait_hint"`
	Accepts      uint32 `json:"accepts"`
	Win32Exit    uint32 `json:"win32_exit"`
	SpecificExit uint32 `json:"service_exit"`
}

// watchStart starts the service and prints each distinct status it
// reports, polling every 20ms, until RUNNING or STOPPED (then an error).
func watchStart(name string) error {
	m, err := mgr.Connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		return fmt.Errorf("service %q: %w", name, err)
	}
	defer s.Close()
	t0 := time.Now()
	startErr := s.Start() // a service that fails at once can make wine say "request timeout"
	enc := json.NewEncoder(os.Stdout)
	var last scmStatus
	for deadline := t0.Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// mgr.Service.Query leaves CheckPoint and WaitHint out.
		var st windows.SERVICE_STATUS_PROCESS
		var needed uint32
		if err := windows.QueryServiceStatusEx(s.Handle, windows.SC_STATUS_PROCESS_INFO,
			(*byte)(unsafe.Pointer(&st)), uint32(unsafe.Sizeof(st)), &needed); err != nil {
			return err
		}
		cur := scmStatus{State: st.CurrentState, CheckPoint: st.CheckPoint, WaitHint: st.WaitHint,
			Accepts: st.ControlsAccepted, Win32Exit: st.Win32ExitCode, SpecificExit: st.ServiceSpecificExitCode}
		if cur != last {
			last = cur
			cur.MS = time.Since(t0).Milliseconds()
			_ = enc.Encode(cur)
		}
		switch svc.State(st.CurrentState) {
		case svc.Running:
			return nil
		case svc.Stopped:
			if startErr != nil {
				return fmt.Errorf("service %q stopped (start: %w)", name, startErr)
			}
			return errors.New("service " + name + " stopped while starting")
		}
	}
	return fmt.Errorf("service %q: neither running nor stopped after a minute", name)
}
