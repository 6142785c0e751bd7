package supervisor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeSystemctl records systemctl calls and answers `show` from props.
type fakeSystemctl struct {
	calls []string
	props map[string]string // unit name -> show output
	fail  map[string]error  // verb -> error
}

func (f *fakeSystemctl) run(_ context.Context, args ...string) (string, error) {
	f.calls = append(f.calls, strings.Join(args, " "))
	if err := f.fail[args[0]]; err != nil {
		return "", err
	}
	if args[0] == "show" {
		if out, ok := f.props[args[len(args)-1]]; ok {
			return out, nil
		}
		return "LoadState=not-found\nActiveState=inactive\n", nil
	}
	return "", nil
}

func newTestSystemd(t *testing.T) (*systemd, *fakeSystemctl) {
	f := &fakeSystemctl{props: map[string]string{}, fail: map[string]error{}}
	m := &systemd{systemctl: "/usr/bin/systemctl", unitDir: t.TempDir(), unixTimestamps: true, run: f.run}
	return m, f
}

func TestSystemdInstallUpdateUninstall(t *testing.T) {
	ctx := context.Background()
	m, f := newTestSystemd(t)
	spec := Spec{Name: "a", Executable: "/opt/nv/natsvisor", Args: []string{"run", "--name", "a"}}
	if err := m.Install(ctx, spec); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(m.unitDir, "a.service"))
	if err != nil || !isOurUnit(string(data)) {
		t.Fatalf("unit file: %v\n%s", err, data)
	}
	spec.Args = append(spec.Args, "--home", "/srv/nv")
	if err := m.Install(ctx, spec); err != nil { // an update
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(m.unitDir, "a.service"))
	if !strings.Contains(string(data), "--home /srv/nv") {
		t.Errorf("update did not rewrite the unit:\n%s", data)
	}
	if err := m.Uninstall(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(m.unitDir, "a.service")); !os.IsNotExist(err) {
		t.Errorf("unit file left after uninstall: %v", err)
	}
	entries, _ := os.ReadDir(m.unitDir)
	if len(entries) != 0 {
		t.Errorf("files left in the unit directory: %v", entries)
	}
	want := []string{
		"show -p LoadState,FragmentPath --timestamp=unix a.service", "enable --quiet --no-reload a.service", "daemon-reload",
		"enable --quiet --no-reload a.service", "daemon-reload",
		"stop a.service", "disable --quiet --no-reload a.service", "daemon-reload", "reset-failed a.service",
	}
	if !slices.Equal(f.calls, want) {
		t.Errorf("systemctl calls:\n%q\nwant\n%q", f.calls, want)
	}
}

func TestSystemdForeign(t *testing.T) {
	ctx := context.Background()
	m, f := newTestSystemd(t)
	// A unit file someone else wrote in our directory.
	if err := os.WriteFile(filepath.Join(m.unitDir, "mine.service"), []byte("[Unit]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A distribution's unit elsewhere.
	f.props["nats-server.service"] = "LoadState=loaded\nFragmentPath=/lib/systemd/system/nats-server.service\n"
	for _, name := range []string{"mine", "nats-server"} {
		if err := m.Install(ctx, Spec{Name: name, Executable: "/x"}); !errors.Is(err, ErrForeign) {
			t.Errorf("Install %s: %v, want ErrForeign", name, err)
		}
		for verb, call := range map[string]func(context.Context, string) error{
			"Start": m.Start, "Stop": m.Stop, "Restart": m.Restart, "Uninstall": m.Uninstall} {
			if err := call(ctx, name); !errors.Is(err, ErrForeign) {
				t.Errorf("%s %s: %v, want ErrForeign", verb, name, err)
			}
		}
	}
	for verb, call := range map[string]func(context.Context, string) error{
		"Start": m.Start, "Stop": m.Stop, "Restart": m.Restart, "Uninstall": m.Uninstall} {
		if err := call(ctx, "missing"); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("%s missing: %v, want ErrNotInstalled", verb, err)
		}
	}
	if st, err := m.Status(ctx, "missing"); !errors.Is(err, ErrNotInstalled) || st.Installed || st.Active != "inactive" {
		t.Errorf("Status missing: %+v, %v", st, err)
	}
	if st, err := m.Status(ctx, "nats-server"); err != nil || !st.Installed || st.Ours {
		t.Errorf("Status of a foreign unit: %+v, %v", st, err)
	}
	if _, err := m.Status(ctx, "../x"); err == nil {
		t.Error("Status accepted a bad name")
	}
}

func TestSystemdStartFailureExplained(t *testing.T) {
	ctx := context.Background()
	m, f := newTestSystemd(t)
	if err := m.Install(ctx, Spec{Name: "a", Executable: "/x"}); err != nil {
		t.Fatal(err)
	}
	f.fail["start"] = errors.New("systemctl start a.service: Job for a.service failed")
	f.props["a.service"] = "LoadState=loaded\nActiveState=failed\nSubState=failed\nResult=exit-code\nExecMainStatus=3\n"
	err := m.Start(ctx, "a")
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "journalctl -u a") {
		t.Errorf("Start: %v, want the exit status and where to look", err)
	}
	f.props["a.service"] = "LoadState=loaded\nActiveState=failed\nSubState=failed\nResult=timeout\nExecMainStatus=0\n"
	if err := m.Start(ctx, "a"); !errors.Is(err, ErrTimeout) {
		t.Errorf("Start with Result=timeout: %v, want ErrTimeout", err)
	}
}

func TestSystemdVersion(t *testing.T) {
	for in, want := range map[string]int{"Version=252.39-1~deb12u2\n": 252, "Version=257\n": 257, "": 0, "Version=x": 0} {
		if got := systemdVersion(in); got != want {
			t.Errorf("systemdVersion(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestDetectWithoutSystemd(t *testing.T) {
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("systemd runs this host")
	}
	if _, err := Detect(); !errors.Is(err, ErrNoManager) || !strings.Contains(err.Error(), "natsvisor run") {
		t.Errorf("Detect: %v, want ErrNoManager with advice", err)
	}
}
