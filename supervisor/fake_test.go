package supervisor

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestFakeLifecycle(t *testing.T) {
	ctx := context.Background()
	f := NewFake()
	spec := Spec{Name: "a", Executable: "/opt/nv/natsvisor", Args: []string{"run", "--name", "a"}}
	if err := f.Install(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if got, ok := f.Spec("a"); !ok || got.Executable != spec.Executable {
		t.Errorf("Spec(a) = %+v, %v", got, ok)
	}
	st, err := f.Status(ctx, "a")
	if err != nil || !st.Installed || !st.Ours || st.Running() {
		t.Errorf("after install: %+v, %v", st, err)
	}
	if err := f.Start(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	st, _ = f.Status(ctx, "a")
	if !st.Running() || st.PID == 0 {
		t.Errorf("after start: %+v", st)
	}
	pid := st.PID
	if err := f.Restart(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if st, _ = f.Status(ctx, "a"); st.PID == pid || !st.Running() {
		t.Errorf("after restart: %+v, want a new pid", st)
	}
	spec.Args = append(spec.Args, "--home", "/h")
	if err := f.Install(ctx, spec); err != nil { // update keeps the state
		t.Fatal(err)
	}
	if st, _ := f.Status(ctx, "a"); !st.Running() {
		t.Errorf("update changed the state: %+v", st)
	}
	if err := f.Stop(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if st, _ = f.Status(ctx, "a"); st.Active != "inactive" || st.PID != 0 {
		t.Errorf("after stop: %+v", st)
	}
	if err := f.Uninstall(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if st, err := f.Status(ctx, "a"); !errors.Is(err, ErrNotInstalled) || st.Installed {
		t.Errorf("after uninstall: %+v, %v", st, err)
	}
	want := []string{"Install a", "Status a", "Start a", "Status a", "Restart a", "Status a", "Install a",
		"Status a", "Stop a", "Status a", "Uninstall a", "Status a"}
	if got := f.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q\nwant  %q", got, want)
	}
}

func TestFakeErrors(t *testing.T) {
	ctx := context.Background()
	f := NewFake()
	f.AddForeign("nats")
	spec := Spec{Name: "nats", Executable: "/x"}
	if err := f.Install(ctx, spec); !errors.Is(err, ErrForeign) {
		t.Errorf("install over foreign: %v", err)
	}
	for _, call := range []func(context.Context, string) error{f.Start, f.Stop, f.Restart, f.Uninstall} {
		if err := call(ctx, "nats"); !errors.Is(err, ErrForeign) {
			t.Errorf("call on foreign: %v", err)
		}
		if err := call(ctx, "missing"); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("call on missing: %v", err)
		}
	}
	if st, err := f.Status(ctx, "nats"); err != nil || st.Ours || !st.Installed {
		t.Errorf("status of foreign: %+v, %v", st, err)
	}

	boom := errors.New("boom")
	f.FailNext("Start", boom)
	spec.Name = "a"
	if err := f.Install(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := f.Start(ctx, "a"); !errors.Is(err, boom) {
		t.Errorf("Start after FailNext: %v", err)
	}
	if err := f.Start(ctx, "a"); err != nil {
		t.Errorf("second Start: %v", err)
	}
	if err := f.SetState("a", State{Active: "failed", ExitCode: 3}); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.Status(ctx, "a"); st.Active != "failed" || st.ExitCode != 3 || !st.Ours {
		t.Errorf("after SetState: %+v", st)
	}
	if got := f.Names(); !slices.Equal(got, []string{"a", "nats"}) {
		t.Errorf("Names = %q", got)
	}
	if _, err := f.Render(Spec{Name: "a", Executable: "/x"}); err != nil {
		t.Errorf("Render: %v", err)
	}
}
