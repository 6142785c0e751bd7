package supervisor

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// scm is the Manager for the Windows Service Control Manager. It uses
// golang.org/x/sys/windows/svc/mgr directly for everything: kardianos'
// Windows side can create and delete a service, but cannot update one,
// set recovery actions, report a PID or an exit code, or bound a stop
// (issue #337), and its service runner drops custom controls and
// ParamChange. What it would save is a CreateService call.
type scm struct{}

// pollInterval is how often Start, Stop and Uninstall look at the SCM.
const pollInterval = 100 * time.Millisecond

// recoveryRestarts is how many restart actions are configured; the SCM
// repeats the last one for every later failure.
const recoveryRestarts = 3

// Detect returns the SCM manager if this process can connect to the SCM
// at all. Status needs no more than that; changes (install, start, ...)
// connect with full rights, which need an elevated prompt.
func Detect() (Manager, error) {
	h, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return nil, fmt.Errorf("connect to the Windows service control manager: %w", err)
	}
	_ = windows.CloseServiceHandle(h)
	return scm{}, nil
}

// connect opens the SCM with the rights changes need; a refusal says how
// to get them.
func connect() (*mgr.Mgr, error) {
	m, err := mgr.Connect()
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return nil, fmt.Errorf("connect to the Windows service control manager: %w (run natsvisor from an elevated prompt)", err)
	}
	return m, err
}

// openForQuery opens a service with only the right to read its status, so
// status and list work without elevation. close releases both handles.
func openForQuery(name string) (s *mgr.Service, close func(), err error) {
	m, err := windows.OpenSCManager(nil, nil, windows.SC_MANAGER_CONNECT)
	if err != nil {
		return nil, nil, err
	}
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		_ = windows.CloseServiceHandle(m)
		return nil, nil, err
	}
	h, err := windows.OpenService(m, n, windows.SERVICE_QUERY_STATUS)
	if err != nil {
		_ = windows.CloseServiceHandle(m)
		return nil, nil, err
	}
	return &mgr.Service{Name: name, Handle: h}, func() {
		_ = windows.CloseServiceHandle(h)
		_ = windows.CloseServiceHandle(m)
	}, nil
}

// Kind returns "windows".
func (scm) Kind() string { return "windows" }

// Render describes the SCM configuration Install would apply.
func (scm) Render(spec Spec) (string, error) { return renderSCM(spec) }

// Install creates the service, or updates one of ours, and sets its
// recovery actions, environment and natsvisor's registry values. A failed
// fresh install leaves no service behind.
func (scm) Install(_ context.Context, spec Spec) error {
	c, err := newSCMConfig(spec)
	if err != nil {
		return err
	}
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := m.OpenService(c.name)
	switch {
	case err == nil:
		defer s.Close()
		if !isOurService(c.name) {
			return fmt.Errorf("service %q: %w", c.name, ErrForeign)
		}
		if err := updateService(s, c); err != nil {
			return fmt.Errorf("service %q: update: %w", c.name, err)
		}
		return configureService(s, c)
	case !errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST):
		return fmt.Errorf("service %q: %w", c.name, err)
	}
	s, err = m.CreateService(c.name, spec.Executable, mgr.Config{
		DisplayName:  c.displayName,
		Description:  c.description,
		StartType:    mgr.StartAutomatic,
		ErrorControl: mgr.ErrorNormal,
	}, c.args...)
	if err != nil {
		return fmt.Errorf("service %q: create: %w", c.name, err)
	}
	defer s.Close()
	if err := configureService(s, c); err != nil {
		_ = s.Delete()
		return err
	}
	return nil
}

// updateService rewrites the command line, names, start type and
// description of an existing service, and nothing else. (mgr's UpdateConfig
// would also rewrite the SID type and delayed start, which wine rejects.)
func updateService(s *mgr.Service, c scmConfig) error {
	ptr := windows.StringToUTF16Ptr
	err := windows.ChangeServiceConfig(s.Handle, windows.SERVICE_NO_CHANGE, mgr.StartAutomatic, mgr.ErrorNormal,
		ptr(c.binPath), nil, nil, nil, nil, nil, ptr(c.displayName))
	if err != nil {
		return err
	}
	d := windows.SERVICE_DESCRIPTION{Description: ptr(c.description)}
	return windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DESCRIPTION, (*byte)(unsafe.Pointer(&d)))
}

