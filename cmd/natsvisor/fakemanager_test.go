package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/natsvisor/natsvisor/supervisor"
)

// testManager is an in-memory supervisor.Manager for the CLI tests.
type testManager struct {
	mu       sync.Mutex
	services map[string]*testService
	calls    []string
	fail     map[string]error
	pid      int
}

type testService struct {
	spec    supervisor.Spec
	foreign bool
	state   supervisor.State
}

func newTestManager() *testManager {
	return &testManager{services: map[string]*testService{}, fail: map[string]error{}, pid: 1000}
}

// failNext makes the next call of method return err.
func (m *testManager) failNext(method string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail[method] = err
}

// addForeign adds a service natsvisor did not install.
func (m *testManager) addForeign(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.services[name] = &testService{foreign: true, state: supervisor.State{Name: name, Installed: true, Active: "inactive"}}
}

func (m *testManager) setState(name string, st supervisor.State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st.Name, st.Installed, st.Ours = name, true, true
	m.services[name].state = st
}

func (m *testManager) spec(name string) (supervisor.Spec, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.services[name]
	if !ok {
		return supervisor.Spec{}, false
	}
	return s.spec, true
}

func (m *testManager) names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for n := range m.services {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// callsOf returns the calls of the given methods, as "Method name".
func (m *testManager) callsOf(methods ...string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, c := range m.calls {
		for _, meth := range methods {
			if strings.HasPrefix(c, meth+" ") {
				out = append(out, c)
			}
		}
	}
	return out
}

func (m *testManager) begin(method, name string) (*testService, error) {
	m.calls = append(m.calls, method+" "+name)
	if err := m.fail[method]; err != nil {
		delete(m.fail, method)
		return nil, err
	}
	s, ok := m.services[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("service %q: %w", name, supervisor.ErrNotInstalled)
	case s.foreign:
		return nil, fmt.Errorf("service %q: %w", name, supervisor.ErrForeign)
	}
	return s, nil
}

func (m *testManager) Kind() string { return "fake" }

func (m *testManager) Render(spec supervisor.Spec) (string, error) {
	return fmt.Sprintf("[Service]\nExecStart=%s %s\n", spec.Executable, strings.Join(spec.Args, " ")), nil
}

func (m *testManager) Install(_ context.Context, spec supervisor.Spec) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.begin("Install", spec.Name)
	switch {
	case err == nil:
		m.services[spec.Name].spec = spec
	case errors.Is(err, supervisor.ErrNotInstalled):
		m.services[spec.Name] = &testService{spec: spec,
			state: supervisor.State{Name: spec.Name, Installed: true, Ours: true, Active: "inactive", Sub: "dead"}}
	default:
		return err
	}
	return nil
}

func (m *testManager) Uninstall(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.begin("Uninstall", name); err != nil {
		return err
	}
	delete(m.services, name)
	return nil
}

func (m *testManager) Start(_ context.Context, name string) error { return m.set("Start", name, true) }
func (m *testManager) Stop(_ context.Context, name string) error  { return m.set("Stop", name, false) }
func (m *testManager) Restart(_ context.Context, name string) error {
	return m.set("Restart", name, true)
}

func (m *testManager) set(method, name string, active bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.begin(method, name)
	if err != nil {
		return err
	}
	if !active {
		s.state = supervisor.State{Name: name, Installed: true, Ours: true, Active: "inactive", Sub: "dead"}
		return nil
	}
	m.pid++
	s.state = supervisor.State{Name: name, Installed: true, Ours: true, Active: "active", Sub: "running", PID: m.pid,
		Since: time.Now().Add(-90 * time.Second)}
	return nil
}

func (m *testManager) Status(_ context.Context, name string) (supervisor.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, "Status "+name)
	if err := m.fail["Status"]; err != nil {
		delete(m.fail, "Status")
		return supervisor.State{Name: name}, err
	}
	s, ok := m.services[name]
	if !ok {
		return supervisor.State{Name: name, Active: "inactive"}, fmt.Errorf("service %q: %w", name, supervisor.ErrNotInstalled)
	}
	return s.state, nil
}
