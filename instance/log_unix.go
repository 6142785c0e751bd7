//go:build !windows

package instance

// serviceLogsToSyslog is false: a systemd service logs to stderr, which the
// journal keeps.
const serviceLogsToSyslog = false