// configureService sets what CreateService cannot: natsvisor's registry
// values (the marker first), the environment and the recovery actions.
func configureService(s *mgr.Service, c scmConfig) error {
	k, err := serviceKey(c.name, registry.SET_VALUE|registry.QUERY_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	for _, set := range []func() error{
		func() error { return k.SetDWordValue(regMarker, 1) },
		func() error { return k.SetDWordValue(regStartTimeout, uint32(c.startTimeout/time.Millisecond)) },
		func() error { return k.SetDWordValue(regStopTimeout, uint32(c.stopTimeout/time.Millisecond)) },
		func() error {
			if len(c.env) == 0 {
				if err := k.DeleteValue(regEnvironment); err != nil && !errors.Is(err, registry.ErrNotExist) {
					return err
				}
				return nil
			}
			return k.SetStringsValue(regEnvironment, c.env)
		},
	} {
		if err := set(); err != nil {
			return fmt.Errorf("service %q: registry: %w", c.name, err)
		}
	}
	actions := make([]mgr.RecoveryAction, recoveryRestarts)
	for i := range actions {
		actions[i] = mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: c.restartDelay}
	}
	if err := s.SetRecoveryActions(actions, uint32(recoveryResetPeriod/time.Second)); err != nil {
		return fmt.Errorf("service %q: recovery actions: %w", c.name, err)
	}
	return nil
}

