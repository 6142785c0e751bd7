package broker

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// The monitoring paths, as nats-server names them; http_req_stats counts
// requests under these keys.
const (
	rootPath    = "/"
	varzPath    = "/varz"
	connzPath   = "/connz"
	routezPath  = "/routez"
	subszPath   = "/subsz"
	healthzPath = "/healthz"
)

// monitor is the HTTP (or HTTPS) monitoring listener. Its handlers only read the
// server's state (under the server's and each client's mutex, briefly), so
// a slow HTTP client never holds up message delivery.
type monitor struct {
	mu    sync.Mutex // guards the fields below
	ln    net.Listener
	proto string // http or https
	srv   *http.Server
	stats map[string]uint64 // requests per path, for /varz
	base  string            // the base path, normalized: "/" or "/x"
}

// normalizeBasePath gives http_base_path as it is served: rooted and
// cleaned, "/" when empty (nats-server's rule).
func normalizeBasePath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	return path.Clean(p)
}

// startMonitoring opens the HTTP listener when HTTPPort is set, or the
// HTTPS one when HTTPSPort is; the server serves it until Shutdown.
func (s *Server) startMonitoring(o *Options) error {
	if o.HTTPPort != 0 && o.HTTPSPort != 0 {
		return fmt.Errorf("can't specify both HTTP (%v) and HTTPs (%v) ports", o.HTTPPort, o.HTTPSPort)
	}
	port, proto := o.HTTPPort, "http"
	if o.HTTPSPort != 0 {
		if s.tlsp.Load() == nil {
			return errors.New("TLS cert and key required for HTTPS")
		}
		port, proto = o.HTTPSPort, "https"
	}
	if port == 0 {
		return nil
	}
	if port == RandomPort {
		port = 0
	}
	hp := net.JoinHostPort(o.HTTPHost, strconv.Itoa(port))
	ln, err := net.Listen("tcp", hp)
	if err != nil {
		return fmt.Errorf("can't listen to the monitor port: %v", err)
	}
	rport := ln.Addr().(*net.TCPAddr).Port
	if proto == "https" {
		// The client TLS configuration in force (a reload may change it),
		// without asking browsers for a client certificate.
		ln = tls.NewListener(ln, &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			tc := s.tlsp.Load().Clone()
			tc.ClientAuth = tls.NoClientCert
			return tc, nil
		}})
	}
	s.logger().Noticef("Starting %s monitor on %s", proto, net.JoinHostPort(o.HTTPHost, strconv.Itoa(rport)))

	mux := http.NewServeMux()
	basePath := normalizeBasePath(o.HTTPBasePath)
	base := func(p string) string { return path.Join(basePath, p) }
	mux.HandleFunc(base(rootPath), s.handleRoot)
	mux.HandleFunc(base(varzPath), s.handleVarz)
	mux.HandleFunc(base(connzPath), s.handleConnz)
	mux.HandleFunc(base(routezPath), s.handleRoutez)
	mux.HandleFunc(base(subszPath), s.handleSubsz)
	mux.HandleFunc(base("/subscriptionsz"), s.handleSubsz)
	mux.HandleFunc(base(healthzPath), s.handleHealthz)
	mux.HandleFunc(base(gatewayzPath), s.handleGatewayz)
	mux.HandleFunc(base(leafzPath), s.handleLeafz)
	mux.HandleFunc(base(stackszPath), s.handleStacksz)
	hs := &http.Server{
		Handler:           mux,
		MaxHeaderBytes:    1 << 20,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(httpErrorLog{s}, "", 0),
	}
	s.mon.mu.Lock()
	s.mon.ln, s.mon.srv, s.mon.proto, s.mon.base = ln, hs, proto, basePath
	s.mon.stats = make(map[string]uint64)
	s.mon.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !s.isClosed() {
			s.logger().Errorf("Error starting monitor on %q: %v", hp, err)
		}
	}()
	return nil
}

// stopMonitoring closes the HTTP listener and its open connections.
func (s *Server) stopMonitoring() {
	s.mon.mu.Lock()
	hs := s.mon.srv
	s.mon.mu.Unlock()
	if hs != nil {
		_ = hs.Close()
	}
}

// MonitorAddr is the monitoring listener's address, nil without one.
func (s *Server) MonitorAddr() net.Addr {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	if s.mon.ln == nil {
		return nil
	}
	return s.mon.ln.Addr()
}

