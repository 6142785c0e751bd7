package supervisor

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxNameLen bounds a service name: the SCM allows 256 characters, and a
// unit file name must fit a path component with ".service" appended.
const maxNameLen = 200

// validName checks that name can be a systemd unit name and a Windows
// service name as it is, without escaping: ASCII letters, digits, '-', '_'
// and '.', not starting with '-' or '.'. Package instance validates names
// more strictly; this check only keeps the managers from writing a path or
// a command line they would misread.
func validName(name string) error {
	if name == "" {
		return fmt.Errorf("empty service name")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("service name %.20q... is longer than %d characters", name, maxNameLen)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '_' || i > 0 && (r == '-' || r == '.')
		if !ok {
			return fmt.Errorf("service name %q: %q is not allowed (use letters, digits, '-', '_', '.')", name, r)
		}
	}
	return nil
}

// validate checks what every manager needs from a Spec; isAbs is the
// target OS's notion of an absolute path.
func (s Spec) validate(isAbs func(string) bool) error {
	if err := validName(s.Name); err != nil {
		return err
	}
	if !isAbs(s.Executable) {
		return fmt.Errorf("service %q: executable %q is not an absolute path", s.Name, s.Executable)
	}
	for _, a := range append([]string{s.Executable, s.Description}, s.Args...) {
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("service %q: an argument contains a NUL byte", s.Name)
		}
	}
	if strings.ContainsAny(s.Description, "\r\n") {
		return fmt.Errorf("service %q: the description must be one line", s.Name)
	}
	for _, k := range s.envKeys() {
		if !validEnvKey(k) {
			return fmt.Errorf("service %q: environment variable name %q is not valid", s.Name, k)
		}
		if strings.ContainsRune(s.Env[k], 0) {
			return fmt.Errorf("service %q: environment variable %s contains a NUL byte", s.Name, k)
		}
	}
	for _, c := range s.NoRestartExitCodes {
		if c < 1 || c > 255 {
			return fmt.Errorf("service %q: no-restart exit code %d is not in 1..255", s.Name, c)
		}
	}
	if s.StartTimeout < 0 || s.StopTimeout < 0 || s.RestartSec < 0 || s.LimitNOFILE < 0 {
		return fmt.Errorf("service %q: negative timeout, restart delay or file limit", s.Name)
	}
	return nil
}

// description is the Spec's description, or the default one.
func (s Spec) description() string {
	if s.Description != "" {
		return s.Description
	}
	return "natsvisor instance " + s.Name
}

// envKeys returns the environment variable names in a stable order.
func (s Spec) envKeys() []string {
	keys := make([]string, 0, len(s.Env))
	for k := range s.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validEnvKey accepts the portable variable names: [A-Za-z_][A-Za-z0-9_]*.
func validEnvKey(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// roundUp rounds d up to a multiple of unit, so a timeout is never shortened.
func roundUp(d, unit time.Duration) time.Duration {
	if r := d % unit; r != 0 {
		d += unit - r
	}
	return d
}
