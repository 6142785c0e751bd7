// Package instance runs and describes natsvisor broker instances.
package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/broker/conf"
	"github.com/natsvisor/natsvisor/startup"
)

// Exit codes of Run, and so of `natsvisor run`.
const (
	// ExitOK: the broker ran and stopped on request (SIGINT, SIGTERM, or
	// the context ending).
	ExitOK = 0
	// ExitStartup: the broker could not start: the log file could not be
	// opened, the options were invalid, or the listener could not be opened
	// (port in use, say). Retrying may succeed once the cause is gone.
	ExitStartup = 1
	// ExitUsage: the arguments are wrong (unknown, unsupported or malformed
	// flag). Retrying cannot succeed; a service manager should not restart.
	ExitUsage = 2
	// ExitConfig: the config file is invalid (or, with -t, has warnings).
	// Retrying cannot succeed until the file is fixed.
	ExitConfig = 3
	// ExitNotReady: the broker started but not every listener accepted
	// connections within NATS_STARTUP_DELAY; it was shut down, so a service
	// start fails instead of hanging.
	ExitNotReady = 7
)

// Run is the body of `natsvisor run`: it parses nats-server flags from args,
// opens the log (the -l file, rotated by size, else remote_syslog, else
// syslog, else stderr), starts the broker, waits until every listener
// accepts (NATS_STARTUP_DELAY at most), and serves until ctx ends, then
// shuts the broker down gracefully and returns ExitOK. Signals are the
// caller's: RunEnv's Env.Control carries them out. Failures return
// ExitStartup, ExitUsage, ExitConfig or ExitNotReady after saying why, on
// stderr or as an [FTL] log line.
//
// Help and version requests (-h, -v) are not broker flags: the CLI answers
// them, and Run refuses them with ExitUsage. Run writes nothing to stdout
// today; the parameter is where command output such as a config check goes.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunReady(ctx, args, stdout, stderr, nil)
}

// RunReady is Run that calls ready, when not nil, once the broker accepts
// connections on every listener: how a service manager (the Windows SCM)
// learns that the broker is up.
func RunReady(ctx context.Context, args []string, stdout, stderr io.Writer, ready func()) int {
	return RunEnv(ctx, args, stdout, stderr, Env{Ready: ready})
}

// Env is what Run learns from how the process was started, beyond the
// broker's flags. The zero value is a foreground `natsvisor run`.
type Env struct {
	// Name is the instance's name; empty for an unnamed run. It tags the
	// syslog messages and is the Event Log source; empty means the
	// executable's name.
	Name string
	// Service is true when the Windows SCM runs the process: with no log
	// file (and no remote_syslog) the log goes to the Event Log, as
	// nats-server's does. Elsewhere it changes nothing.
	Service bool
	// Ready, when not nil, is called once the broker accepts connections
	// on every listener.
	Ready func()
	// Control, when not nil, runs the control loop once the broker is
	// ready: it carries out stop, reload, reopen and lame duck requests
	// (from OS signals, SCM controls) on b and returns once the broker has
	// stopped. The caller starts trapping signals before RunEnv, so one
	// that arrives during start-up is not fatal. Nil: the broker runs until
	// ctx ends.
	Control func(ctx context.Context, b Controlled)
}

// Controlled is the running broker as a control loop sees it; reloads and
// the shutdown also tell the service manager (RELOADING=1, READY=1,
// STOPPING=1).
type Controlled interface {
	Shutdown()
	LameDuck()
	InLameDuck() bool
	Reload() error
	ReopenLog()
	Done() <-chan struct{}
	Logger() broker.Logger
}

// controlled wraps the broker with the service manager notifications.
type controlled struct{ *broker.Server }

func (c controlled) Reload() error {
	_ = startup.Reloading()
	err := c.Server.Reload() // logged and recorded by the broker
	_ = startup.Ready()
	return err
}

func (c controlled) Shutdown() {
	_ = startup.Stopping()
	c.Server.Shutdown()
}

