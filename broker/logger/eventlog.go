package logger

import "fmt"

// EventLog is the part of the Windows Event Log (x/sys's *eventlog.Log)
// that an event log SysWriter uses; kept free of Windows types so the
// message format is tested on every OS.
type EventLog interface {
	Info(eventID uint32, msg string) error
	Warning(eventID uint32, msg string) error
	Error(eventID uint32, msg string) error
	Close() error
}

// Event ids, as nats-server's: 1 notice (and warning), 2 error, 3 debug,
// 4 trace, 5 fatal.
const (
	eventNotice uint32 = 1
	eventError  uint32 = 2
	eventDebug  uint32 = 3
	eventTrace  uint32 = 4
	eventFatal  uint32 = 5
)

// NewEventLogWriter returns a SysWriter that reports each message to el as
// nats-server does, "pid[1234][NOTICE]: message", with its event ids.
// Warnings are Warning events (nats-server files them as Information).
func NewEventLogWriter(el EventLog, pid int) SysWriter {
	return eventWriter{el: el, pid: pid}
}

type eventWriter struct {
	el  EventLog
	pid int
}

func (e eventWriter) text(tag, msg string) string {
	return fmt.Sprintf("pid[%d][%s]: %s", e.pid, tag, msg)
}

func (e eventWriter) Notice(m string) error  { return e.el.Info(eventNotice, e.text("NOTICE", m)) }
func (e eventWriter) Warning(m string) error { return e.el.Warning(eventNotice, e.text("WARN", m)) }
func (e eventWriter) Error(m string) error   { return e.el.Error(eventError, e.text("ERROR", m)) }
func (e eventWriter) Fatal(m string) error   { return e.el.Error(eventFatal, e.text("FATAL", m)) }
func (e eventWriter) Debug(m string) error   { return e.el.Info(eventDebug, e.text("DEBUG", m)) }
func (e eventWriter) Trace(m string) error   { return e.el.Info(eventTrace, e.text("TRACE", m)) }
func (e eventWriter) Close() error           { return e.el.Close() }
