package broker_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/broker"
)

// readPortsFile waits for the single *.ports file in dir and returns its
// path and nats URLs.
func readPortsFile(t *testing.T, dir string) (string, []string) {
	t.Helper()
	var path string
	var urls []string
	waitFor(t, 10*time.Second, func() error {
		files, _ := filepath.Glob(filepath.Join(dir, "*.ports"))
		if len(files) != 1 {
			return fmt.Errorf("ports files %v", files)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		var ports struct{ Nats []string }
		if err := json.Unmarshal(b, &ports); err != nil || len(ports.Nats) == 0 {
			return fmt.Errorf("ports file %q: %v", b, err)
		}
		path, urls = files[0], ports.Nats
		return nil
	})
	return path, urls
}

var portRe = regexp.MustCompile(`:\d+$`)

// withoutPorts drops the ports from URLs, to compare two servers' files.
func withoutPorts(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = portRe.ReplaceAllString(u, ":PORT")
	}
	return out
}

// The ports file names the listener's actual address, every interface's
// addresses for a wildcard host, as nats-server's does; it is named
// <exe>_<pid>.ports and removed on shutdown.
func TestPortsFile(t *testing.T) {
	var every []string // every interface address, as nats-server lists them
	ifaces, _ := net.Interfaces()
	for _, iface := range ifaces {
		addrs, _ := iface.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				every = append(every, "nats://"+net.JoinHostPort(n.IP.String(), "PORT"))
			}
		}
	}
	tests := []struct {
		host string
		want []string
	}{
		{"127.0.0.1", []string{"nats://127.0.0.1:PORT"}},
		{"localhost", []string{"nats://127.0.0.1:PORT"}},
		{"0.0.0.0", every},
	}
	bin := referenceBinary()
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s, err := broker.New(&broker.Options{Host: tt.host, Port: broker.RandomPort, PortsFileDir: dir, NoLog: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			path, urls := readPortsFile(t, dir)
			if want := filepath.Base(os.Args[0]) + "_" + strconv.Itoa(os.Getpid()) + ".ports"; filepath.Base(path) != want {
				t.Errorf("ports file %s, want %s", filepath.Base(path), want)
			}
			port := strconv.Itoa(s.Addr().(*net.TCPAddr).Port)
			for _, u := range urls {
				if portRe.FindString(u) != ":"+port {
					t.Errorf("URL %s, want port %s", u, port)
				}
			}
			if got := withoutPorts(urls); !slices.Equal(got, tt.want) {
				t.Errorf("ports file lists %v, want %v", got, tt.want)
			}
			if bin != "" {
				refDir := t.TempDir()
				cmd := exec.Command(bin, "-a", tt.host, "-p", "-1", "--ports_file_dir", refDir)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
				if _, ref := readPortsFile(t, refDir); !slices.Equal(withoutPorts(ref), withoutPorts(urls)) {
					t.Errorf("ports file lists %v, nats-server %v", withoutPorts(urls), withoutPorts(ref))
				}
			}
			s.Shutdown()
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("ports file after Shutdown: %v", err)
			}
		})
	}
}
