// Command rigctl drives package supervisor inside the service-manager rigs
// (../../shared/rigs): the rig tests build it for Linux and Windows and run
// it inside a systemd-nspawn rig or a wine prefix. It is both the client
// (Detect + the Manager calls) and the service's command (run), so the
// supervisor is proven against a real systemd and a real SCM.
//
//	rigctl kind                        print the Manager's Kind
//	rigctl install|render SPECFILE     Install (or Render) the Spec in a JSON file
//	rigctl start|stop|restart|uninstall NAME
//	rigctl status NAME                 print the State as JSON (also when not installed)
//	rigctl run [--service] --name NAME [--ready-after D] [-- BROKER-FLAGS...]
//	                                   the service: a broker (instance.RunEnv) that reports
//	                                   readiness (sd_notify READY=1, or the SCM's Running),
//	                                   with --ready-after D that long after the broker is up
//	rigctl argv FILE [ARGS...]         a service that writes its ARGS as JSON to FILE, then
//	                                   reports ready and waits (proves command-line quoting)
//	rigctl probe HOST:PORT             connect with nats.go and do a request round trip;
//	                                   prints the server's max_payload
//	rigctl ldmwatch HOST:PORT          connect with nats.go, print "connected", then wait
//	                                   (up to 30s) for the server's lame duck INFO: "ldm"
//	rigctl hold FILE D MARKER          open FILE for reading, create MARKER, hold FILE open
//	                                   for D, then close it (a reader such as a virus scanner)
//	rigctl watch-start NAME            (Windows) StartService, then print every status the
//	                                   SCM reports as a JSON line until RUNNING or STOPPED
//
// Exit codes: 0 ok, 1 other error, 2 usage, 10 ErrNotInstalled, 11 ErrForeign,
// 12 ErrTimeout, 13 ErrNoManager.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/startup"
	"github.com/natsvisor/natsvisor/supervisor"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: rigctl kind|install|render|start|stop|restart|uninstall|status|run|argv|probe|ldmwatch|watch-start ...")
		return 2
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "run":
		return serve(rest)
	case "argv":
		return argv(rest)
	case "probe":
		return report(probe(rest))
	case "ldmwatch":
		return report(ldmWatch(rest))
	case "hold":
		return report(hold(rest))
	case "watch-start":
		if len(rest) != 1 {
			return usage("watch-start NAME")
		}
		return report(watchStart(rest[0]))
	}
	m, err := supervisor.Detect()
	if err != nil {
		return report(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	switch verb {
	case "kind":
		fmt.Println(m.Kind())
		return 0
	case "install", "render":
		if len(rest) != 1 {
			return usage(verb + " SPECFILE")
		}
		spec, err := readSpec(rest[0])
		if err != nil {
			return report(err)
		}
		if verb == "render" {
			out, err := m.Render(spec)
			fmt.Print(out)
			return report(err)
		}
		return report(m.Install(ctx, spec))
	}
	if len(rest) != 1 {
		return usage(verb + " NAME")
	}
	name := rest[0]
	switch verb {
	case "start":
		return report(m.Start(ctx, name))
	case "stop":
		return report(m.Stop(ctx, name))
	case "restart":
		return report(m.Restart(ctx, name))
	case "uninstall":
		return report(m.Uninstall(ctx, name))
	case "status":
		st, err := m.Status(ctx, name)
		out, _ := json.Marshal(st)
		fmt.Println(string(out))
		return report(err)
	}
	return usage("unknown verb " + verb)
}

func usage(msg string) int {
	fmt.Fprintln(os.Stderr, "usage: rigctl", msg)
	return 2
}

// report prints err and maps it to the exit code the tests check.
func report(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "rigctl:", err)
	for code, sentinel := range map[int]error{10: supervisor.ErrNotInstalled, 11: supervisor.ErrForeign,
		12: supervisor.ErrTimeout, 13: supervisor.ErrNoManager} {
		if errors.Is(err, sentinel) {
			return code
		}
	}
	return 1
}

func readSpec(path string) (supervisor.Spec, error) {
	var spec supervisor.Spec
	data, err := os.ReadFile(path)
	if err != nil {
		return spec, err
	}
	return spec, json.Unmarshal(data, &spec)
}

