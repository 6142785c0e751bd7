// Package logger writes log lines in nats-server's format:
//
//	[1234] 2006/01/02 15:04:05.000000 [INF] message
//
// one line per message, with the pid prefix, a local timestamp with
// microseconds (when Time is set) and a three-letter level label: INF, WRN,
// ERR, FTL, DBG, TRC. Lines end in "\n" on every OS, as nats-server's do.
package logger

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Config chooses what a Logger writes. The zero value logs notices,
// warnings, errors and fatals, with no pid and no time.
type Config struct {
	// Time prefixes each line with the local time. nats-server's default is on.
	Time bool
	// UTC writes the time in UTC instead of the local zone. Default false.
	UTC bool
	// Debug enables Debugf lines. Default false.
	Debug bool
	// Trace enables Tracef lines. Default false.
	Trace bool
	// PID, when non-zero, prefixes each line with "[PID] ". nats-server
	// always passes its own process id.
	PID int
	// Colors wraps labels in ANSI colours, as nats-server does when stderr
	// is a terminal. Default false.
	Colors bool
}

// Logger writes formatted lines to an io.Writer. It is safe for concurrent
// use: each line is written with one Write call under a mutex, so lines
// never interleave. It has the method set of broker.Logger.
type Logger struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string // "[pid] " or ""
	labels *[numLevels]string
	time   bool
	utc    bool
	debug  bool
	trace  bool
	now    func() time.Time
}

type level int

const (
	levelInfo level = iota
	levelWarn
	levelError
	levelFatal
	levelDebug
	levelTrace
	numLevels
)

var plainLabels = [numLevels]string{"[INF] ", "[WRN] ", "[ERR] ", "[FTL] ", "[DBG] ", "[TRC] "}

// colorLabels use the same ANSI codes as nats-server.
var colorLabels = [numLevels]string{
	"[\x1b[32mINF\x1b[0m] ",
	"[\x1b[0;93mWRN\x1b[0m] ",
	"[\x1b[31mERR\x1b[0m] ",
	"[\x1b[31mFTL\x1b[0m] ",
	"[\x1b[36mDBG\x1b[0m] ",
	"[\x1b[33mTRC\x1b[0m] ",
}

// timeLayout is Go's log.LstdFlags|log.Lmicroseconds, which nats-server uses.
const timeLayout = "2006/01/02 15:04:05.000000 "

// New returns a Logger writing to w. Write errors are ignored: a logger has
// nowhere to report them.
func New(w io.Writer, c Config) *Logger {
	l := &Logger{w: w, labels: &plainLabels, time: c.Time, utc: c.UTC, debug: c.Debug, trace: c.Trace, now: time.Now}
	if c.PID != 0 {
		l.prefix = fmt.Sprintf("[%d] ", c.PID)
	}
	if c.Colors {
		l.labels = &colorLabels
	}
	return l
}

// Noticef logs an [INF] line.
func (l *Logger) Noticef(format string, v ...any) { l.output(levelInfo, format, v) }

// Warnf logs a [WRN] line.
func (l *Logger) Warnf(format string, v ...any) { l.output(levelWarn, format, v) }

// Errorf logs an [ERR] line.
func (l *Logger) Errorf(format string, v ...any) { l.output(levelError, format, v) }

// Fatalf logs an [FTL] line. Unlike nats-server's logger it does not exit
// the process: the caller decides what a fatal error ends.
func (l *Logger) Fatalf(format string, v ...any) { l.output(levelFatal, format, v) }

// Debugf logs a [DBG] line when Debug is enabled; otherwise it returns
// without formatting.
func (l *Logger) Debugf(format string, v ...any) {
	if l.debug {
		l.output(levelDebug, format, v)
	}
}

// Tracef logs a [TRC] line when Trace is enabled; otherwise it returns
// without formatting.
func (l *Logger) Tracef(format string, v ...any) {
	if l.trace {
		l.output(levelTrace, format, v)
	}
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// output formats one line into a pooled buffer and writes it at once. Like
// Go's log package, it adds "\n" unless the message already ends in one.
func (l *Logger) output(lv level, format string, v []any) {
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], l.prefix...)
	if l.time {
		t := l.now()
		if l.utc {
			t = t.UTC()
		}
		b = t.AppendFormat(b, timeLayout)
	}
	b = append(b, l.labels[lv]...)
	b = fmt.Appendf(b, format, v...)
	if len(b) == 0 || b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	l.mu.Lock()
	_, _ = l.w.Write(b)
	l.mu.Unlock()
	if cap(b) <= 64<<10 { // do not keep huge buffers alive
		*bp = b
		bufPool.Put(bp)
	}
}
