package instance

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/natsvisor/natsvisor/broker"
)

// Instance is one registered broker: a name, which is also its OS service
// name, and the nats-server flags it runs with. Everything else (its
// paths, ports and options) is derived from these and the registry's home.
type Instance struct {
	// Name identifies the instance; see ValidateName.
	Name string
	// Args are the broker flags as given to install, with relative paths
	// made absolute. BrokerArgs adds the derived defaults.
	Args []string
	// Home is the registry's home directory, absolute; the instance's own
	// directory is Home/Name.
	Home string
}

// New checks a would-be instance without touching the system: the name,
// the flags (parsed exactly as `natsvisor run` parses them, with flags a
// service cannot use refused), the config file they name and the options
// they give. Relative paths in -c, -l, -P and --ports_file_dir are made
// absolute against cwd, since a service runs in another directory. A
// config with only warnings is accepted; Options reports them.
//
// Errors wrap ErrInvalidName, ErrInvalidArgs or ErrInvalidConfig.
func New(home, name, cwd string, args []string) (*Instance, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(home) {
		return nil, fmt.Errorf("instance %q: home %q is not an absolute path", name, home)
	}
	if err := checkServiceArgs(args); err != nil {
		return nil, fmt.Errorf("instance %q: %w", name, err)
	}
	inst := &Instance{Name: name, Args: absArgs(args, cwd), Home: filepath.Clean(home)}
	opts, err := inst.Options()
	if err != nil && opts == nil {
		return nil, err
	}
	if _, err := broker.New(opts); err != nil {
		return nil, fmt.Errorf("instance %q: %w: %w", name, ErrInvalidConfig, err)
	}
	return inst, nil
}

// Options parses BrokerArgs as `natsvisor run` will, config file included.
// A config with only warnings returns the options and a *broker.ConfigError
// for which broker.IsWarningsOnly is true; other failures return nil
// options and an error wrapping ErrInvalidArgs or ErrInvalidConfig.
func (i *Instance) Options() (*broker.Options, error) {
	args := i.BrokerArgs()
	if _, err := broker.ParseCommandLine(args); err != nil {
		return nil, fmt.Errorf("instance %q: %w: %w", i.Name, ErrInvalidArgs, err)
	}
	opts, err := broker.ParseArgs(args)
	switch {
	case err == nil:
		return opts, nil
	case broker.IsWarningsOnly(err):
		return opts, fmt.Errorf("instance %q: config warnings: %w", i.Name, err)
	}
	return nil, fmt.Errorf("instance %q: %w: %w", i.Name, ErrInvalidConfig, err)
}

// BrokerArgs returns the flags `natsvisor run --name` passes to the broker:
// the pid file (-P) and log file (-l) in the instance's directory unless
// the flags or the config file name them, then Args.
func (i *Instance) BrokerArgs() []string {
	set := setByUser(i.Args)
	var out []string
	if set.PidFile == "" {
		out = append(out, "-P", i.defaultPidFile())
	}
	if set.LogFile == "" {
		out = append(out, "-l", i.defaultLogFile())
	}
	return append(out, i.Args...)
}

// setByUser returns the options args give, config file included; on a
// config error, those the flags alone give; on a flag error, none.
func setByUser(args []string) *broker.Options {
	if opts, err := broker.ParseArgs(args); opts != nil && (err == nil || broker.IsWarningsOnly(err)) {
		return opts
	}
	o := &broker.Options{}
	if cl, err := broker.ParseCommandLine(args); err == nil {
		cl.Apply(o)
	}
	return o
}

// Equal reports whether two instances are the same registration.
func (i *Instance) Equal(o *Instance) bool {
	return i.Name == o.Name && i.Home == o.Home && slices.Equal(i.Args, o.Args)
}