// RunEnv is Run for the process env describes.
func RunEnv(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) int {
	opts, err := broker.ParseArgs(args)
	if errors.Is(err, broker.ErrHelp) || errors.Is(err, broker.ErrVersion) {
		fmt.Fprintf(stderr, "natsvisor: %v: ask with `natsvisor run --help` or `natsvisor version`\n", err)
		return ExitUsage
	}
	var cerr *broker.ConfigError
	if errors.As(err, &cerr) && !broker.IsWarningsOnly(err) || err != nil && opts == nil && isConfigErr(err) {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitConfig
	}
	if err != nil && opts == nil {
		fmt.Fprintf(stderr, "natsvisor: %v\nRun 'natsvisor run --help' for the supported flags.\n", err)
		return ExitUsage
	}
	if opts.CheckConfig {
		return checkConfig(opts, err, stdout, stderr)
	}
	return serve(ctx, opts, err, stderr, env)
}

// isConfigErr tells a config file's read or syntax error from a flag error.
func isConfigErr(err error) bool {
	var ce *conf.Error
	var pe *fs.PathError
	return errors.As(err, &ce) || errors.As(err, &pe)
}

// checkConfig is -t: report the config and exit, as nats-server does;
// warnings count as failures.
func checkConfig(opts *broker.Options, warnings error, stdout, stderr io.Writer) int {
	if warnings != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", warnings)
		return ExitConfig
	}
	if opts.ConfigFile == "" {
		fmt.Fprintln(stderr, "natsvisor: -t needs a configuration file (-c)")
		return ExitUsage
	}
	fmt.Fprintf(stderr, "natsvisor: configuration file %s is valid (%s)\n", opts.ConfigFile, opts.ConfigDigest())
	return ExitOK
}

// serve runs one broker with opts until it is asked to stop; warnings from
// the config file are logged first, and env.Ready (when not nil) is called
// once the broker accepts connections.
func serve(ctx context.Context, opts *broker.Options, warnings error, stderr io.Writer, env Env) int {
	log, closeLog, err := openLog(opts, env, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitStartup
	}
	closeOnce := onceFunc(closeLog)
	defer closeOnce()
	if warnings != nil && log != nil {
		for _, w := range strings.Split(warnings.Error(), "\n") {
			log.Warnf("%s", w)
		}
	}

	s, err := broker.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitStartup
	}
	if log != nil {
		s.SetLogger(log)
		s.SetLoggerFactory(func(o *broker.Options) (broker.Logger, func(), error) {
			l, c, err := openLog(o, env, stderr)
			if err != nil || l == nil {
				return nil, c, err // nil: the broker logs nothing
			}
			return l, c, nil
		}, closeOnce)
	}

	logsElsewhere := targetOf(opts, env) != toStderr
	if err := s.Start(); err != nil {
		fatal(log, logsElsewhere, stderr, err)
		return ExitStartup
	}
	delay, derr := startup.Delay()
	if derr != nil {
		s.Logger().Warnf("%v", derr)
	}
	if err := startup.Wait(ctx, delay, s.Readiness); err != nil {
		if ctx.Err() != nil { // asked to stop while starting: not a failure
			_ = startup.Stopping()
			s.Shutdown()
			return ExitOK
		}
		fatal(log, logsElsewhere, stderr, err)
		_ = startup.Status(err.Error())
		s.Shutdown()
		return ExitNotReady
	}
	_ = startup.Ready() // systemd Type=notify: `systemctl start` returns
	if env.Ready != nil {
		env.Ready()
	}
	if env.Control != nil {
		env.Control(ctx, controlled{s})
	} else {
		select {
		case <-ctx.Done():
		case <-s.Done():
		}
	}
	_ = startup.Stopping()
	s.Shutdown()
	return ExitOK
}

// onceFunc makes f safe to call more than once.
func onceFunc(f func()) func() {
	var once sync.Once
	return func() { once.Do(f) }
}

// fatal reports a start-up failure as nats-server does, with an [FTL] line
// in the log. When the log is not stderr (a file, syslog), stderr gets the
// reason too, so a user in a terminal is not left with a silent exit.
func fatal(log broker.Logger, logsElsewhere bool, stderr io.Writer, err error) {
	msg := capitalize(err.Error())
	_ = startup.Status(msg) // what `natsvisor status` and systemctl show
	if log != nil {
		log.Fatalf("%s", msg)
	}
	if log == nil || logsElsewhere {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
	}
}

// capitalize upper-cases the first letter: Go errors start lower-case,
// nats-server's log lines ("Error listening on port: ...") do not.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
