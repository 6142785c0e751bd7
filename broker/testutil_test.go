package broker_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/internal/testpeer"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// startServer runs a broker on 127.0.0.1 and a random port with logging off,
// and shuts it down when the test ends. Fields of opts left zero keep their
// defaults; opts may be nil.
func startServer(t testing.TB, opts *broker.Options) *broker.Server {
	t.Helper()
	o := &broker.Options{}
	if opts != nil {
		o = opts.Clone()
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = broker.RandomPort
	}
	o.NoLog = true
	s, err := broker.New(o)
	if err != nil {
		t.Fatalf("broker.New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// waitFor polls f every 10ms until it returns nil or d passes, and then
// fails the test with f's last error.
func waitFor(t testing.TB, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v: %v", d, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serverConfig holds the limits a case changes from the defaults. Keys are
// nats-server config names; the broker target maps them to Options.
type serverConfig map[string]string

// configKeys are the config keys a script may set, with how each is rendered
// in a nats-server config file.
var configKeys = map[string]func(v string) (string, error){
	"max_payload":       intValue,
	"max_control_line":  intValue,
	"max_connections":   intValue,
	"max_pending":       intValue,
	"max_subscriptions": intValue,
	"ping_max":          intValue,
	"ping_interval":     durationValue,
	"write_deadline":    durationValue,
	"no_header_support": boolValue,
	"conf":              func(v string) (string, error) { return v, nil },
}

func intValue(v string) (string, error) {
	_, err := strconv.ParseInt(v, 10, 64)
	return v, err
}

func durationValue(v string) (string, error) {
	_, err := time.ParseDuration(v)
	return strconv.Quote(v), err
}

func boolValue(v string) (string, error) {
	_, err := strconv.ParseBool(v)
	return v, err
}

// ---------------------------------------------------------------------------
// Targets: where a case's server comes from.
// ---------------------------------------------------------------------------

// target starts one server for one case and returns its host:port. The
// server must be stopped when t ends.
type target interface {
	start(t *testing.T, cfg serverConfig) string
}

// brokerTarget runs our broker in-process.
type brokerTarget struct{}

func (brokerTarget) start(t *testing.T, cfg serverConfig) string {
	t.Helper()
	return startServer(t, brokerOptions(t, cfg)).Addr().String()
}

// brokerOptions maps a case's config keys to broker Options.
func brokerOptions(t *testing.T, cfg serverConfig) *broker.Options {
	t.Helper()
	o := &broker.Options{}
	for k, v := range cfg {
		n, _ := strconv.ParseInt(v, 10, 64)
		d, _ := time.ParseDuration(v)
		b, _ := strconv.ParseBool(v)
		switch k {
		case "max_payload":
			o.MaxPayload = int32(n)
		case "max_control_line":
			o.MaxControlLine = int32(n)
		case "max_connections":
			o.MaxConn = int(n)
			if n == 0 { // as in a config file: refuse everyone
				o.MaxConn = -1
			}
		case "max_pending":
			o.MaxPending = n
		case "max_subscriptions":
			o.MaxSubs = int(n)
		case "ping_max":
			o.MaxPingsOut = int(n)
		case "ping_interval":
			o.PingInterval = d
		case "write_deadline":
			o.WriteDeadline = d
		case "no_header_support":
			o.NoHeaderSupport = b
		case "conf":
			path := filepath.Join(t.TempDir(), "nats.conf")
			if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := o.ProcessConfigFile(path); err != nil {
				t.Fatalf("broker target: conf %q: %v", v, err)
			}
		default:
			t.Fatalf("broker target: config key %q not mapped", k)
		}
	}
	return o
}

// referenceTarget runs a nats-server binary, one process per case, on
// 127.0.0.1 and a port the server picks (-p -1, read back from its ports
// file), with a generated config file holding the case's limits.
type referenceTarget struct{ bin string }

// referenceBinary finds nats-server: $NATS_SERVER_BIN, else the copy
// installed by shared/tools/peers.sh. It returns "" when there is none.
func referenceBinary() string { return testpeer.NatsServer() }

func (r referenceTarget) start(t *testing.T, cfg serverConfig) string {
	t.Helper()
	addr, _ := runReference(t, r.bin, cfg, "-1")
	return addr
}

// runReference starts nats-server on 127.0.0.1 and port ("-1" for any) with
// a config file holding cfg, waits until it listens and returns its
// host:port and a stop function. The server is also stopped when t ends.
func runReference(t *testing.T, bin string, cfg serverConfig, port string) (addr string, stop func()) {
	t.Helper()
	r := launchReference(t, bin, cfg, port)
	return r.addr, r.stop
}

// refServer is a running nats-server: its client host:port, its monitor
// URL when it was started with one, and how to stop it.
type refServer struct {
	addr, monitor string
	stop          func()
}

// launchReference is runReference taking extra nats-server arguments
// (say "-m", "-1" for a monitor on any port).
func launchReference(t *testing.T, bin string, cfg serverConfig, port string, args ...string) refServer {
	t.Helper()
	var r refServer
	dir := t.TempDir()
	var conf strings.Builder
	for k, v := range cfg {
		rendered, _ := configKeys[k](v)
		if k == "conf" {
			fmt.Fprintf(&conf, "%s\n", rendered)
			continue
		}
		fmt.Fprintf(&conf, "%s: %s\n", k, rendered)
	}
	confPath := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-a", "127.0.0.1", "-p", port, "-c", confPath, "--ports_file_dir", dir}, args...)
	cmd := exec.Command(bin, args...)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	t.Cleanup(r.stop)
	portsFile := filepath.Join(dir, fmt.Sprintf("%s_%d.ports", filepath.Base(bin), cmd.Process.Pid))
	waitFor(t, 10*time.Second, func() error {
		select {
		case <-exited:
			t.Fatalf("nats-server exited: %s", logs.String())
		default:
		}
		data, err := os.ReadFile(portsFile)
		if err != nil {
			return err
		}
		var ports struct{ Nats, Monitoring []string }
		if err := json.Unmarshal(data, &ports); err != nil || len(ports.Nats) == 0 {
			return fmt.Errorf("ports file %q: %v", data, err)
		}
		r.addr = strings.TrimPrefix(ports.Nats[0], "nats://")
		if len(ports.Monitoring) > 0 {
			r.monitor = ports.Monitoring[0]
		}
		return nil
	})
	return r
}

// syncBuffer is a bytes.Buffer safe for a process's output goroutines.
type syncBuffer = testkit.SyncBuffer

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isClosedErr reports whether err means the peer closed: EOF or a reset.
func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}

func describeErr(err error) string {
	switch {
	case isTimeout(err):
		return "nothing more (timeout)"
	case isClosedErr(err):
		return "<closed>"
	default:
		return err.Error()
	}
}

// dialRaw connects to addr, closing the connection when the test ends.
func dialRaw(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}
