package startup

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Notify sends one sd_notify message (newline-separated KEY=VALUE
// assignments) to $NOTIFY_SOCKET. Without NOTIFY_SOCKET it does nothing
// and returns nil: the process was not started by systemd as Type=notify.
func Notify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	switch {
	case addr[0] == '@': // the abstract namespace
		addr = "\x00" + addr[1:]
	case addr[0] != '/':
		return fmt.Errorf("sd_notify: NOTIFY_SOCKET %q is neither a path nor an abstract name", addr)
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

// Ready says the broker accepts connections (READY=1): `systemctl start`
// returns. Send it again after a reload.
func Ready() error { return Notify("READY=1") }

// Status sets the one-line status `systemctl status` shows (STATUS=).
func Status(s string) error {
	return Notify("STATUS=" + strings.NewReplacer("\n", " ", "\r", " ").Replace(s))
}

// Reloading says a reload has begun (RELOADING=1 with the monotonic time
// systemd 253 and later require); Ready ends it.
func Reloading() error {
	return Notify(fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", monotonicUsec()))
}

// Stopping says the broker is shutting down (STOPPING=1).
func Stopping() error { return Notify("STOPPING=1") }

// ExtendTimeout asks systemd for d more before it fails the start, stop or
// reload in progress (EXTEND_TIMEOUT_USEC=).
func ExtendTimeout(d time.Duration) error {
	return Notify(fmt.Sprintf("EXTEND_TIMEOUT_USEC=%d", d.Microseconds()))
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, the clock systemd uses.
func monotonicUsec() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Nano() / 1000
}
