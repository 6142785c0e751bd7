// Package signals routes control commands (stop, quit, term, reopen,
// reload, ldm) to natsvisor instances: it resolves a target (an instance
// name, a glob over instance names, a pid or a pid file; never a scan of
// process names), delivers the command (kill(2) on Unix, an SCM control on
// Windows) and confirms its effect where the instance makes it visible.
package signals

import (
	"fmt"
	"strings"
)

// Command is one control command, named as nats-server's --signal names it.
type Command string

// The commands. On Unix they are signals: stop is SIGKILL (as nats-server
// maps it: it kills), quit SIGINT, term SIGTERM, reopen SIGUSR1, reload
// SIGHUP, ldm SIGUSR2. On Windows they are SCM controls: stop and quit
// Stop, reload ParamChange, reopen 128, ldm 129; term does not exist there.
const (
	Stop   Command = "stop"
	Quit   Command = "quit"
	Term   Command = "term"
	Reopen Command = "reopen"
	Reload Command = "reload"
	LDM    Command = "ldm"
)

// Commands lists every command in the order help texts show them.
var Commands = []Command{Stop, Quit, Term, Reopen, Reload, LDM}

// ParseCommand checks a command name; the error is nats-server's.
func ParseCommand(s string) (Command, error) {
	for _, c := range Commands {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown signal %q", s)
}

// ParseSpec splits nats-server's `<cmd>[=<target>]`; more than one `=` is
// an error, as there.
func ParseSpec(spec string) (Command, string, error) {
	parts := strings.Split(spec, "=")
	if len(parts) > 2 {
		return "", "", fmt.Errorf("invalid signal parameters: %q", spec)
	}
	cmd, err := ParseCommand(parts[0])
	if err != nil {
		return "", "", err
	}
	if len(parts) == 1 {
		return cmd, "", nil
	}
	return cmd, parts[1], nil
}
