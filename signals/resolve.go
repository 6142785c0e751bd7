package signals

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/natsvisor/natsvisor/instance"
)

// ErrNoTarget is returned when a target matches nothing.
var ErrNoTarget = errors.New("no such target")

// ErrNotRunning is returned when a target's process is not running.
var ErrNotRunning = errors.New("not running")

// Target is one process a command goes to.
type Target struct {
	// Instance is the registered instance, or empty for a bare pid or pid
	// file that belongs to no instance.
	Instance string `json:"instance,omitempty"`
	// PID is the process id, 0 where the OS addresses services by name
	// (Windows) and the instance is not running.
	PID int `json:"pid,omitempty"`
	// PidFile is where the pid was read, if anywhere.
	PidFile string `json:"pid_file,omitempty"`
	// LogFile and ReloadStatus are where the instance shows a command's
	// effect; empty when unknown.
	LogFile      string `json:"log_file,omitempty"`
	ReloadStatus string `json:"reload_status,omitempty"`
	// inst is the registry entry, when there is one.
	inst *instance.Instance
}

// Name says which target this is, for messages.
func (t Target) Name() string {
	if t.Instance != "" {
		return t.Instance
	}
	return "pid " + strconv.Itoa(t.PID)
}

// Resolve turns a target into processes: an instance name; a glob over
// instance names (`east-*`, `*`); all instances with all set; a pid; or a
// pid file (with or without a trailing newline). Matching nothing is
// ErrNoTarget; a named instance whose broker is not running is
// ErrNotRunning (a glob skips instances that are not running, unless none is).
func Resolve(reg *instance.Registry, target string, all bool) ([]Target, error) {
	if all {
		target = "*"
	}
	if target == "" {
		return nil, fmt.Errorf("%w: name an instance, a glob, a pid or a pid file (or use --all)", ErrNoTarget)
	}
	if isGlob(target) {
		return resolveGlob(reg, target)
	}
	if inst, err := reg.Get(target); err == nil {
		t, err := instanceTarget(inst)
		if err != nil {
			return nil, err
		}
		return []Target{t}, nil
	} else if !errors.Is(err, instance.ErrNotFound) && !errors.Is(err, instance.ErrInvalidName) {
		return nil, err
	}
	if pid, err := strconv.Atoi(target); err == nil && pid > 0 {
		return livePid(pidTarget(reg, pid, ""))
	}
	if b, err := os.ReadFile(target); err == nil {
		pid, err := parsePid(b)
		if err != nil {
			return nil, fmt.Errorf("pid file %s: %w", target, err)
		}
		return livePid(pidTarget(reg, pid, target))
	}
	return nil, fmt.Errorf("%w: %q is no instance, pid or pid file", ErrNoTarget, target)
}

func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// resolveGlob matches instance names with path.Match.
func resolveGlob(reg *instance.Registry, glob string) ([]Target, error) {
	if _, err := path.Match(glob, ""); err != nil {
		return nil, fmt.Errorf("bad glob %q: %w", glob, err)
	}
	insts, err := reg.List()
	if err != nil {
		return nil, err
	}
	var out []Target
	matched := 0
	for _, inst := range insts {
		if ok, _ := path.Match(glob, inst.Name); !ok {
			continue
		}
		matched++
		if t, err := instanceTarget(inst); err == nil {
			out = append(out, t)
		}
	}
	switch {
	case matched == 0:
		return nil, fmt.Errorf("%w: no instance matches %q", ErrNoTarget, glob)
	case len(out) == 0:
		return nil, fmt.Errorf("%w: none of the %d instances matching %q is running", ErrNotRunning, matched, glob)
	}
	slices.SortFunc(out, func(a, b Target) int { return strings.Compare(a.Instance, b.Instance) })
	return out, nil
}

// instanceTarget finds the process of a running instance.
func instanceTarget(inst *instance.Instance) (Target, error) {
	p := inst.Paths()
	t := Target{Instance: inst.Name, PidFile: p.PidFile, LogFile: p.LogFile, ReloadStatus: p.ReloadStatus, inst: inst}
	pid, err := instancePID(inst)
	if err != nil {
		return t, fmt.Errorf("instance %q: %w", inst.Name, err)
	}
	t.PID = pid
	return t, nil
}

// instancePID is the process of a running instance: the SCM's on Windows
// (where commands go to the service), else the pid in its pid file, whose
// process must be alive.
func instancePID(inst *instance.Instance) (int, error) {
	if byName {
		return servicePID(inst.Name)
	}
	p := inst.Paths()
	b, err := os.ReadFile(p.PidFile)
	if err != nil {
		return 0, fmt.Errorf("%w (no pid file %s)", ErrNotRunning, p.PidFile)
	}
	pid, err := parsePid(b)
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", p.PidFile, err)
	}
	if !alive(pid) {
		return 0, fmt.Errorf("%w (pid %d from %s is gone)", ErrNotRunning, pid, p.PidFile)
	}
	return pid, nil
}

// livePid refuses a pid whose process is gone.
func livePid(t Target) ([]Target, error) {
	if !alive(t.PID) {
		return nil, fmt.Errorf("%w: pid %d", ErrNotRunning, t.PID)
	}
	return []Target{t}, nil
}

// pidTarget attaches the running instance whose process is pid (per
// instancePID), if any, so the command's effect can be confirmed. A pid
// file outside the registry still has the broker's reload status beside it
// (<pid file>.reload).
func pidTarget(reg *instance.Registry, pid int, pidFile string) Target {
	t := Target{PID: pid, PidFile: pidFile}
	if pidFile != "" {
		t.ReloadStatus = pidFile + ".reload"
	}
	insts, err := reg.List()
	if err != nil {
		return t
	}
	for _, inst := range insts {
		if n, err := instancePID(inst); err == nil && n == pid {
			p := inst.Paths()
			t.Instance, t.LogFile, t.ReloadStatus, t.inst = inst.Name, p.LogFile, p.ReloadStatus, inst
			if t.PidFile == "" {
				t.PidFile = p.PidFile
			}
		}
	}
	return t
}

// parsePid reads a pid file's content; surrounding white space (a trailing
// newline) is allowed, unlike nats-server.
func parsePid(b []byte) (int, error) {
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("invalid pid %q", strings.TrimSpace(string(b)))
	}
	return pid, nil
}
