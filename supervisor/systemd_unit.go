package supervisor

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file renders systemd unit files. It builds on every OS so that the
// golden tests run everywhere; only systemd_linux.go talks to systemd.

// unitOptions are the host facts a unit depends on besides the Spec.
type unitOptions struct {
	// systemctl is the absolute path of systemctl, which ExecReload runs.
	systemctl string
	// user renders a per-user unit (systemctl --user): WantedBy=default.target.
	user bool
}

// renderUnit returns the unit file for spec.
//
// Choices worth knowing:
//   - Type=notify with NotifyAccess=main: `systemctl start` returns only
//     once the broker has sent READY=1 (package startup), or failed.
//   - ExecReload uses `systemctl kill --kill-whom=main --signal=SIGHUP %n`
//     rather than the usual `/bin/kill -s HUP $MAINPID`: /bin/kill comes
//     from procps, which minimal images lack, while systemctl is there
//     wherever the unit is. --kill-whom=main signals the broker only, not
//     the rest of the unit's cgroup. (Type=notify-reload would need no
//     ExecReload at all, but needs systemd 253; Debian bookworm has 252.)
//   - Restart=on-failure with RestartPreventExitStatus= listing the config
//     and usage exit codes: a broken config fails once instead of looping.
//     A failure restarts cannot fix otherwise (a port another process
//     holds) stops after StartLimitBurst starts in StartLimitIntervalSec;
//     systemd's own limit (5 in 10s) is never reached with a RestartSec of
//     a few seconds, so the unit would retry for ever.
func renderUnit(spec Spec, o unitOptions) (string, error) {
	if err := spec.validate(func(p string) bool { return strings.HasPrefix(p, "/") }); err != nil {
		return "", err
	}
	if !strings.HasPrefix(o.systemctl, "/") {
		return "", fmt.Errorf("systemctl path %q is not absolute", o.systemctl)
	}
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }

	line("%s", Marker)
	line("[Unit]")
	line("Description=%s", escapeSpecifiers(spec.description()))
	if !o.user {
		line("After=network.target")
	}
	line("StartLimitIntervalSec=%s", timeSpan(startLimitInterval(spec)))
	line("StartLimitBurst=%d", startLimitBurst)
	line("")
	line("[Service]")
	line("Type=notify")
	line("NotifyAccess=main")
	line("ExecStart=%s", execLine(append([]string{spec.Executable}, spec.Args...)))
	line("ExecReload=%s %%n", execLine(reloadCommand(o))) // %n: the unit's name
	line("Restart=on-failure")
	if spec.RestartSec > 0 {
		line("RestartSec=%s", timeSpan(spec.RestartSec))
	}
	if len(spec.NoRestartExitCodes) > 0 {
		codes := make([]string, len(spec.NoRestartExitCodes))
		for i, c := range spec.NoRestartExitCodes {
			codes[i] = strconv.Itoa(c)
		}
		line("RestartPreventExitStatus=%s", strings.Join(codes, " "))
	}
	if spec.StartTimeout > 0 {
		line("TimeoutStartSec=%s", timeSpan(spec.StartTimeout))
	}
	if spec.StopTimeout > 0 {
		line("TimeoutStopSec=%s", timeSpan(spec.StopTimeout))
	}
	if spec.LimitNOFILE > 0 {
		line("LimitNOFILE=%d", spec.LimitNOFILE)
	}
	for _, k := range spec.envKeys() {
		line("Environment=%s", quoteWord(escapeSpecifiers(k+"="+spec.Env[k]), true))
	}
	line("")
	line("[Install]")
	if o.user {
		line("WantedBy=default.target")
	} else {
		line("WantedBy=multi-user.target")
	}
	return b.String(), nil
}

// reloadCommand is ExecReload's command line but its last word, the unit
// name specifier %n (see renderUnit).
func reloadCommand(o unitOptions) []string {
	cmd := []string{o.systemctl}
	if o.user {
		cmd = append(cmd, "--user")
	}
	return append(cmd, "kill", "--kill-whom=main", "--signal=SIGHUP")
}

// isOurUnit reports whether a unit file's content carries the Marker line.
func isOurUnit(content string) bool {
	sc := bufio.NewScanner(strings.NewReader(content))
	for sc.Scan() {
		if strings.TrimRight(sc.Text(), "\r") == Marker {
			return true
		}
	}
	return false
}

// execLine renders a command line for ExecStart= and friends: each word
// escaped for specifiers ('%') and environment substitution ('$'), and
// quoted when systemd would otherwise split or unescape it.
func execLine(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = quoteWord(strings.ReplaceAll(escapeSpecifiers(a), "$", "$$"), false)
	}
	return strings.Join(words, " ")
}

// escapeSpecifiers doubles '%', which systemd expands in most settings.
func escapeSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quoteWord returns s as one systemd word: bare when it has nothing systemd
// interprets, else in double quotes with C escapes. always quotes anyway.
func quoteWord(s string, always bool) string {
	if !always && s != "" && !strings.ContainsFunc(s, needsQuote) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// needsQuote lists what systemd's word splitter treats specially: blanks,
// quotes, escapes, the ';' command separator, and control characters.
func needsQuote(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '"' || r == '\'' || r == '\\' || r == ';'
}

// timeSpan renders d as a systemd time span, rounded up to a millisecond.
func timeSpan(d time.Duration) string {
	d = roundUp(d, time.Millisecond)
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

// startLimitBurst is how many starts a unit may make in its start limit
// interval before systemd gives up on it.
const startLimitBurst = 10

// startLimitInterval spans startLimitBurst starts that each fail at once
// after RestartSec, with room to spare: a unit that keeps failing is left
// failed after about that many tries.
func startLimitInterval(spec Spec) time.Duration {
	return time.Duration(2*startLimitBurst)*spec.RestartSec + time.Minute
}
