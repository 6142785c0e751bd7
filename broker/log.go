package broker

// Logger receives the broker's log lines, already formatted as messages
// (no prefix, no newline). Implementations add the nats-server line format.
type Logger interface {
	Noticef(format string, v ...any)
	Warnf(format string, v ...any)
	Errorf(format string, v ...any)
	Fatalf(format string, v ...any)
	Debugf(format string, v ...any)
	Tracef(format string, v ...any)
}

// nopLogger drops everything; a Server starts with it.
type nopLogger struct{}

func (nopLogger) Noticef(string, ...any) {}
func (nopLogger) Warnf(string, ...any)   {}
func (nopLogger) Errorf(string, ...any)  {}
func (nopLogger) Fatalf(string, ...any)  {}
func (nopLogger) Debugf(string, ...any)  {}
func (nopLogger) Tracef(string, ...any)  {}

// logBox holds a Logger so the server can swap it atomically.
type logBox struct{ Logger }

// logger is the logger in force.
func (s *Server) logger() Logger { return s.logp.Load().Logger }

// Logger is the logger in force, for callers that log on the server's
// behalf (a reload may have replaced the one they set).
func (s *Server) Logger() Logger { return s.logger() }
