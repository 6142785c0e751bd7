package startup

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listen opens a unixgram socket like systemd's and returns the value
// NOTIFY_SOCKET should have for it.
func listen(t *testing.T, abstract bool) (*net.UnixConn, string) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "notify.sock")
	env := name
	if abstract {
		env = fmt.Sprintf("@natsvisor-test-%d", time.Now().UnixNano())
		name = "\x00" + env[1:]
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, env
}

func read(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name string
		send func() error
		want string // a prefix of the datagram
	}{
		{"ready", Ready, "READY=1"},
		{"status", func() error { return Status("waiting for\nthe listener") }, "STATUS=waiting for the listener"},
		{"stopping", Stopping, "STOPPING=1"},
		{"reloading", Reloading, "RELOADING=1\nMONOTONIC_USEC="},
		{"extend", func() error { return ExtendTimeout(1500 * time.Millisecond) }, "EXTEND_TIMEOUT_USEC=1500000"},
	}
	for _, abstract := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/abstract=%v", tc.name, abstract), func(t *testing.T) {
				c, env := listen(t, abstract)
				t.Setenv("NOTIFY_SOCKET", env)
				if err := tc.send(); err != nil {
					t.Fatal(err)
				}
				if got := read(t, c); !strings.HasPrefix(got, tc.want) {
					t.Errorf("sent %q, want prefix %q", got, tc.want)
				}
			})
		}
	}
}

func TestNotifyWithoutSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Ready(); err != nil {
		t.Errorf("Ready without NOTIFY_SOCKET: %v, want nil", err)
	}
}

func TestNotifyErrors(t *testing.T) {
	for _, env := range []string{"relative/path", filepath.Join(t.TempDir(), "missing.sock")} {
		t.Setenv("NOTIFY_SOCKET", env)
		if err := Ready(); err == nil {
			t.Errorf("NOTIFY_SOCKET=%q: no error", env)
		}
	}
}