// serve is the service body: instance.RunEnv with the broker flags. Its
// readiness goes to the SCM (--service) or to systemd (READY=1), delayed
// by --ready-after: a slow start, to watch what the manager does meanwhile.
func serve(args []string) int {
	service, name, readyAfter := false, "", time.Duration(0)
	for len(args) > 0 && args[0] != "--" {
		switch {
		case args[0] == supervisor.ServiceFlag:
			service, args = true, args[1:]
		case args[0] == "--name" && len(args) > 1:
			name, args = args[1], args[2:]
		case args[0] == "--ready-after" && len(args) > 1:
			d, err := time.ParseDuration(args[1])
			if err != nil {
				return usage("run: --ready-after: " + err.Error())
			}
			readyAfter, args = d, args[2:]
		default:
			return usage("run [--service] --name NAME [--ready-after D] [-- BROKER-FLAGS...]")
		}
	}
	if len(args) > 0 {
		args = args[1:]
	}
	// after calls ready once the broker is ready and readyAfter has passed.
	after := func(ctx context.Context, ready func()) func() {
		return func() {
			go func() {
				t := time.NewTimer(readyAfter)
				defer t.Stop()
				select {
				case <-t.C:
					ready()
				case <-ctx.Done():
				}
			}()
		}
	}
	if service {
		code, err := supervisor.RunService(name, func(ctx context.Context, ready func()) int {
			return instance.RunEnv(ctx, args, os.Stdout, os.Stderr, instance.Env{Name: name, Service: true, Ready: after(ctx, ready)})
		}, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rigctl:", err)
		}
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	// instance.RunEnv sends READY=1 itself as soon as the broker is up:
	// hide the socket from it, and send READY=1 here, late.
	sock := os.Getenv("NOTIFY_SOCKET")
	if readyAfter > 0 {
		_ = os.Unsetenv("NOTIFY_SOCKET")
	}
	notifyReady := func() {
		_ = os.Setenv("NOTIFY_SOCKET", sock)
		_ = startup.Ready()
	}
	return instance.RunEnv(ctx, args, os.Stdout, os.Stderr, instance.Env{Name: name, Ready: after(ctx, notifyReady)})
}

// argv writes its arguments to a file as JSON, then runs as a trivial
// service until stopped.
func argv(args []string) int {
	if len(args) < 1 {
		return usage("argv FILE [ARGS...]")
	}
	data, _ := json.Marshal(args[1:])
	if err := os.WriteFile(args[0], data, 0o644); err != nil {
		return report(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	_ = startup.Ready()
	<-stop
	_ = startup.Stopping()
	return 0
}

// probe connects to a broker with nats.go and does a request round trip.
func probe(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: rigctl probe HOST:PORT")
	}
	nc, err := nats.Connect("nats://"+args[0], nats.Timeout(3*time.Second), nats.NoReconnect())
	if err != nil {
		return fmt.Errorf("connect %s: %w", args[0], err)
	}
	defer nc.Close()
	sub, err := nc.Subscribe("rig.echo", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	reply, err := nc.Request("rig.echo", []byte("ping"), 3*time.Second)
	if err != nil {
		return fmt.Errorf("request via %s: %w", args[0], err)
	}
	fmt.Printf("ok %s server_id=%s max_payload=%d reply=%s\n", args[0], nc.ConnectedServerId(), nc.MaxPayload(), reply.Data)
	return nil
}

// hold keeps a file open for a while, as another reader would.
func hold(args []string) error {
	if len(args) != 3 {
		return errors.New("usage: rigctl hold FILE DURATION MARKER")
	}
	d, err := time.ParseDuration(args[1])
	if err != nil {
		return err
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.WriteFile(args[2], nil, 0o644); err != nil {
		return err
	}
	time.Sleep(d)
	return nil
}

// ldmWatch connects and waits for the lame duck INFO nats.go reports
// through its LameDuckModeHandler.
func ldmWatch(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: rigctl ldmwatch HOST:PORT")
	}
	ldm := make(chan struct{}, 1)
	nc, err := nats.Connect("nats://"+args[0], nats.Timeout(3*time.Second), nats.NoReconnect(),
		nats.LameDuckModeHandler(func(*nats.Conn) { ldm <- struct{}{} }))
	if err != nil {
		return fmt.Errorf("connect %s: %w", args[0], err)
	}
	defer nc.Close()
	fmt.Printf("connected %s server_id=%s\n", args[0], nc.ConnectedServerId())
	select {
	case <-ldm:
		fmt.Printf("ldm %s\n", args[0])
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no lame duck INFO from %s within 30s", args[0])
	}
}