// serviceKey opens the service's registry key.
func serviceKey(name string, access uint32) (registry.Key, error) {
	return registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\`+name, access)
}

// isOurService reports whether the service's key carries natsvisor's marker.
func isOurService(name string) bool {
	k, err := serviceKey(name, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	v, _, err := k.GetIntegerValue(regMarker)
	return err == nil && v == 1
}

// timeouts reads the start and stop bounds Install recorded.
func timeouts(name string) (start, stop time.Duration) {
	start, stop = defaultWinStartTimeout, defaultWinStopTimeout
	k, err := serviceKey(name, registry.QUERY_VALUE)
	if err != nil {
		return start, stop
	}
	defer k.Close()
	if v, _, err := k.GetIntegerValue(regStartTimeout); err == nil && v > 0 {
		start = time.Duration(v) * time.Millisecond
	}
	if v, _, err := k.GetIntegerValue(regStopTimeout); err == nil && v > 0 {
		stop = time.Duration(v) * time.Millisecond
	}
	return start, stop
}

// withOurs opens the service name, refusing with ErrNotInstalled or
// ErrForeign, and calls fn with it.
func withOurs(name string, fn func(m *mgr.Mgr, s *mgr.Service) error) error {
	if err := validName(name); err != nil {
		return err
	}
	m, err := connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return fmt.Errorf("service %q: %w", name, ErrNotInstalled)
	}
	if err != nil {
		return fmt.Errorf("service %q: %w", name, err)
	}
	defer s.Close()
	if !isOurService(name) {
		return fmt.Errorf("service %q: %w", name, ErrForeign)
	}
	return fn(m, s)
}

// Uninstall stops the service if needed and deletes it, waiting until the
// SCM has forgotten it.
func (scm) Uninstall(ctx context.Context, name string) error {
	return withOurs(name, func(m *mgr.Mgr, s *mgr.Service) error {
		_, stop := timeouts(name)
		if err := stopService(ctx, s, stop); err != nil {
			return err
		}
		if err := s.Delete(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_MARKED_FOR_DELETE) {
			return fmt.Errorf("service %q: delete: %w", name, err)
		}
		s.Close()
		return poll(ctx, 10*time.Second, func() (bool, error) {
			s2, err := m.OpenService(name)
			if err != nil {
				return errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST), nil
			}
			s2.Close()
			return false, nil
		}, func() error {
			return fmt.Errorf("service %q: still known to the SCM after delete: %w", name, ErrTimeout)
		})
	})
}

// Start starts the service and waits until it reports RUNNING (the broker
// is ready), or stops (a failed start, with its exit code), or the start
// timeout Install recorded passes.
func (scm) Start(ctx context.Context, name string) error {
	return withOurs(name, func(_ *mgr.Mgr, s *mgr.Service) error {
		start, _ := timeouts(name)
		return startService(ctx, s, start)
	})
}

// Stop asks the service to stop and waits until it reports STOPPED.
func (scm) Stop(ctx context.Context, name string) error {
	return withOurs(name, func(_ *mgr.Mgr, s *mgr.Service) error {
		_, stop := timeouts(name)
		return stopService(ctx, s, stop)
	})
}

// Restart stops the service, then starts it.
func (scm) Restart(ctx context.Context, name string) error {
	return withOurs(name, func(_ *mgr.Mgr, s *mgr.Service) error {
		start, stop := timeouts(name)
		if err := stopService(ctx, s, stop); err != nil {
			return err
		}
		return startService(ctx, s, start)
	})
}

// Status asks the SCM for the service's state and process id. It reports
// a foreign service too (Ours false), since it changes nothing.
func (scm) Status(_ context.Context, name string) (State, error) {
	if err := validName(name); err != nil {
		return State{}, err
	}
	s, closeService, err := openForQuery(name)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return State{Name: name, Active: "inactive"}, fmt.Errorf("service %q: %w", name, ErrNotInstalled)
	}
	if err != nil {
		return State{Name: name}, fmt.Errorf("service %q: %w", name, err)
	}
	defer closeService()
	st, err := query(s)
	if err != nil {
		return State{Name: name}, fmt.Errorf("service %q: %w", name, err)
	}
	return stateFromSCM(name, st, isOurService(name)), nil
}

// query reads the service's status, process id and exit codes.
func query(s *mgr.Service) (scmStatus, error) {
	st, err := s.Query() // QueryServiceStatusEx
	if err != nil {
		return scmStatus{}, err
	}
	return scmStatus{state: uint32(st.State), pid: st.ProcessId, win32Exit: st.Win32ExitCode,
		specificExit: st.ServiceSpecificExitCode}, nil
}

// startService starts s unless it runs, then waits for RUNNING.
func startService(ctx context.Context, s *mgr.Service, timeout time.Duration) error {
	st, err := query(s)
	if err != nil {
		return err
	}
	if st.state == scmRunning {
		return nil
	}
	if st.state == scmStopped {
		if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
			// A broker that fails at once can be gone before StartService
			// returns (wine then says "request timeout"): its exit code is
			// the better answer.
			if st, qerr := query(s); qerr == nil && st.state == scmStopped && stateFromSCM(s.Name, st, true).ExitCode != 0 {
				return stoppedWhileStarting(s.Name, st)
			}
			return fmt.Errorf("service %q: start: %w", s.Name, err)
		}
	}
	var last scmStatus
	return poll(ctx, timeout, func() (bool, error) {
		st, err := query(s)
		if err != nil {
			return false, err
		}
		last = st
		switch st.state {
		case scmRunning:
			return true, nil
		case scmStopped:
			return false, stoppedWhileStarting(s.Name, st)
		}
		return false, nil
	}, func() error {
		return fmt.Errorf("service %q: not running after %v (%s): %w", s.Name, timeout, scmStateNames[last.state], ErrTimeout)
	})
}

// stoppedWhileStarting explains a start that ended in STOPPED.
func stoppedWhileStarting(name string, st scmStatus) error {
	return fmt.Errorf("service %q stopped while starting (exit code %d; see the instance's log)",
		name, stateFromSCM(name, st, true).ExitCode)
}

// stopService sends Stop unless s is stopped, then waits for STOPPED.
func stopService(ctx context.Context, s *mgr.Service, timeout time.Duration) error {
	st, err := query(s)
	if err != nil {
		return err
	}
	if st.state == scmStopped {
		return nil
	}
	if st.state != scmStopPending {
		if _, err := s.Control(svc.Stop); err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
			return fmt.Errorf("service %q: stop: %w", s.Name, err)
		}
	}
	return poll(ctx, timeout, func() (bool, error) {
		st, err := query(s)
		return err == nil && st.state == scmStopped, err
	}, func() error { return fmt.Errorf("service %q: not stopped after %v: %w", s.Name, timeout, ErrTimeout) })
}

// poll calls done every pollInterval until it reports true or an error,
// ctx ends, or timeout passes (then it returns timedOut()).
func poll(ctx context.Context, timeout time.Duration, done func() (bool, error), timedOut func() error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		ok, err := done()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrTimeout, ctx.Err())
		case <-deadline.C:
			return timedOut()
		case <-tick.C:
		}
	}
}
