package broker

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoConfigFile is returned by Reload when the options came from no file.
var ErrNoConfigFile = errors.New("can only reload config when a file is provided using -c or --config")

// reloadable lists the options a reload may change live, by Options field
// name, with the config key its log line names. Any other changed field
// rejects the whole reload, as nats-server does.
var reloadable = map[string]string{
	"Logtime":             "logtime",
	"LogtimeUTC":          "logtime_utc",
	"LogFile":             "log_file",
	"Syslog":              "syslog",
	"RemoteSyslog":        "remote_syslog",
	"Debug":               "debug",
	"Trace":               "trace",
	"TraceVerbose":        "trace_verbose",
	"TraceHeaders":        "trace_headers",
	"MaxTracedMsgLen":     "max_traced_msg_len",
	"MaxConn":             "max_connections",
	"PidFile":             "pid_file",
	"PortsFileDir":        "ports_file_dir",
	"MaxControlLine":      "max_control_line",
	"MaxPayload":          "max_payload",
	"PingInterval":        "ping_interval",
	"MaxPingsOut":         "ping_max",
	"WriteDeadline":       "write_deadline",
	"ClientAdvertise":     "client_advertise",
	"NoFastProducerStall": "no_fast_producer_stall",
	"Tags":                "tags",
	"Metadata":            "metadata",
}

// ignoredOnReload are fields a reload never changes: they describe how the
// server was started, not its configuration.
var ignoredOnReload = map[string]bool{
	"ConfigFile": true, "CheckConfig": true, "NoLog": true, "DisableShortFirstPing": true, "ReloadStatusFile": true,
}

// loggingFields are the fields whose change rebuilds the logger.
var loggingFields = map[string]bool{
	"Logtime": true, "LogtimeUTC": true, "LogFile": true, "Debug": true, "Trace": true, "TraceVerbose": true,
	"Syslog": true, "RemoteSyslog": true,
}

// natsServerFields is nats-server's Options field order, which its reload
// logs changes in; ours have the same names.
var natsServerFields = func() map[string]int {
	order := []string{"ClientAdvertise", "Trace", "Debug", "TraceVerbose", "TraceHeaders", "Logtime", "LogtimeUTC", "MaxConn",
		"Nkeys", "Users", "Accounts", "NoAuthUser", "Username", "Password", "Authorization", "PingInterval",
		"MaxPingsOut", "AuthTimeout", "MaxControlLine", "MaxPayload", "NoFastProducerStall", "PidFile",
		"PortsFileDir", "LogFile", "Syslog", "RemoteSyslog", "TLSTimeout", "TLS", "TLSVerify", "TLSMap",
		"TLSCert", "TLSKey", "TLSCaCert", "TLSCiphers", "TLSCurvePreferences", "TLSCerts", "TLSMinVersion",
		"TLSAllowInsecureCiphers", "TLSPinnedCerts",
		"TLSHandshakeFirst", "TLSHandshakeFirstFallback", "AllowNonTLS", "WriteDeadline", "WriteTimeout", "MaxTracedMsgLen", "Tags", "Metadata"}
	m := make(map[string]int, len(order))
	for i, f := range order {
		m[f] = i
	}
	return m
}()

