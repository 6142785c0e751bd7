package signals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Result is what one command did to one target.
type Result struct {
	Command Command `json:"command"`
	Target  Target  `json:"target"`
	// Sent is true once the signal or control was delivered.
	Sent bool `json:"sent"`
	// Confirmed is true when the instance showed the effect: a reload
	// result, a log line, the process gone.
	Confirmed bool `json:"confirmed"`
	// Detail says what was seen (or why nothing could be).
	Detail string `json:"detail,omitempty"`
	// Error is why the command failed; empty on success.
	Error string `json:"error,omitempty"`
}

// Failed reports whether the command did not do what was asked.
func (r Result) Failed() bool { return r.Error != "" }

// reloadStatus is the part of the broker's reload status file read here
// (broker.ReloadResult; this package does not import the broker).
type reloadStatus struct {
	Seq    int    `json:"seq"`
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Digest string `json:"config_digest"`
	PID    int    `json:"pid"`
}

// poll is how often Do looks for an effect.
const poll = 25 * time.Millisecond

// Do delivers cmd to t and waits up to timeout for its effect. A reload is
// confirmed by the instance's reload status (and fails if the instance
// rejected it); reopen and ldm by their log lines; stop, quit and term by
// the process going away.
func Do(cmd Command, t Target, timeout time.Duration) Result {
	r := Result{Command: cmd, Target: t}
	before := observe(cmd, t)
	if err := send(cmd, t); err != nil {
		r.Error = err.Error()
		return r
	}
	r.Sent = true
	deadline := time.Now().Add(timeout)
	for {
		done, detail, err := before.check(t)
		if err != nil {
			r.Error, r.Confirmed = err.Error(), true
			return r
		}
		if done {
			r.Confirmed, r.Detail = true, detail
			return r
		}
		if detail != "" && before.kind == "none" {
			r.Detail = detail
			return r
		}
		if time.Now().After(deadline) {
			r.Error = fmt.Sprintf("sent, but no effect seen within %v (%s)", timeout, before.waitingFor())
			return r
		}
		time.Sleep(poll)
	}
}

// observation is what Do records before sending, to tell the effect apart
// from what was there already.
type observation struct {
	cmd     Command
	kind    string // "reload", "log", "exit", "none"
	seq     int
	statPID int
	logInfo os.FileInfo
	logSize int64
	lines   [][]byte
}

var logLines = map[Command][][]byte{
	Reopen: {[]byte("File log re-opened"), []byte("File log re-open ignored")},
	LDM:    {[]byte("Entering lame duck mode")},
}

func observe(cmd Command, t Target) *observation {
	o := &observation{cmd: cmd, kind: "none"}
	switch {
	case cmd == Reload && t.ReloadStatus != "":
		o.kind = "reload"
		if st, err := readStatus(t.ReloadStatus); err == nil {
			o.seq, o.statPID = st.Seq, st.PID
		}
	case (cmd == Reopen || cmd == LDM) && t.LogFile != "":
		o.kind, o.lines = "log", logLines[cmd]
		if fi, err := os.Stat(t.LogFile); err == nil {
			o.logInfo, o.logSize = fi, fi.Size()
		}
	case (cmd == Stop || cmd == Quit || cmd == Term) && t.PID > 0:
		o.kind = "exit"
	}
	return o
}

func (o *observation) waitingFor() string {
	switch o.kind {
	case "reload":
		return "waiting for a new reload result"
	case "log":
		return fmt.Sprintf("waiting for %q in the log", o.lines[0])
	case "exit":
		return "waiting for the process to exit"
	}
	return "nothing to wait for"
}

// check reports whether the effect has happened; an error means it
// happened and was a failure (a rejected reload).
func (o *observation) check(t Target) (bool, string, error) {
	switch o.kind {
	case "reload":
		st, err := readStatus(t.ReloadStatus)
		if err != nil || (st.Seq <= o.seq && st.PID == o.statPID) || (t.PID > 0 && st.PID != t.PID) {
			return false, "", nil
		}
		if !st.OK {
			return true, "", errors.New(st.Error)
		}
		return true, "reloaded (" + st.Digest + ")", nil
	case "log":
		line := o.findLogLine(t.LogFile)
		return line != "", line, nil
	case "exit":
		if !alive(t.PID) {
			return true, "process exited", nil
		}
		return false, "", nil
	}
	return false, "sent; this instance shows no effect to confirm it by", nil
}

// findLogLine looks for one of the command's lines in what the log gained
// since the observation: the rest of the same file, or all of a new file
// at the path (after an external rotation).
func (o *observation) findLogLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	var from int64
	if o.logInfo != nil && os.SameFile(o.logInfo, fi) {
		from = o.logSize
	}
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 16<<20))
	for _, l := range bytes.Split(b, []byte("\n")) {
		for _, want := range o.lines {
			if bytes.Contains(l, want) {
				return string(bytes.TrimSpace(l))
			}
		}
	}
	return ""
}

func readStatus(path string) (reloadStatus, error) {
	var st reloadStatus
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

// Validate checks that a reload can succeed before it is sent: the
// instance's flags and config file must parse. Targets outside the
// registry cannot be checked and pass.
func Validate(t Target) error {
	if t.inst == nil {
		return nil
	}
	if _, err := t.inst.Options(); err != nil {
		return fmt.Errorf("instance %q: not reloading, its configuration is invalid: %w", t.Instance, err)
	}
	return nil
}
