package instance

import (
	"fmt"
	"strings"
)

// MaxNameLen bounds an instance name. It keeps service names, unit file
// names and paths under every OS's limits.
const MaxNameLen = 64

// windowsDevices are names Windows reserves for devices in every directory,
// with or without an extension: an instance named "con" could have no
// directory of its own there.
var windowsDevices = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true, "conin$": true, "conout$": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
}

// ValidateName checks an instance name, which is also its OS service name
// and its directory's name: 1 to MaxNameLen ASCII letters, digits, '.', '_'
// and '-', not starting with '.' or '-', not ending with '.', and not a
// Windows device name such as "con" or "nul.x" (on every OS, so a registry
// can move between them). The error wraps ErrInvalidName.
func ValidateName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("instance %q: %w: %s", name, ErrInvalidName, why)
	}
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty; give one with --name", ErrInvalidName)
	case len(name) > MaxNameLen:
		return bad(fmt.Sprintf("longer than %d characters", MaxNameLen))
	case name[0] == '.' || name[0] == '-':
		return bad("it must start with a letter, a digit or '_'")
	case name[len(name)-1] == '.':
		return bad("it must not end with '.'")
	}
	for _, r := range name {
		if !nameChar(r) {
			return bad(fmt.Sprintf("%q is not allowed; use letters, digits, '.', '_' and '-'", r))
		}
	}
	stem, _, _ := strings.Cut(name, ".")
	if windowsDevices[strings.ToLower(stem)] {
		return bad("it is a device name on Windows")
	}
	return nil
}

func nameChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-'
}
