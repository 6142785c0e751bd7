package supervisor

import (
	"fmt"
	"strings"
	"time"
)

// This file renders the SCM configuration of a service. It builds on every
// OS so that the golden tests run everywhere; windows_windows.go applies it.

// Registry values natsvisor keeps in the service's key
// (HKLM\SYSTEM\CurrentControlSet\Services\<name>) beside the SCM's own.
const (
	// regMarker (REG_DWORD 1) says natsvisor installed the service.
	regMarker = "NatsvisorManaged"
	// regStartTimeout and regStopTimeout (REG_DWORD, milliseconds) bound
	// how long Start and Stop wait.
	regStartTimeout = "NatsvisorStartTimeoutMs"
	regStopTimeout  = "NatsvisorStopTimeoutMs"
	// regEnvironment (REG_MULTI_SZ, K=V) is the SCM's per-service
	// environment.
	regEnvironment = "Environment"
)

// Defaults for a Spec that leaves a value zero.
const (
	defaultWinRestartDelay = 5 * time.Second
	defaultWinStartTimeout = 30 * time.Second
	defaultWinStopTimeout  = 30 * time.Second
	// recoveryResetPeriod is when the SCM forgets earlier failures.
	recoveryResetPeriod = 24 * time.Hour
)

// scmConfig is what Install gives the SCM for a Spec.
type scmConfig struct {
	name         string
	displayName  string
	description  string
	binPath      string // the full command line, quoted
	args         []string
	env          []string // K=V, sorted
	restartDelay time.Duration
	startTimeout time.Duration
	stopTimeout  time.Duration
}

// newSCMConfig builds the SCM configuration for spec: ServiceFlag goes
// right after Args[0] (the "run" command) unless Args has it already.
func newSCMConfig(spec Spec) (scmConfig, error) {
	if err := spec.validate(isWindowsAbs); err != nil {
		return scmConfig{}, err
	}
	args := spec.serviceArgs()
	words := make([]string, 0, len(args)+1)
	words = append(words, escapeArg(spec.Executable))
	for _, a := range args {
		words = append(words, escapeArg(a))
	}
	c := scmConfig{
		name:         spec.Name,
		displayName:  "natsvisor " + spec.Name,
		description:  spec.description(),
		binPath:      strings.Join(words, " "),
		args:         args,
		restartDelay: orDefault(spec.RestartSec, defaultWinRestartDelay),
		startTimeout: orDefault(spec.StartTimeout, defaultWinStartTimeout),
		stopTimeout:  orDefault(spec.StopTimeout, defaultWinStopTimeout),
	}
	for _, k := range spec.envKeys() {
		c.env = append(c.env, k+"="+spec.Env[k])
	}
	return c, nil
}

// serviceArgs returns Args with ServiceFlag after the first argument.
func (s Spec) serviceArgs() []string {
	for _, a := range s.Args {
		if a == ServiceFlag {
			return append([]string(nil), s.Args...)
		}
	}
	if len(s.Args) == 0 {
		return []string{ServiceFlag}
	}
	out := append([]string{s.Args[0], ServiceFlag}, s.Args[1:]...)
	return out
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// renderSCM describes the configuration for `install --dry-run`.
func renderSCM(spec Spec) (string, error) {
	c, err := newSCMConfig(spec)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%-14s %s\n", k+":", v) }
	fmt.Fprintf(&b, "%s\n", Marker)
	fmt.Fprintf(&b, "Windows service %s\n", c.name)
	line("DisplayName", c.displayName)
	line("Description", c.description)
	line("BinaryPath", c.binPath)
	line("StartType", "automatic")
	line("ErrorControl", "normal")
	line("Account", "LocalSystem")
	line("Recovery", fmt.Sprintf("restart after %v on every failure; failure count reset after %dh; "+
		"a failure is a process that ends without reporting STOPPED (a crash, a kill); "+
		"a broker that exits with a code reports it and is not restarted", c.restartDelay, recoveryResetPeriod/time.Hour))
	if len(c.env) == 0 {
		line("Environment", "(none)")
	}
	for _, kv := range c.env {
		line("Environment", kv)
	}
	line("StartTimeout", c.startTimeout.String()+" (natsvisor start waits this long for RUNNING)")
	line("StopTimeout", c.stopTimeout.String()+" (natsvisor stop waits this long for STOPPED)")
	line("Registry", `HKLM\SYSTEM\CurrentControlSet\Services\`+c.name+`: `+regMarker+"=1, "+
		regStartTimeout+", "+regStopTimeout+", "+regEnvironment)
	return b.String(), nil
}

// isWindowsAbs accepts "C:\..." (or "C:/...") and UNC "\\server\share\..."
// paths, whatever the OS the code runs on.
func isWindowsAbs(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return strings.HasPrefix(p, `\\`) && len(p) > 2
}

// escapeArg quotes s for a Windows command line as CommandLineToArgvW and
// the C runtime split it: the rules of syscall.EscapeArg (which exists only
// on Windows), which is also what mgr.CreateService applies. A path with
// spaces comes out in double quotes, so the SCM never guesses at
// `C:\Program Files\...`.
func escapeArg(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, "\"\\ \t") {
		return s
	}
	hasSpace := strings.ContainsAny(s, " \t")
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	var b strings.Builder
	if hasSpace {
		b.WriteByte('"')
	}
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			// Backslashes before a quote are doubled, and the quote escaped.
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	if hasSpace {
		// Trailing backslashes are doubled so the closing quote stays one.
		b.WriteString(strings.Repeat(`\`, slashes))
		b.WriteByte('"')
	}
	return b.String()
}
