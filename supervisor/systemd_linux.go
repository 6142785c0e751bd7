package supervisor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// systemd is the Manager for systemd, system-wide or per user.
//
// It writes unit files itself and drives systemctl, rather than going
// through kardianos/service: kardianos refuses to install over an existing
// unit (no update), writes the file in place (a crash leaves half a unit),
// quotes arguments without escaping '%', '$' or '\', enables before
// daemon-reload, picks SysV on a host whose PID 1 is not systemd, and its
// Status calls a starting or crash-looping unit "running". What is left
// (write a file, daemon-reload, enable, start, stop) is a handful of
// systemctl calls that block until systemd reports the outcome.
type systemd struct {
	// systemctl is the absolute path of systemctl.
	systemctl string
	// user selects the per-user manager (systemctl --user).
	user bool
	// unitDir is where unit files are written.
	unitDir string
	// unixTimestamps: systemctl knows --timestamp=unix (systemd >= 248).
	unixTimestamps bool
	// run runs systemctl with args and returns its stdout; tests replace it.
	run func(ctx context.Context, args ...string) (string, error)
}

// newSystemd returns the manager for the systemd reachable through the
// systemctl at path, asking it for its version (which proves it answers).
func newSystemd(ctx context.Context, path string, user bool) (*systemd, error) {
	m := &systemd{systemctl: path, user: user, unitDir: "/etc/systemd/system"}
	m.run = m.runSystemctl
	if user {
		dir, err := userUnitDir()
		if err != nil {
			return nil, err
		}
		m.unitDir = dir
	}
	out, err := m.run(ctx, "show", "-p", "Version")
	if err != nil {
		return nil, err
	}
	m.unixTimestamps = systemdVersion(out) >= 248
	return m, nil
}

// userUnitDir is where systemd --user looks for units an admin wrote:
// $XDG_CONFIG_HOME/systemd/user, by default ~/.config/systemd/user.
func userUnitDir() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "systemd", "user"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("per-user unit directory: %w", err)
	}
	return filepath.Join(home, ".config", "systemd", "user"), nil
}

// systemdVersion reads the major version from "Version=252.39-1~deb12u2".
func systemdVersion(show string) int {
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(show), "Version="))
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		v = v[:end]
	}
	n, _ := strconv.Atoi(v)
	return n
}

// runSystemctl runs systemctl (with --user for the user manager); an error
// carries systemctl's own message.
func (m *systemd) runSystemctl(ctx context.Context, args ...string) (string, error) {
	if m.user {
		args = append([]string{"--user"}, args...)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, m.systemctl, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if ctx.Err() != nil {
			return stdout.String(), fmt.Errorf("systemctl %s: %w: %w", strings.Join(args, " "), ErrTimeout, ctx.Err())
		}
		if msg == "" {
			return stdout.String(), fmt.Errorf("systemctl %s: %w", strings.Join(args, " "), err)
		}
		return stdout.String(), fmt.Errorf("systemctl %s: %s", strings.Join(args, " "), msg)
	}
	return stdout.String(), nil
}

// Kind returns "systemd".
func (m *systemd) Kind() string { return "systemd" }

func (m *systemd) options() unitOptions { return unitOptions{systemctl: m.systemctl, user: m.user} }

func (m *systemd) unitPath(name string) string { return filepath.Join(m.unitDir, name+".service") }

// Render returns the unit file Install would write.
func (m *systemd) Render(spec Spec) (string, error) {
	spec.User = m.user
	return renderUnit(spec, m.options())
}

