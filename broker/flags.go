package broker

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ErrHelp is returned by ParseArgs and ParseCommandLine when the arguments
// ask for help (-h, --help or the positional word help). The caller prints
// its usage and exits successfully.
var ErrHelp = errors.New("help requested")

// ErrVersion is returned by ParseArgs and ParseCommandLine when the arguments
// ask for the version (-v, --version or the positional word version). The
// caller prints its version and exits successfully.
var ErrVersion = errors.New("version requested")

// CommandLine is a parsed nats-server command line: the option assignments
// it makes, in order, and the Options fields they set. Keeping the
// assignments (rather than only their result) lets a caller layer them over
// Options loaded from elsewhere, such as a config file, so that flags win.
type CommandLine struct {
	sets   []func(*Options)
	fields map[string]bool
}

// ParseArgs parses nats-server style flags (see FlagUsage) and returns
// NewOptions with them applied. Values are stored as given: -p 0 leaves
// Port 0, which New turns into DefaultPort. Help and version requests return
// ErrHelp and ErrVersion; everything else that is not a supported flag is an
// error naming the flag.
//
// With -c, the config file is read first and the flags are applied over it,
// as nats-server does; the flags stay with the Options so Reload applies
// them again. A config that has only warnings returns the Options and a
// *ConfigError for which IsWarningsOnly is true.
func ParseArgs(args []string) (*Options, error) {
	cl, err := ParseCommandLine(args)
	if err != nil {
		return nil, err
	}
	o := NewOptions()
	cl.Apply(o)
	var warn error
	if o.ConfigFile != "" {
		o = NewOptions()
		digest, err := o.ProcessConfigFile(configPath(cl))
		if err != nil && !IsWarningsOnly(err) {
			return nil, err
		}
		warn = err
		cl.Apply(o)
		o.configDigest = digest
	}
	o.cmdline = cl
	return o, warn
}

// configPath is the -c value of a command line.
func configPath(cl *CommandLine) string {
	o := &Options{}
	cl.Apply(o)
	return o.ConfigFile
}

// ParseCommandLine parses args with the syntax of Go's flag package, as
// nats-server does: -x and --x are the same flag; a value follows as -x v or
// -x=v; a boolean is set by -x and takes a value only as -x=false; "--" ends
// the flags. Parsing stops at the first argument that is not a flag, and any
// such argument is an error unless it is "help" or "version". When both help
// and version are asked for, version wins, as in nats-server.
func ParseCommandLine(args []string) (*CommandLine, error) {
	cl := &CommandLine{fields: map[string]bool{}}
	var help, version bool
	for len(args) > 0 {
		arg := args[0]
		if len(arg) < 2 || arg[0] != '-' {
			break // first non-flag argument
		}
		args = args[1:]
		if arg == "--" {
			break
		}
		name, value, hasValue := splitFlag(arg)
		if name == "" || name[0] == '-' {
			return nil, fmt.Errorf("bad flag syntax: %s", arg)
		}
		typed := dashes(arg) + name
		def := lookupFlag(name)
		if def == nil {
			return nil, fmt.Errorf("unknown flag: %s", typed)
		}
		if def.kind == kindRefused {
			return nil, fmt.Errorf("flag %s is not supported yet", def.display())
		}
		var err error
		value, args, err = flagValue(def, typed, value, hasValue, args)
		if err != nil {
			return nil, err
		}
		switch def.kind {
		case kindHelp:
			help = value == "true"
			continue
		case kindVersion:
			version = value == "true"
			continue
		}
		set, err := def.parse(value)
		if err != nil {
			return nil, fmt.Errorf("invalid value %q for flag %s: %w", value, typed, err)
		}
		if set != nil {
			cl.sets = append(cl.sets, set)
			for _, f := range def.fields {
				cl.fields[f] = true
			}
		}
	}
	switch {
	case version:
		return nil, ErrVersion
	case help:
		return nil, ErrHelp
	}
	if len(args) > 0 {
		switch strings.ToLower(args[0]) {
		case "version":
			return nil, ErrVersion
		case "help":
			return nil, ErrHelp
		}
		return nil, fmt.Errorf("unrecognized command: %q (flags must come before other arguments)", args[0])
	}
	return cl, nil
}

// flagValue returns the flag's value and the arguments left after it: a
// boolean's is "true" or "false" from -x or -x=v; any other flag's is the
// text after "=" or else the next argument, even one starting with "-".
func flagValue(def *flagDef, typed, value string, hasValue bool, args []string) (string, []string, error) {
	if def.isBool() {
		if !hasValue {
			return "true", args, nil
		}
		b, err := strconv.ParseBool(value)
		if err != nil {
			return "", nil, fmt.Errorf("invalid boolean value %q for flag %s: must be true or false", value, typed)
		}
		return strconv.FormatBool(b), args, nil
	}
	if hasValue {
		return value, args, nil
	}
	if len(args) == 0 {
		return "", nil, fmt.Errorf("flag needs an argument: %s", typed)
	}
	return args[0], args[1:], nil
}

// Apply makes the command line's assignments to o, in the order given.
func (cl *CommandLine) Apply(o *Options) {
	for _, set := range cl.sets {
		set(o)
	}
}

// IsSet reports whether the command line set the Options field named field
// (a Go field name such as "Port").
func (cl *CommandLine) IsSet(field string) bool { return cl.fields[field] }

// Fields lists, sorted, the Options fields the command line set.
func (cl *CommandLine) Fields() []string {
	out := make([]string, 0, len(cl.fields))
	for f := range cl.fields {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// splitFlag strips one or two leading dashes and splits at the first "=".
func splitFlag(arg string) (name, value string, hasValue bool) {
	name = strings.TrimPrefix(arg[1:], "-")
	name, value, hasValue = strings.Cut(name, "=")
	return name, value, hasValue
}

// dashes is the dash prefix the user typed, for messages.
func dashes(arg string) string {
	if strings.HasPrefix(arg, "--") {
		return "--"
	}
	return "-"
}
