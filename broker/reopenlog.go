package broker

// LogReopener is implemented by a Logger that writes to a file it can close
// and open again at the same path: after an external tool such as
// logrotate(8) moved the file away, the next line goes to a new file there.
// Reopen must not lose or tear a line logged concurrently.
type LogReopener interface {
	Reopen() error
}

// ReopenLog reopens the log file, as nats-server does on SIGUSR1 (the
// Windows service control 128): when the logger in force is a file logger
// (a LogReopener) it is reopened and `File log re-opened` goes to the new
// file; otherwise `File log re-open ignored, not a file logger` is logged.
// A failure is logged as an error and the logger stays as it was.
func (s *Server) ReopenLog() {
	// A reload may be replacing the logger: wait for it, so the logger
	// reopened is the one in force.
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	l := s.logger()
	r, ok := l.(LogReopener)
	if !ok {
		l.Noticef("File log re-open ignored, not a file logger")
		return
	}
	if err := r.Reopen(); err != nil {
		l.Errorf("File log re-open failed: %v", err)
		return
	}
	l.Noticef("File log re-opened")
}
