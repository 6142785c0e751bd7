package instance

// serviceLogsToSyslog is true: a Windows service with no log file logs to
// the Event Log, as nats-server does, since the SCM discards stderr.
const serviceLogsToSyslog = true
