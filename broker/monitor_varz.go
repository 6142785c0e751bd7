package broker

import (
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// varz is /varz's answer: nats-server's Varz fields in its order, with its
// units (durations in nanoseconds, auth_timeout and tls_timeout in
// seconds). Features the broker does not have are the empty objects and
// zeros nats-server reports when they are not configured.
type varz struct {
	ID                   string            `json:"server_id"`
	Name                 string            `json:"server_name"`
	Version              string            `json:"version"`
	Proto                int               `json:"proto"`
	GoVersion            string            `json:"go"`
	Host                 string            `json:"host"`
	Port                 int               `json:"port"`
	MaxConn              int               `json:"max_connections"`
	MaxSubs              int               `json:"max_subscriptions,omitempty"`
	PingInterval         time.Duration     `json:"ping_interval"`
	MaxPingsOut          int               `json:"ping_max"`
	HTTPHost             string            `json:"http_host"`
	HTTPPort             int               `json:"http_port"`
	HTTPBasePath         string            `json:"http_base_path"`
	HTTPSPort            int               `json:"https_port"`
	AuthTimeout          float64           `json:"auth_timeout"`
	MaxControlLine       int32             `json:"max_control_line"`
	MaxPayload           int               `json:"max_payload"`
	MaxPending           int64             `json:"max_pending"`
	Cluster              struct{}          `json:"cluster"`
	Gateway              struct{}          `json:"gateway"`
	LeafNode             struct{}          `json:"leaf"`
	MQTT                 struct{}          `json:"mqtt"`
	Websocket            struct{}          `json:"websocket"`
	JetStream            struct{}          `json:"jetstream"`
	TLSTimeout           float64           `json:"tls_timeout"`
	WriteDeadline        time.Duration     `json:"write_deadline"`
	WriteTimeout         string            `json:"write_timeout,omitempty"`
	Start                time.Time         `json:"start"`
	Now                  time.Time         `json:"now"`
	Uptime               string            `json:"uptime"`
	Mem                  int64             `json:"mem"`
	Cores                int               `json:"cores"`
	MaxProcs             int               `json:"gomaxprocs"`
	CPU                  float64           `json:"cpu"`
	Connections          int               `json:"connections"`
	TotalConnections     uint64            `json:"total_connections"`
	Routes               int               `json:"routes"`
	Remotes              int               `json:"remotes"`
	Leafs                int               `json:"leafnodes"`
	InMsgs               int64             `json:"in_msgs"`
	InBytes              int64             `json:"in_bytes"`
	InClientMsgs         int64             `json:"in_client_msgs"`
	InClientBytes        int64             `json:"in_client_bytes"`
	OutMsgs              int64             `json:"out_msgs"`
	OutBytes             int64             `json:"out_bytes"`
	OutClientMsgs        int64             `json:"out_client_msgs"`
	OutClientBytes       int64             `json:"out_client_bytes"`
	SlowConsumers        int64             `json:"slow_consumers"`
	StaleConnections     int64             `json:"stale_connections"`
	StalledClients       int64             `json:"stalled_clients"`
	Subscriptions        uint32            `json:"subscriptions"`
	HTTPReqStats         map[string]uint64 `json:"http_req_stats"`
	ConfigLoadTime       time.Time         `json:"config_load_time"`
	ConfigDigest         string            `json:"config_digest"`
	Tags                 []string          `json:"tags,omitempty"`
	Metadata             map[string]string `json:"metadata,omitempty"`
	FeatureFlags         map[string]bool   `json:"feature_flags,omitempty"`
	SlowConsumersStats   kindCounts        `json:"slow_consumer_stats"`
	StaleConnectionStats kindCounts        `json:"stale_connection_stats"`
	DiskIOWaitStats      diskIOWaitStats   `json:"disk_io_wait_stats"`
}

// kindCounts splits a counter by connection kind; only clients exist here.
type kindCounts struct {
	Clients  uint64 `json:"clients"`
	Routes   uint64 `json:"routes"`
	Gateways uint64 `json:"gateways"`
	Leafs    uint64 `json:"leafs"`
}

type diskIOWaitStats struct {
	Waiters     int64  `json:"waiters"`
	Waits       uint64 `json:"waits"`
	WaitTime    uint64 `json:"wait_time"`
	MaxWaitTime uint64 `json:"max_wait_time"`
}

// featureFlags are nats-server 2.15.2's defaults, reported as it does.
var featureFlags = map[string]bool{
	"js_ack_fc_v2": false, "js_api_reply_v2": false, "js_raft_delete_range": true, "js_snapshot_sources": false,
}

func (s *Server) handleVarz(w http.ResponseWriter, _ *http.Request) {
	s.countRequest(varzPath)
	s.writeJSON(w, http.StatusOK, s.varz())
}

// varz gathers /varz. The in counters are published by the read goroutines
// at the end of each batch and the out counters summed per connection (see
// outTotals), so both are exact once traffic has settled.
func (s *Server) varz() *varz {
	o := s.Options()
	now := time.Now().UTC()
	conns, out := s.outTotals()
	httpPort, httpsPort := o.HTTPPort, o.HTTPSPort
	if a, ok := s.MonitorAddr().(*net.TCPAddr); ok {
		if s.monitorProto() == "https" {
			httpsPort = a.Port
		} else {
			httpPort = a.Port
		}
	}
	slow, stale := s.slowConsumers.Load(), s.staleConns.Load()
	inMsgs, inBytes := s.inMsgs.Load(), s.inBytes.Load()
	outMsgs, outBytes := out.msgs, out.bytes
	return &varz{
		ID: s.id, Name: s.name, Version: Version, Proto: 1, GoVersion: runtime.Version(),
		Host: o.Host, Port: s.port, MaxConn: max(o.MaxConn, 0), MaxSubs: o.MaxSubs,
		PingInterval: o.PingInterval, MaxPingsOut: o.MaxPingsOut,
		HTTPHost: o.HTTPHost, HTTPPort: httpPort, HTTPBasePath: o.HTTPBasePath, HTTPSPort: httpsPort,
		AuthTimeout:    o.EffectiveAuthTimeout().Seconds(),
		MaxControlLine: o.MaxControlLine, MaxPayload: int(o.MaxPayload), MaxPending: o.MaxPending,
		TLSTimeout: o.TLSTimeout.Seconds(), WriteDeadline: o.WriteDeadline, WriteTimeout: o.WriteTimeout,
		Start: s.start.UTC(), Now: now, Uptime: uptime(now.Sub(s.start)),
		Mem: residentMemory(), CPU: s.cpu.percent(s.start), Cores: runtime.NumCPU(), MaxProcs: runtime.GOMAXPROCS(0),
		Connections: conns, TotalConnections: uint64(s.totalConns.Load()),
		InMsgs: inMsgs, InBytes: inBytes, InClientMsgs: inMsgs, InClientBytes: inBytes,
		OutMsgs: outMsgs, OutBytes: outBytes, OutClientMsgs: outMsgs, OutClientBytes: outBytes,
		SlowConsumers: slow, StaleConnections: stale, StalledClients: s.stalls.Load(),
		Subscriptions:        uint32(s.subs.Count()),
		HTTPReqStats:         s.requestStats(),
		ConfigLoadTime:       time.Unix(0, s.configTime.Load()).UTC(),
		ConfigDigest:         o.configDigest,
		Tags:                 o.Tags,
		Metadata:             o.Metadata,
		FeatureFlags:         featureFlags,
		SlowConsumersStats:   kindCounts{Clients: uint64(slow)},
		StaleConnectionStats: kindCounts{Clients: uint64(stale)},
	}
}

// outTotals returns the number of connections and the messages and bytes
// sent to clients. Delivery counts only per connection (under the lock it
// already holds), so the total is summed here: a connection is either in
// clients or in closedOut, both under s.mu, so nothing is counted twice.
func (s *Server) outTotals() (int, stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.closedOut
	for _, c := range s.clients {
		c.mu.Lock()
		out.msgs += c.outStats.msgs
		out.bytes += c.outStats.bytes
		c.mu.Unlock()
	}
	return len(s.clients), out
}

// residentMemory is the process's resident set size where /proc has it,
// else the memory the Go runtime holds from the OS.
func residentMemory() int64 {
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if pages, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return pages * int64(os.Getpagesize())
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}