// Install writes the unit file atomically, reloads systemd and enables the
// unit. Over a unit of ours it is an update: a running broker keeps its old
// settings until it is restarted.
func (m *systemd) Install(ctx context.Context, spec Spec) error {
	unit, err := m.Render(spec)
	if err != nil {
		return err
	}
	if _, err := m.installed(ctx, spec.Name); err != nil {
		return err
	}
	if err := os.MkdirAll(m.unitDir, 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(m.unitPath(spec.Name), []byte(unit), 0o644); err != nil {
		return err
	}
	// enable works on the files; one reload afterwards loads both the unit
	// and the symlink enable made.
	if _, err := m.run(ctx, "enable", "--quiet", "--no-reload", spec.Name+".service"); err != nil {
		return err
	}
	_, err = m.run(ctx, "daemon-reload")
	return err
}

// installed reports whether our unit file for name exists. It returns
// ErrForeign for a unit file without our marker, and for a unit of that
// name that systemd loads from elsewhere (a distribution's nats.service,
// say), which a file of ours would silently override.
func (m *systemd) installed(ctx context.Context, name string) (bool, error) {
	if err := validName(name); err != nil {
		return false, err
	}
	data, err := os.ReadFile(m.unitPath(name))
	switch {
	case err == nil && isOurUnit(string(data)):
		return true, nil
	case err == nil:
		return false, fmt.Errorf("%s: %w", m.unitPath(name), ErrForeign)
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	p, err := m.show(ctx, name, "LoadState", "FragmentPath")
	if err != nil {
		return false, err
	}
	if ls := p["LoadState"]; ls != "" && ls != "not-found" {
		return false, fmt.Errorf("unit %s.service (%s, from %q): %w", name, ls, p["FragmentPath"], ErrForeign)
	}
	return false, nil
}

// mustBeOurs returns ErrNotInstalled or ErrForeign unless our unit exists.
func (m *systemd) mustBeOurs(ctx context.Context, name string) error {
	ok, err := m.installed(ctx, name)
	if err == nil && !ok {
		err = fmt.Errorf("unit %s.service: %w", name, ErrNotInstalled)
	}
	return err
}

// Uninstall stops and disables the unit, removes its file and reloads
// systemd. Logs and data are not touched.
func (m *systemd) Uninstall(ctx context.Context, name string) error {
	if err := m.mustBeOurs(ctx, name); err != nil {
		return err
	}
	unit := name + ".service"
	if _, err := m.run(ctx, "stop", unit); err != nil {
		return err
	}
	if _, err := m.run(ctx, "disable", "--quiet", "--no-reload", unit); err != nil {
		return err
	}
	if err := os.Remove(m.unitPath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, err := m.run(ctx, "daemon-reload"); err != nil {
		return err
	}
	_, _ = m.run(ctx, "reset-failed", unit) // forget a failed state; fails when there is none
	return nil
}

// Start runs `systemctl start`, which for a Type=notify unit returns once
// the broker has sent READY=1, or once the start has failed or timed out
// (TimeoutStartSec); a failure says why.
func (m *systemd) Start(ctx context.Context, name string) error {
	return m.transition(ctx, name, "start")
}

// Stop runs `systemctl stop`, which returns once the unit is inactive
// (after TimeoutStopSec systemd kills what is left).
func (m *systemd) Stop(ctx context.Context, name string) error {
	return m.transition(ctx, name, "stop")
}

// Restart runs `systemctl restart`: stop, then start until READY=1.
func (m *systemd) Restart(ctx context.Context, name string) error {
	return m.transition(ctx, name, "restart")
}

// transition runs a blocking systemctl verb on our unit and explains a
// failure with the unit's state.
func (m *systemd) transition(ctx context.Context, name, verb string) error {
	if err := m.mustBeOurs(ctx, name); err != nil {
		return err
	}
	_, err := m.run(ctx, verb, name+".service")
	if err == nil || errors.Is(err, ErrTimeout) {
		return err
	}
	p, serr := m.show(context.WithoutCancel(ctx), name, "ActiveState", "SubState", "Result", "ExecMainStatus")
	if serr != nil {
		return err
	}
	journal := "journalctl -u " + name
	if m.user {
		journal = "journalctl --user -u " + name
	}
	why := fmt.Sprintf("%s %s: %s/%s, result %s, exit status %s (see %s)", verb, name,
		p["ActiveState"], p["SubState"], p["Result"], p["ExecMainStatus"], journal)
	if p["Result"] == "timeout" {
		return fmt.Errorf("%s: %w", why, ErrTimeout)
	}
	return fmt.Errorf("%s: %w", why, err)
}

// showProps are the unit properties Status asks `systemctl show` for.
var showProps = []string{
	"LoadState", "ActiveState", "SubState", "MainPID", "StatusText",
	"ExecMainStatus", "NRestarts", "FragmentPath", "Result",
	"ActiveEnterTimestamp", "ActiveExitTimestamp",
	"InactiveEnterTimestamp", "InactiveExitTimestamp",
}

// Status asks systemd for the unit's state.
func (m *systemd) Status(ctx context.Context, name string) (State, error) {
	if err := validName(name); err != nil {
		return State{}, err
	}
	p, err := m.show(ctx, name, showProps...)
	if err != nil {
		return State{Name: name}, err
	}
	data, _ := os.ReadFile(m.unitPath(name))
	st := stateFromShow(name, p, isOurUnit(string(data)))
	if !st.Installed {
		return st, fmt.Errorf("unit %s.service: %w", name, ErrNotInstalled)
	}
	return st, nil
}

// show returns the named properties of the unit.
func (m *systemd) show(ctx context.Context, name string, props ...string) (map[string]string, error) {
	args := []string{"show", "-p", strings.Join(props, ",")}
	if m.unixTimestamps {
		args = append(args, "--timestamp=unix")
	}
	out, err := m.run(ctx, append(args, name+".service")...)
	if err != nil {
		return nil, err
	}
	return parseShow(out), nil
}

// writeFileAtomic replaces path with data: a temporary file in the same
// directory, synced, then renamed over path, so systemd never reads half a
// unit. The temporary name does not end in ".service": systemd ignores it.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
