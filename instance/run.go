// Package instance runs and describes natsvisor broker instances.
package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"unicode"
	"unicode/utf8"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/broker/logger"
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
)

// Run is the body of `natsvisor run`: it parses nats-server flags from args,
// opens the log (the -l file, appended to, else stderr), starts the broker
// and serves until SIGINT or SIGTERM arrives or ctx ends, then shuts the
// broker down gracefully and returns ExitOK. Failures return ExitStartup or
// ExitUsage after saying why, on stderr or as an [FTL] log line.
//
// Help and version requests (-h, -v) are not broker flags: the CLI answers
// them, and Run refuses them with ExitUsage. Run writes nothing to stdout
// today; the parameter is where command output such as a config check goes.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := broker.ParseArgs(args)
	if errors.Is(err, broker.ErrHelp) || errors.Is(err, broker.ErrVersion) {
		fmt.Fprintf(stderr, "natsvisor: %v: ask with `natsvisor run --help` or `natsvisor version`\n", err)
		return ExitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\nRun 'natsvisor run --help' for the supported flags.\n", err)
		return ExitUsage
	}
	return serve(ctx, opts, stderr)
}

// serve runs one broker with opts until it is asked to stop.
func serve(ctx context.Context, opts *broker.Options, stderr io.Writer) int {
	log, closeLog, err := openLog(opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitStartup
	}
	defer closeLog()

	s, err := broker.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "natsvisor: %v\n", err)
		return ExitStartup
	}
	if log != nil {
		s.SetLogger(log)
	}

	// Trap before Start, so a signal during start-up is not fatal.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, shutdownSignals...)
	defer signal.Stop(sigs)

	if err := s.Start(); err != nil {
		fatal(log, opts, stderr, err)
		return ExitStartup
	}
	if err := s.ReadyForConnections(startupTimeout); err != nil {
		fatal(log, opts, stderr, err)
		s.Shutdown()
		return ExitStartup
	}

	select {
	case sig := <-sigs:
		// A second signal gets the default action: a stuck shutdown can
		// still be interrupted.
		signal.Stop(sigs)
		if log != nil {
			log.Noticef("Trapped %q signal", sig.String())
		}
		s.Shutdown()
	case <-ctx.Done():
		s.Shutdown()
	case <-s.Done():
	}
	return ExitOK
}

// openLog returns the logger opts ask for (nil for NoLog) and a func that
// closes its file.
func openLog(opts *broker.Options, stderr io.Writer) (*logger.Logger, func(), error) {
	cfg := logger.Config{Time: opts.Logtime, Debug: opts.Debug, Trace: opts.Trace, PID: os.Getpid()}
	switch {
	case opts.NoLog:
		return nil, func() {}, nil
	case opts.LogFile == "":
		cfg.Colors = isTerminal(stderr)
		return logger.New(stderr, cfg), func() {}, nil
	}
	f, err := os.OpenFile(opts.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("error opening file: %w", err)
	}
	return logger.New(f, cfg), func() { _ = f.Close() }, nil
}

// fatal reports a start-up failure as nats-server does, with an [FTL] line
// in the log. When the log is a file, stderr gets the reason too, so a user
// in a terminal is not left with a silent exit.
func fatal(log *logger.Logger, opts *broker.Options, stderr io.Writer, err error) {
	msg := capitalize(err.Error())
	if log != nil {
		log.Fatalf("%s", msg)
	}
	if log == nil || opts.LogFile != "" {
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

// isTerminal reports whether w is a character device, as nats-server checks
// before colouring its labels.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