// monitorProto is "http" or "https"; "" without a monitoring listener.
func (s *Server) monitorProto() string {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	return s.mon.proto
}

// MonitorURL is http(s)://host:port of the monitoring listener, "" without
// one.
func (s *Server) MonitorURL() string {
	a, ok := s.MonitorAddr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	s.mon.mu.Lock()
	base := strings.TrimSuffix(s.mon.base, "/")
	s.mon.mu.Unlock()
	return s.monitorProto() + "://" + net.JoinHostPort(host, strconv.Itoa(a.Port)) + base
}

// countRequest records one request to p for http_req_stats.
func (s *Server) countRequest(p string) {
	s.mon.mu.Lock()
	if s.mon.stats != nil {
		s.mon.stats[p]++
	}
	s.mon.mu.Unlock()
}

func (s *Server) requestStats() map[string]uint64 {
	s.mon.mu.Lock()
	defer s.mon.mu.Unlock()
	m := make(map[string]uint64, len(s.mon.stats))
	for k, v := range s.mon.stats {
		m[k] = v
	}
	return m
}

// httpErrorLog sends net/http's own errors to the server log.
type httpErrorLog struct{ s *Server }

func (l httpErrorLog) Write(p []byte) (int, error) {
	l.s.logger().Errorf("monitoring: %s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// writeJSON answers with v indented by two spaces, as nats-server does.
func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		s.logger().Errorf("Error marshaling monitoring response: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// badRequest answers 400 with nats-server's plain-text message.
func badRequest(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, msg)
}

// The query decoders answer 400 themselves and return an error, so a
// handler just returns on one.

func decodeBool(w http.ResponseWriter, r *http.Request, param string) (bool, error) {
	str := r.URL.Query().Get(param)
	if str == "" {
		return false, nil
	}
	v, err := strconv.ParseBool(str)
	if err != nil {
		badRequest(w, fmt.Sprintf("Error decoding boolean for '%s': %v", param, err))
	}
	return v, err
}

func decodeInt(w http.ResponseWriter, r *http.Request, param string) (int, error) {
	str := r.URL.Query().Get(param)
	if str == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(str)
	if err != nil {
		badRequest(w, fmt.Sprintf("Error decoding int for '%s': %v", param, err))
	}
	return v, err
}

func decodeUint64(w http.ResponseWriter, r *http.Request, param string) (uint64, error) {
	str := r.URL.Query().Get(param)
	if str == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(str, 10, 64)
	if err != nil {
		badRequest(w, fmt.Sprintf("Error decoding uint64 for '%s': %v", param, err))
	}
	return v, err
}

// decodeSubs reads subs=1|true|detail.
func decodeSubs(w http.ResponseWriter, r *http.Request) (subs, detail bool, err error) {
	if strings.ToLower(r.URL.Query().Get("subs")) == "detail" {
		return false, true, nil
	}
	subs, err = decodeBool(w, r, "subs")
	return subs, false, err
}

// uptime formats d as nats-server does: 5s, 2m36s, 1h2m3s, 3d1h2m3s,
// 1y3d1h2m3s.
func uptime(d time.Duration) string {
	secs := int64(d / time.Second)
	mins, hrs := secs/60, secs/3600
	days := hrs / 24
	yrs := days / 365
	switch {
	case yrs > 0:
		return fmt.Sprintf("%dy%dd%dh%dm%ds", yrs, days%365, hrs%24, mins%60, secs%60)
	case days > 0:
		return fmt.Sprintf("%dd%dh%dm%ds", days, hrs%24, mins%60, secs%60)
	case hrs > 0:
		return fmt.Sprintf("%dh%dm%ds", hrs, mins%60, secs%60)
	case mins > 0:
		return fmt.Sprintf("%dm%ds", mins, secs%60)
	}
	return fmt.Sprintf("%ds", secs)
}

// handleRoot serves the index page at the base path; any other path the
// mux sends here is not found, as in nats-server.
func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	s.mon.mu.Lock()
	base := s.mon.base
	s.mon.mu.Unlock()
	if r.URL.Path != base {
		http.NotFound(w, r)
		return
	}
	s.countRequest(rootPath)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, indexPage, Version)
}

