package supervisor

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Fake is an in-memory Manager for tests of callers: it records the specs
// it is given and the calls made, simulates states (a start makes the
// service active with a new PID, a stop makes it inactive), and can be told
// to fail a call. It follows the Manager contract: ErrNotInstalled for an
// unknown name, ErrForeign for a name added with AddForeign. Safe for
// concurrent use.
type Fake struct {
	mu       sync.Mutex
	services map[string]*fakeService
	calls    []string
	fail     map[string][]error
	nextPID  int
	// Now returns the time a state change is stamped with; time.Now by
	// default.
	Now func() time.Time
}

type fakeService struct {
	spec    Spec
	foreign bool
	state   State
}

// NewFake returns an empty Fake.
func NewFake() *Fake {
	return &Fake{services: make(map[string]*fakeService), fail: make(map[string][]error), nextPID: 1000, Now: time.Now}
}

var _ Manager = (*Fake)(nil)

// FailNext makes the next call of method ("Install", "Start", ...) return
// err without doing anything. Calls queue: two FailNext fail two calls.
func (f *Fake) FailNext(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = append(f.fail[method], err)
}

// AddForeign registers a service natsvisor did not install: every call
// that would change it returns ErrForeign, and Status reports Ours false.
func (f *Fake) AddForeign(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.services[name] = &fakeService{foreign: true, state: State{Name: name, Installed: true, Active: "inactive"}}
}

// SetState replaces the state Status reports for an installed service, to
// simulate a crash, a failed start or a restart loop. Name, Installed and
// Ours are kept.
func (f *Fake) SetState(name string, st State) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[name]
	if !ok {
		return fmt.Errorf("fake service %q: %w", name, ErrNotInstalled)
	}
	st.Name, st.Installed, st.Ours = name, true, !s.foreign
	s.state = st
	return nil
}

// Spec returns the spec name was last installed with.
func (f *Fake) Spec(name string) (Spec, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.services[name]
	if !ok || s.foreign {
		return Spec{}, false
	}
	return s.spec, true
}

// Names returns the installed services, natsvisor's and foreign, sorted.
func (f *Fake) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := make([]string, 0, len(f.services))
	for n := range f.services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Calls returns the calls made so far, as "Method name" strings in order
// ("Install a", "Start a", "Status b").
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Kind returns "fake".
func (f *Fake) Kind() string { return "fake" }

// Render returns the systemd unit for spec, as a real Render would.
func (f *Fake) Render(spec Spec) (string, error) {
	return renderUnit(spec, unitOptions{systemctl: "/usr/bin/systemctl"})
}

// Install records spec; over an installed service of ours it updates the
// spec and keeps the state.
func (f *Fake) Install(_ context.Context, spec Spec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("Install", spec.Name); err != nil {
		return err
	}
	if err := spec.validate(func(p string) bool { return p != "" }); err != nil {
		return err
	}
	s, ok := f.services[spec.Name]
	switch {
	case ok && s.foreign:
		return fmt.Errorf("fake service %q: %w", spec.Name, ErrForeign)
	case ok:
		s.spec = spec
	default:
		f.services[spec.Name] = &fakeService{spec: spec, state: State{Name: spec.Name, Installed: true, Ours: true,
			Active: "inactive", Sub: "dead", Since: f.Now()}}
	}
	return nil
}

// Uninstall removes the service (stopping it first).
func (f *Fake) Uninstall(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.ours("Uninstall", name); err != nil {
		return err
	}
	delete(f.services, name)
	return nil
}

// Start makes the service active with a new PID.
func (f *Fake) Start(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.ours("Start", name)
	if err != nil {
		return err
	}
	if s.state.Active != "active" {
		f.activate(s)
	}
	return nil
}

// Stop makes the service inactive.
func (f *Fake) Stop(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.ours("Stop", name)
	if err != nil {
		return err
	}
	s.state = State{Name: name, Installed: true, Ours: true, Active: "inactive", Sub: "dead", Since: f.Now()}
	return nil
}

// Restart makes the service active with a new PID, running or not.
func (f *Fake) Restart(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.ours("Restart", name)
	if err != nil {
		return err
	}
	f.activate(s)
	return nil
}

// Status returns the simulated state.
func (f *Fake) Status(_ context.Context, name string) (State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("Status", name); err != nil {
		return State{Name: name}, err
	}
	s, ok := f.services[name]
	if !ok {
		return State{Name: name, Active: "inactive"}, fmt.Errorf("fake service %q: %w", name, ErrNotInstalled)
	}
	return s.state, nil
}

// begin records a call and returns the failure queued for it, if any.
func (f *Fake) begin(method, name string) error {
	f.calls = append(f.calls, method+" "+name)
	if q := f.fail[method]; len(q) > 0 {
		f.fail[method] = q[1:]
		return q[0]
	}
	return nil
}

// ours records a call and returns the service if it is installed and ours.
func (f *Fake) ours(method, name string) (*fakeService, error) {
	if err := f.begin(method, name); err != nil {
		return nil, err
	}
	s, ok := f.services[name]
	switch {
	case !ok:
		return nil, fmt.Errorf("fake service %q: %w", name, ErrNotInstalled)
	case s.foreign:
		return nil, fmt.Errorf("fake service %q: %w", name, ErrForeign)
	}
	return s, nil
}

func (f *Fake) activate(s *fakeService) {
	f.nextPID++
	s.state = State{Name: s.spec.Name, Installed: true, Ours: true, Active: "active", Sub: "running",
		PID: f.nextPID, Since: f.Now()}
}
