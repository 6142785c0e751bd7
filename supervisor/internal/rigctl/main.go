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
//	rigctl run [--service] --name NAME [-- BROKER-FLAGS...]
//	                                   the service: a broker (instance.Run) that reports
//	                                   readiness (sd_notify READY=1, or the SCM's Running)
//	rigctl argv FILE [ARGS...]         a service that writes its ARGS as JSON to FILE, then
//	                                   reports ready and waits (proves command-line quoting)
//	rigctl probe HOST:PORT             connect with nats.go and do a request round trip
//
// Exit codes: 0 ok, 1 other error, 2 usage, 10 ErrNotInstalled, 11 ErrForeign,
// 12 ErrTimeout, 13 ErrNoManager.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/instance"
	"github.com/natsvisor/natsvisor/startup"
	"github.com/natsvisor/natsvisor/supervisor"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: rigctl kind|install|render|start|stop|restart|uninstall|status|run|argv|probe ...")
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

// serve is the service body: instance.Run with the broker flags, plus a
// readiness check (the client port accepts) until instance.Run reports
// readiness itself.
func serve(args []string) int {
	service, name := false, ""
	for len(args) > 0 && args[0] != "--" {
		switch {
		case args[0] == supervisor.ServiceFlag:
			service, args = true, args[1:]
		case args[0] == "--name" && len(args) > 1:
			name, args = args[1], args[2:]
		default:
			return usage("run [--service] --name NAME [-- BROKER-FLAGS...]")
		}
	}
	if len(args) > 0 {
		args = args[1:]
	}
	body := func(ctx context.Context, ready func()) int {
		go whenListening(ctx, args, ready)
		return instance.Run(ctx, args, os.Stdout, os.Stderr)
	}
	if service {
		code, err := supervisor.RunService(name, body, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rigctl:", err)
		}
		return code
	}
	stopping := make(chan os.Signal, 1)
	signal.Notify(stopping, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-stopping
		_ = startup.Stopping()
	}()
	return body(context.Background(), func() { _ = startup.Ready() })
}

// whenListening calls ready once the broker's client port accepts.
func whenListening(ctx context.Context, args []string, ready func()) {
	opts, err := broker.ParseArgs(args)
	if err != nil && opts == nil {
		return
	}
	host := opts.Host
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	port := opts.Port
	if port == 0 {
		port = broker.DefaultPort
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	for ctx.Err() == nil {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			ready()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
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
	fmt.Printf("ok %s server_id=%s reply=%s\n", args[0], nc.ConnectedServerId(), reply.Data)
	return nil
}
