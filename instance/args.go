package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/natsvisor/natsvisor/broker"
)

// serviceRefused are flags (without dashes) that make no sense in a
// service: they print and exit, or signal another process.
var serviceRefused = map[string]string{
	"h": "help", "help": "help", "v": "version", "version": "version",
	"t": "a config test", "sl": "signals", "signal": "signals",
}

// pathFlags are flags (without dashes) whose value is a path, made
// absolute at install time because a service runs in another directory.
var pathFlags = map[string]bool{
	"c": true, "config": true, "l": true, "log": true, "P": true, "pid": true, "ports_file_dir": true,
}

// walkFlags visits each flag of a nats-server command line in order, with
// the index of its token, its name without dashes, and the index of the
// token holding its value: the same token for -x=v, the next one for -x v,
// -1 for a boolean given as -x. It stops where broker.ParseCommandLine
// stops: at "--" or at the first argument that is not a flag.
func walkFlags(args []string, visit func(i int, name string, vi int)) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if len(arg) < 2 || arg[0] != '-' || arg == "--" {
			return
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(arg[1:], "-"), "=")
		switch {
		case hasValue:
			visit(i, name, i)
		case takesValue(name) && i+1 < len(args):
			visit(i, name, i+1)
			i++
		default:
			visit(i, name, -1)
		}
	}
}

// takesValue asks the broker's own parser whether a flag needs a value, so
// the walk never disagrees with it: a boolean parses alone, a flag with a
// value does not. (Unknown flags also fail; the caller has parsed or will
// parse the whole command line and report those.)
func takesValue(name string) bool {
	_, err := broker.ParseCommandLine([]string{"-" + name})
	return err != nil && !errors.Is(err, broker.ErrHelp) && !errors.Is(err, broker.ErrVersion)
}

// checkServiceArgs parses args as `natsvisor run` will and refuses flags
// that make no sense in a service. The error wraps ErrInvalidArgs.
func checkServiceArgs(args []string) error {
	var refused error
	walkFlags(args, func(i int, name string, _ int) {
		if what, ok := serviceRefused[name]; ok && refused == nil {
			flag, _, _ := strings.Cut(args[i], "=")
			refused = fmt.Errorf("%w: %s asks for %s, which a service cannot give; run it outside the service (natsvisor run -- %s)",
				ErrInvalidArgs, flag, what, flag)
		}
	})
	if refused != nil {
		return refused
	}
	_, err := broker.ParseCommandLine(args)
	switch {
	case errors.Is(err, broker.ErrHelp), errors.Is(err, broker.ErrVersion):
		return fmt.Errorf("%w: %v: a service cannot answer it; see natsvisor run --help", ErrInvalidArgs, err)
	case err != nil:
		return fmt.Errorf("%w: %w; see natsvisor run --help", ErrInvalidArgs, err)
	}
	return nil
}

// absArgs returns a copy of args whose path flags (-c, -l, -P,
// --ports_file_dir) hold absolute paths, relative ones taken from cwd.
// Empty values stay empty: -l "" logs to stderr.
func absArgs(args []string, cwd string) []string {
	out := append([]string(nil), args...)
	walkFlags(out, func(i int, name string, vi int) {
		if !pathFlags[name] || vi < 0 {
			return
		}
		if vi == i {
			flag, v, _ := strings.Cut(out[i], "=")
			if v != "" {
				out[i] = flag + "=" + absFrom(cwd, v)
			}
			return
		}
		if out[vi] != "" {
			out[vi] = absFrom(cwd, out[vi])
		}
	})
	return out
}

// absFrom makes p absolute against cwd, as filepath.Abs does against the
// process's working directory.
func absFrom(cwd, p string) string {
	switch {
	case filepath.IsAbs(p):
		return filepath.Clean(p)
	case filepath.VolumeName(p) != "": // "C:x" on Windows: relative to that drive's directory
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	case os.IsPathSeparator(p[0]): // rooted without a volume: Windows only
		return filepath.VolumeName(cwd) + filepath.Clean(p)
	}
	return filepath.Join(cwd, p)
}