const indexPage = `<html lang="en">
	<head>
	<title>NATS monitoring</title>
	</head>
	<body>
	<a href=https://github.com/nats-io/nats-server class='version'>v%s</a>
	<br/>
	<a href=./varz>General<span class="endpoint"> /varz</span></a>
	<a href=./connz>Connections<span class="endpoint"> /connz</span></a>
	<a href=./subsz>Subscriptions<span class="endpoint"> /subsz</span></a>
	<a href=./routez>Routes<span class="endpoint"> /routez</span></a>
	<a href=./leafz>LeafNodes<span class="endpoint"> /leafz</span></a>
	<a href=./gatewayz>Gateways<span class="endpoint"> /gatewayz</span></a>
	<a href=./healthz>Health Probe<span class="endpoint"> /healthz</span></a>
	<a href=https://docs.nats.io/running-a-nats-service/nats_admin/monitoring class="help">Help</a>
	</body>
</html>
`

// healthStatus is /healthz's answer.
type healthStatus struct {
	Status string        `json:"status"`
	Error  string        `json:"error,omitempty"`
	Errors []healthError `json:"errors,omitempty"`
}

// healthError is one problem /healthz?details=true lists.
type healthError struct {
	Type  string `json:"type"` // CONNECTION or BAD_REQUEST
	Error string `json:"error,omitempty"`
}

// handleHealthz answers {"status":"ok"}, or 500 with the listener that is
// not accepting yet. Its JetStream parameters are checked as nats-server
// checks them: a stream needs an account, a consumer a stream.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	s.countRequest(healthzPath)
	var details bool
	for _, p := range []string{"js-enabled", "js-enabled-only", "js-server-only", "js-meta-only", "details"} {
		b, err := decodeBool(w, r, p)
		if err != nil {
			return
		}
		details = details || (p == "details" && b)
	}
	q := r.URL.Query()
	code, kind, problem := http.StatusOK, "", ""
	switch {
	case q.Get("account") == "" && q.Get("stream") != "":
		code, kind, problem = http.StatusBadRequest, "BAD_REQUEST", `"account" must not be empty when checking stream health`
	case q.Get("stream") == "" && q.Get("consumer") != "":
		code, kind, problem = http.StatusBadRequest, "BAD_REQUEST", `"stream" must not be empty when checking consumer health`
	default:
		if ok, what := s.Readiness(); !ok {
			code, kind, problem = http.StatusInternalServerError, "CONNECTION", "failed to be ready for connections: "+what
			s.logger().Warnf("Healthcheck failed: %q", problem)
		}
	}
	hs := healthStatus{Status: "ok"}
	switch {
	case problem != "" && details:
		hs = healthStatus{Status: "error", Errors: []healthError{{Type: kind, Error: problem}}}
	case problem != "":
		hs = healthStatus{Status: "error", Error: problem}
	}
	b, _ := json.Marshal(hs)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// routez is /routez's answer; the broker has no routes yet.
type routez struct {
	ID        string     `json:"server_id"`
	Name      string     `json:"server_name"`
	Now       time.Time  `json:"now"`
	NumRoutes int        `json:"num_routes"`
	Routes    []struct{} `json:"routes"`
}

func (s *Server) handleRoutez(w http.ResponseWriter, r *http.Request) {
	if _, _, err := decodeSubs(w, r); err != nil {
		return
	}
	s.countRequest(routezPath)
	s.writeJSON(w, http.StatusOK, routez{ID: s.id, Name: s.name, Now: time.Now().UTC(), Routes: []struct{}{}})
}

// setHTTP reads the http key: a port or host:port.
func setHTTP(o *Options, v *conf.Value, _ *ConfigError) error {
	return setHostPort(v, &o.HTTPHost, &o.HTTPPort)
}

// setHTTPS reads the https key: a port or host:port.
func setHTTPS(o *Options, v *conf.Value, _ *ConfigError) error {
	return setHostPort(v, &o.HTTPHost, &o.HTTPSPort)
}

func setHostPort(v *conf.Value, host *string, port *int) error {
	switch x := v.V.(type) {
	case int64:
		*port = int(x)
	case string:
		h, ps, err := net.SplitHostPort(x)
		if err != nil {
			return fmt.Errorf("could not parse address string %q", x)
		}
		p, err := strconv.Atoi(ps)
		if err != nil {
			return fmt.Errorf("could not parse port %q", ps)
		}
		*host, *port = h, p
	default:
		return fmt.Errorf("expected port or host:port, got %T", x)
	}
	return nil
}
