package logger

import (
	"errors"
	"fmt"
	"net/url"
	"os"

	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc/eventlog"
)

// eventSourceKey is where event sources of the Application log are
// registered.
const eventSourceKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application\`

// NewSysLogger logs to the Windows Event Log (Application) under source,
// as nats-server's syslog does on Windows. An unregistered source is
// registered first (with EventCreate.exe as its message file); that writes
// HKLM and needs an administrator, such as the LocalSystem account a
// service runs as. If it fails, events are still logged, but the Event
// Viewer shows them without their message file, and the first one says so.
func NewSysLogger(source string, c Config) (*SysLogger, error) {
	regErr := registerSource(source)
	el, err := eventlog.Open(source)
	if err != nil {
		return nil, fmt.Errorf("could not open the event log as %q: %w", source, err)
	}
	l := NewSysLoggerTo(NewEventLogWriter(el, os.Getpid()), c)
	if regErr != nil {
		l.Warnf("Event source %q is not registered (%v): run natsvisor as an administrator once, or log to a file", source, regErr)
	}
	return l, nil
}

// NewRemoteSysLogger logs to the Event Log of the host that rawURL names
// (its host part; a bare host name works too), as nats-server's
// remote_syslog does on Windows. The source must be registered there.
func NewRemoteSysLogger(rawURL, source string, c Config) (*SysLogger, error) {
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	el, err := eventlog.OpenRemote(host, source)
	if err != nil {
		return nil, fmt.Errorf("could not open the event log of %s as %q: %w", host, source, err)
	}
	return NewSysLoggerTo(NewEventLogWriter(el, os.Getpid()), c), nil
}

// registerSource registers source unless it already is. Checking first
// matters: registering needs write access to HKLM even when the key exists.
func registerSource(source string) error {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, eventSourceKey+source, registry.QUERY_VALUE)
	if err == nil {
		k.Close()
		return nil
	}
	if !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	return eventlog.InstallAsEventCreate(source, eventlog.Error|eventlog.Warning|eventlog.Info)
}
