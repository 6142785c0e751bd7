//go:build unix

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/instance"
)

// natsvisor run --name X runs the registered instance X with its saved
// flags, its log and pid file in the instance's directory; a client gets
// through, and SIGTERM stops it with exit 0. The home comes from --home or
// from NATSVISOR_HOME, as the service passes both.
func TestE2ERunInstance(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		t.Run("env="+strconv.FormatBool(viaEnv), func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			reg, err := instance.OpenRegistry(home)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := reg.New("east", t.TempDir(), []string{"-a", "127.0.0.1", "-p", "-1", "-n", "east-1"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reg.Put(inst); err != nil {
				t.Fatal(err)
			}
			args := []string{"run", "--name", "east", "--home", home}
			if viaEnv {
				args = args[:3]
				t.Setenv(instance.HomeEnv, home) // inherited by the child
			}
			p := start(t, args...)
			paths := inst.Paths()
			addr := p.waitLogListening(t, paths.LogFile)

			nc, err := nats.Connect("nats://"+addr, nats.Timeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			sub, err := nc.SubscribeSync("greet")
			if err != nil {
				t.Fatal(err)
			}
			if err := nc.Publish("greet", []byte("hello")); err != nil {
				t.Fatal(err)
			}
			if m, err := sub.NextMsg(5 * time.Second); err != nil || string(m.Data) != "hello" {
				t.Fatalf("message %v, %v", m, err)
			}
			if name := nc.ConnectedServerName(); name != "east-1" {
				t.Fatalf("server name %q, want the saved -n east-1", name)
			}
			if b, err := os.ReadFile(paths.PidFile); err != nil || string(b) != strconv.Itoa(p.cmd.Process.Pid) {
				t.Fatalf("pid file %s: %q, %v", paths.PidFile, b, err)
			}

			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t, 15*time.Second); code != 0 {
				t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr.String())
			}
			if b, _ := os.ReadFile(paths.LogFile); !strings.HasSuffix(string(b), "[INF] Server Exiting..\n") {
				t.Fatalf("log does not end with the exit line:\n%s", b)
			}
		})
	}
}

var logListenLine = regexp.MustCompile(`Listening for client connections on (\S+)\n`)

// waitLogListening polls the log file for the client listener's address.
func (p *proc) waitLogListening(t *testing.T, logFile string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(logFile)
		if m := logListenLine.FindSubmatch(b); m != nil {
			return string(m[1])
		}
		select {
		case <-p.exited:
			t.Fatalf("natsvisor exited before listening\nstderr:\n%s\nlog:\n%s", p.stderr.String(), b)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("not listening after 15s\nstderr:\n%s", p.stderr.String())
	return ""
}