// natsServerOrder returns the changed fields, with the Users and Accounts
// nats-server reloads every time, in nats-server's order.
func natsServerOrder(fields []string) []string {
	out := append(slices.Clone(fields), "Accounts")
	if !slices.Contains(out, "Users") {
		out = append(out, "Users")
	}
	slices.SortStableFunc(out, func(a, b string) int {
		ia, oka := natsServerFields[a]
		ib, okb := natsServerFields[b]
		switch {
		case !oka || !okb:
			return cmp.Compare(boolRank(!oka), boolRank(!okb))
		default:
			return cmp.Compare(ia, ib)
		}
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// loggingChanged reports whether a changed field rebuilds the logger.
func loggingChanged(fields []string) bool {
	return slices.ContainsFunc(fields, func(f string) bool { return loggingFields[f] })
}

// authChanged reports whether a changed field is one of authorization or
// TLS.
func authChanged(fields []string) bool {
	return slices.ContainsFunc(fields, func(f string) bool { _, ok := authReloadable[f]; return ok })
}

// LoggerFactory builds the logger for a set of options. Reload calls it when
// a logging option changes; the returned func closes the new logger's file.
type LoggerFactory func(o *Options) (Logger, func(), error)

// ReloadResult is the outcome of one reload, as kept by LastReload and
// written to Options.ReloadStatusFile.
type ReloadResult struct {
	// Seq counts reloads since the server started, from 1.
	Seq int `json:"seq"`
	// Time is when the reload finished.
	Time time.Time `json:"time"`
	// OK is true when the new configuration is in force.
	OK bool `json:"ok"`
	// Error says why it was rejected; the old configuration stays.
	Error string `json:"error,omitempty"`
	// Digest is the config file's sha256, as nats-server logs it.
	Digest string `json:"config_digest,omitempty"`
	// Changed lists the config keys that changed.
	Changed []string `json:"changed,omitempty"`
	// PID is the process that reloaded.
	PID int `json:"pid"`
}

// reloadState serialises reloads and remembers the last result.
type reloadState struct {
	mu      sync.Mutex
	last    ReloadResult
	factory LoggerFactory
	release func()
}

// SetLoggerFactory lets Reload rebuild the logger when logging options
// change. closeCurrent closes the current logger's file; the server calls it
// when a reload replaces that logger, or at the end of Shutdown.
func (s *Server) SetLoggerFactory(f LoggerFactory, closeCurrent func()) {
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	s.reload.factory, s.reload.release = f, closeCurrent
}

// closeLog closes the current log file, if a LoggerFactory owns one.
func (s *Server) closeLog() {
	s.reload.mu.Lock()
	release := s.reload.release
	s.reload.release = nil
	s.reload.mu.Unlock()
	if release != nil {
		release()
	}
}

// LastReload returns the result of the last reload; false when none ran.
func (s *Server) LastReload() (ReloadResult, bool) {
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	return s.reload.last, s.reload.last.Seq > 0
}

// Reload reads the config file again, applies the command-line flags over
// it, and applies the result live (see ReloadOptions). Warnings in the file
// do not stop a reload (nats-server drops them; we log them). The outcome is
// logged and recorded for LastReload and the reload status file.
func (s *Server) Reload() error {
	cur := s.Options()
	if cur.ConfigFile == "" {
		return s.finishReload(ErrNoConfigFile, "", nil)
	}
	next, warnings, err := loadReloadOptions(cur)
	if err != nil {
		return s.finishReload(err, "", nil)
	}
	for _, w := range warnings {
		s.logger().Warnf("%v", w)
	}
	changed, err := s.applyOptions(next)
	return s.finishReload(err, next.configDigest, changed)
}

// ReloadOptions applies next live, with the command-line flags the server
// was started with applied over it, as nats-server does: every changed
// option must be reloadable, or nothing changes and the error names the
// first one that is not (`config reload not supported for MaxPending:
// old=…, new=…`).
func (s *Server) ReloadOptions(next *Options) error {
	if cl := s.Options().cmdline; cl != nil {
		next = next.Clone()
		cl.Apply(next)
		next.cmdline = cl
	}
	changed, err := s.applyOptions(next)
	return s.finishReload(err, "", changed)
}

// loadReloadOptions builds the options a reload would apply: the file, then
// the flags. A file with only warnings yields options and the warnings.
func loadReloadOptions(cur *Options) (*Options, []error, error) {
	next := NewOptions()
	digest, err := next.ProcessConfigFile(cur.ConfigFile)
	var warnings []error
	var ce *ConfigError
	if errors.As(err, &ce) && len(ce.Errors) == 0 {
		warnings, err = ce.Warnings, nil
	}
	if err != nil {
		return nil, nil, err
	}
	next.configDigest = digest
	if cur.cmdline != nil {
		cur.cmdline.Apply(next)
		next.cmdline = cur.cmdline
	}
	next.ReloadStatusFile = cur.ReloadStatusFile
	return next, warnings, nil
}

// applyOptions diffs next against the options in force and applies it.
func (s *Server) applyOptions(next *Options) ([]string, error) {
	s.reload.mu.Lock()
	defer s.reload.mu.Unlock()
	next = next.Clone()
	next.setDefaults()
	if err := validate(next); err != nil {
		return nil, err
	}
	cur := s.Options()
	fields, err := diffOptions(cur, next, s.port)
	if err != nil {
		return nil, err
	}
	var newLogger Logger
	var release func()
	if loggingChanged(fields) && s.reload.factory != nil {
		l, rel, err := s.reload.factory(next)
		if err != nil {
			return nil, err
		}
		if l == nil {
			l = nopLogger{}
		}
		newLogger, release = l, rel
	}
	s.opts.Store(next)
	s.trace.Store(next.Trace || next.TraceVerbose)
	s.debug.Store(next.Debug)
	s.noStall.Store(next.NoFastProducerStall)
	keys := make([]string, 0, len(fields))
	for _, f := range fields {
		keys = append(keys, reloadable[f])
	}
	// As nats-server: each change is logged by the logger in force until
	// now, in nats-server's option order, with the users and accounts it
	// reloads every time; the new logger takes over after.
	authLogged := map[string]bool{}
	for _, f := range natsServerOrder(fields) {
		switch {
		case f == "Accounts":
			s.logger().Noticef("Reloaded: accounts")
		case s.logAuthField(f, next, authLogged):
		default:
			s.applyField(f, cur, next)
		}
	}
	if authChanged(fields) || next.TLS {
		s.reloadAuth(next) // TLS files are read again on every reload
	}
	if newLogger != nil {
		old := s.reload.release
		s.logp.Store(&logBox{newLogger})
		s.reload.release = release
		if old != nil {
			old()
		}
	}
	return keys, nil
}

// diffOptions returns the changed fields, or the error for the first change
// that cannot be applied live. next is adjusted for fields kept as they are.
// port is the listener's actual port, which the error names for a random
// port, as nats-server does.
func diffOptions(cur, next *Options, port int) ([]string, error) {
	cv, nv := reflect.ValueOf(cur).Elem(), reflect.ValueOf(next).Elem()
	var changed []string
	for _, f := range reflect.VisibleFields(cv.Type()) { // embedded structs' fields too
		cf, nf := cv.FieldByIndex(f.Index), nv.FieldByIndex(f.Index)
		if f.Anonymous || !f.IsExported() || reflect.DeepEqual(cf.Interface(), nf.Interface()) {
			continue
		}
		switch {
		case ignoredOnReload[f.Name]:
			nf.Set(cf)
		case f.Name == "Port" && next.Port == RandomPort:
			nf.Set(cf) // a random port stays the one it got
		case f.Name == "NoAuthUser" && !noAuthUserDropped(cur, next):
			return nil, fmt.Errorf("config reload not supported for %s: old=%v, new=%v", f.Name, cf.Interface(), nf.Interface())
		case f.Name == "ClientAdvertise" && next.ClientAdvertise != "":
			if err := checkClientAdvertise(next.ClientAdvertise); err != nil {
				return nil, err
			}
			changed = append(changed, f.Name)
		case reloadable[f.Name] != "":
			changed = append(changed, f.Name)
		case f.Name == "Port" && cur.Port == RandomPort:
			return nil, fmt.Errorf("config reload not supported for Port: old=%d, new=%d", port, next.Port)
		default:
			return nil, fmt.Errorf("config reload not supported for %s: old=%v, new=%v",
				f.Name, cf.Interface(), nf.Interface())
		}
	}
	return changed, nil
}

// applyField runs the side effect of one changed option and logs it as
// nats-server does (`Reloaded: max_payload = 262144`).
func (s *Server) applyField(field string, cur, next *Options) {
	v := reflect.ValueOf(next).Elem().FieldByName(field).Interface()
	switch field {
	case "MaxConn":
		s.closeExcessClients(next.MaxConn)
	case "PidFile":
		if next.PidFile == "" {
			return // nats-server says nothing when the pid file is dropped
		}
		if err := writePidFile(next.PidFile); err != nil {
			s.logger().Errorf("Failed to write pidfile: %v", err)
		}
	case "PortsFileDir":
		s.removePortsFile(cur.PortsFileDir)
		s.writePortsFile(next.PortsFileDir)
	case "NoFastProducerStall":
		not := ""
		if next.NoFastProducerStall {
			not = "not "
		}
		s.logger().Noticef("Reloaded: fast producers will %sbe stalled", not)
		return
	case "Tags", "Metadata":
		s.logger().Noticef("Reloaded: %s", reloadable[field])
		return
	}
	s.logger().Noticef("Reloaded: %s = %v", reloadable[field], v)
}

// checkClientAdvertise checks a client_advertise value as nats-server's
// parseHostPort does: host, or host:port with a numeric port.
func checkClientAdvertise(v string) error {
	_, p, err := net.SplitHostPort(v)
	var ae *net.AddrError
	if errors.As(err, &ae) && strings.Contains(ae.Err, "missing port") {
		_, p, err = net.SplitHostPort(v + ":0")
	}
	if err == nil {
		_, err = strconv.Atoi(strings.TrimSpace(p))
	}
	if err != nil {
		return fmt.Errorf("invalid ClientAdvertise value of %s, err=%w", v, err)
	}
	return nil
}

// closeExcessClients closes randomly chosen clients until at most limit remain.
func (s *Server) closeExcessClients(limit int) {
	s.mu.Lock()
	var victims []*client
	if excess := len(s.clients) - max(limit, 0); excess > 0 {
		for _, c := range s.clients {
			victims = append(victims, c)
		}
		rand.Shuffle(len(victims), func(i, j int) { victims[i], victims[j] = victims[j], victims[i] })
		victims = victims[:excess]
	}
	s.mu.Unlock()
	for _, c := range victims {
		// Not sendErrAndClose: its batch flush belongs to the client's own
		// read goroutine. Queue the -ERR; closeConnection flushes it.
		if c.tracing() {
			c.traceOut("-ERR", []byte(errMaxConnections))
		}
		c.mu.Lock()
		c.queueLocked([]byte("-ERR '" + errMaxConnections + "'\r\n"))
		c.mu.Unlock()
		c.closeConnection(reasonMaxConnections, true)
	}
	if len(victims) > 0 {
		s.logger().Noticef("Closed %d connections to fall within max_connections", len(victims))
	}
}

// finishReload logs and records a reload's outcome and returns err.
func (s *Server) finishReload(err error, digest string, changed []string) error {
	s.reload.mu.Lock()
	r := ReloadResult{Seq: s.reload.last.Seq + 1, Time: time.Now().UTC(), OK: err == nil,
		Digest: digest, Changed: changed, PID: pid()}
	if err != nil {
		r.Error = err.Error()
	}
	s.reload.last = r
	s.reload.mu.Unlock()
	if err == nil {
		s.configTime.Store(r.Time.UnixNano())
	}
	if err != nil {
		s.logger().Errorf("Failed to reload server configuration: %v", err)
	} else if digest != "" {
		s.logger().Noticef("Reloaded server configuration (%s)", digest)
	} else {
		s.logger().Noticef("Reloaded server configuration")
	}
	if path := s.Options().ReloadStatusFile; path != "" {
		if werr := writeJSONFile(path, r); werr != nil {
			s.logger().Errorf("Unable to write reload status file: %v", werr)
		}
	}
	return err
}

// advertised splits a valid client_advertise value: a missing or zero port
// means the listener's own, as nats-server's parseHostPort does.
func advertised(v string, listenPort int) (string, int) {
	host, p, err := net.SplitHostPort(v)
	if err != nil {
		return strings.TrimSpace(v), listenPort
	}
	port, _ := strconv.Atoi(strings.TrimSpace(p))
	if port <= 0 {
		port = listenPort
	}
	return strings.TrimSpace(host), port
}
