package broker

import (
	"cmp"
	"time"
)

// Defaults match nats-server v2.15.2 (const.go and setBaselineOptions).
const (
	// DefaultHost is the address the client listener binds when none is given.
	DefaultHost = "0.0.0.0"
	// DefaultPort is the client port when none is given.
	DefaultPort = 4222
	// RandomPort asks the OS for a free port (nats-server's -1).
	RandomPort = -1
	// DefaultMaxPayload bounds a message's payload (headers included).
	DefaultMaxPayload = 1 << 20
	// DefaultMaxControlLine bounds a protocol line's arguments.
	DefaultMaxControlLine = 4096
	// DefaultMaxConnections bounds the number of client connections.
	DefaultMaxConnections = 64 * 1024
	// DefaultMaxPending bounds a connection's unsent outbound bytes.
	DefaultMaxPending = 64 << 20
	// DefaultWriteDeadline bounds one blocked write to a client.
	DefaultWriteDeadline = 10 * time.Second
	// DefaultPingInterval is the keepalive period.
	DefaultPingInterval = 2 * time.Minute
	// DefaultMaxPingsOut is how many PINGs may go unanswered.
	DefaultMaxPingsOut = 2
	// DefaultFirstPingInterval is the delay of the RTT PING sent after CONNECT.
	DefaultFirstPingInterval = 2 * time.Second
	// DefaultAuthTimeout bounds the wait for CONNECT when auth is required.
	DefaultAuthTimeout = 2 * time.Second
	// DefaultLameDuckDuration is lame duck mode's total length.
	DefaultLameDuckDuration = 2 * time.Minute
	// DefaultMaxClosedClients is how many closed connections /connz keeps.
	DefaultMaxClosedClients = 10000
	// DefaultLameDuckGracePeriod is lame duck mode's wait before closing clients.
	DefaultLameDuckGracePeriod = 10 * time.Second
)

// Options configure one Server. The zero value of a field means "use the
// default" unless its comment says otherwise; Defaults fills them in.
type Options struct {
	// Host is the client listener's bind address. Default DefaultHost.
	Host string
	// Port is the client listener's port. 0 means DefaultPort, RandomPort a
	// free port chosen by the OS.
	Port int
	// ServerName names the server in INFO and logs. Default: the server ID.
	ServerName string

	// LogFile is the log's path; empty logs to stderr. Default empty.
	LogFile string
	// Logtime prefixes log lines with the time. Default true (set by Defaults
	// only through NewOptions; a zero Options logs without time).
	Logtime bool
	// Debug turns on [DBG] lines. Default false.
	Debug bool
	// Trace turns on [TRC] protocol lines. Default false.
	Trace bool
	// NoLog turns all logging off (tests). Default false.
	NoLog bool
	// LogSizeLimit rotates the log file before a line would take it past
	// this many bytes (logfile_size_limit, --log_size_limit); 0 or less
	// never rotates. It applies to a log file only, and a reload cannot
	// change it, as in nats-server. Default 0.
	LogSizeLimit int64
	// LogMaxFiles bounds the log files kept, the current one included
	// (logfile_max_num): a rotation removes the oldest rotated files past
	// it, so 1 keeps none. 0 or less keeps all. Not reloadable. Default 0.
	LogMaxFiles int
	// Syslog logs to the local syslog daemon instead of stderr; on
	// Windows, to the Event Log. A log file wins over it. Default false.
	Syslog bool
	// RemoteSyslog logs to the syslog server at this URL: udp://host:port,
	// tcp://host:port or unix:///path. A log file wins over it; it wins
	// over Syslog. Default empty.
	RemoteSyslog string
	// PidFile, when set, receives the process id (no trailing newline).
	PidFile string

	// MaxPayload bounds a PUB's size. Default DefaultMaxPayload.
	MaxPayload int32
	// MaxControlLine bounds a protocol line's arguments. Default DefaultMaxControlLine.
	MaxControlLine int32
	// MaxConn bounds client connections; a negative value refuses every
	// client (a config's max_connections: 0). Default DefaultMaxConnections.
	MaxConn int
	// MaxPending bounds each connection's unsent bytes; past it the connection
	// is closed as a slow consumer. Default DefaultMaxPending.
	MaxPending int64
	// WriteDeadline bounds a blocked write. Default DefaultWriteDeadline.
	WriteDeadline time.Duration
	// WriteTimeout (write_timeout) is what a write past WriteDeadline does
	// to a client: "" or "close" closes it as a slow consumer; "retry"
	// keeps writing while each attempt writes something. Not reloadable,
	// as in nats-server.
	WriteTimeout string
	// Tags (server_tags) and Metadata (server_metadata) describe the
	// server in /varz; reloadable.
	Tags     []string
	Metadata map[string]string
	// PingInterval is the keepalive period. Default DefaultPingInterval.
	PingInterval time.Duration
	// MaxPingsOut is how many PINGs may be unanswered before the connection is
	// closed as stale. Default DefaultMaxPingsOut.
	MaxPingsOut int
	// DisableShortFirstPing turns off the RTT PING sent shortly after CONNECT.
	DisableShortFirstPing bool
	// NoFastProducerStall drops a message for a connection that is far
	// behind instead of making its publisher wait (stall.go).
	NoFastProducerStall bool
	// NoHeaderSupport turns off message headers (INFO "headers":false).
	NoHeaderSupport bool

	// CheckConfig asks for the configuration to be tested, not run (-t).
	CheckConfig bool
	// ConfigFile is the file these options were read from; Reload reads it
	// again. Default empty (no file: Reload is refused).
	ConfigFile string
	// PortsFileDir, when set, receives <exe>_<pid>.ports listing the
	// listeners' URLs once they accept; it is removed on shutdown.
	PortsFileDir string
	// ClientAdvertise is the host:port advertised to clients in place of the
	// listener's address. Default empty.
	ClientAdvertise string
	// LogtimeUTC writes log times in UTC. Default false.
	LogtimeUTC bool
	// TraceVerbose traces as Trace does (there are no system-account
	// connections to add). Default false.
	TraceVerbose bool
	// TraceHeaders (trace_headers) traces only the headers of messages,
	// not their payloads; true turns tracing on.
	TraceHeaders bool
	// MaxTracedMsgLen cuts traced payloads to this many bytes; 0 traces
	// them whole. Default 0.
	MaxTracedMsgLen int
	// MaxSubs bounds one connection's subscriptions; 0 is unlimited.
	MaxSubs int
	// MaxSubTokens (max_sub_tokens) bounds the tokens of a subscription's
	// subject; 0 is unlimited. Not reloadable, as in nats-server.
	MaxSubTokens uint8
	// LameDuckDuration is how long lame duck mode spreads client closes
	// over. Default DefaultLameDuckDuration.
	LameDuckDuration time.Duration
	// LameDuckGracePeriod is how long lame duck mode waits before closing
	// clients. Default DefaultLameDuckGracePeriod.
	LameDuckGracePeriod time.Duration
	// HTTPHost is the monitoring listener's bind address. Default: Host.
	HTTPHost string
	// HTTPPort opens the HTTP monitoring listener (/varz, /connz, …) on
	// this port; RandomPort picks a free one. Default 0: no monitoring.
	// Not reloadable, as in nats-server.
	HTTPPort int
	// HTTPSPort opens the monitoring listener with the client TLS
	// configuration instead (-ms, https_port); it needs TLS and excludes
	// HTTPPort. Default 0. Not reloadable.
	HTTPSPort int
	// HTTPBasePath prefixes every monitoring path. Default empty.
	HTTPBasePath string
	// MaxClosedClients bounds the closed connections /connz remembers.
	// Default DefaultMaxClosedClients.
	MaxClosedClients int

	// ReloadStatusFile, when set, receives the result of every reload as
	// JSON (see ReloadResult). Default: the pid file's path plus ".reload"
	// when a pid file is set.
	ReloadStatusFile string

	// Authorization and TLS: see auth_options.go.
	AuthOptions
	TLSOptions

	// configDigest is the config file's digest, logged at start.
	configDigest string
	// cmdline holds the command-line flags, which override the file on every
	// reload; nil when the options were built in code.
	cmdline *CommandLine
}

// NewOptions returns Options holding every default, as nats-server starts
// with when given no flags and no file.
func NewOptions() *Options {
	o := &Options{Logtime: true}
	o.setDefaults()
	return o
}

// setDefaults fills every zero field with its default.
func (o *Options) setDefaults() {
	o.Host = cmp.Or(o.Host, DefaultHost)
	o.Port = cmp.Or(o.Port, DefaultPort)
	o.MaxPayload = cmp.Or(o.MaxPayload, DefaultMaxPayload)
	o.MaxControlLine = cmp.Or(o.MaxControlLine, DefaultMaxControlLine)
	o.MaxConn = cmp.Or(o.MaxConn, DefaultMaxConnections)
	o.MaxPending = cmp.Or(o.MaxPending, DefaultMaxPending)
	o.WriteDeadline = cmp.Or(o.WriteDeadline, DefaultWriteDeadline)
	o.PingInterval = cmp.Or(o.PingInterval, DefaultPingInterval)
	o.MaxPingsOut = cmp.Or(o.MaxPingsOut, DefaultMaxPingsOut)
	o.LameDuckDuration = cmp.Or(o.LameDuckDuration, DefaultLameDuckDuration)
	o.LameDuckGracePeriod = cmp.Or(o.LameDuckGracePeriod, DefaultLameDuckGracePeriod)
	o.setAuthTLSDefaults()
	o.HTTPHost = cmp.Or(o.HTTPHost, o.Host)
	o.MaxClosedClients = cmp.Or(o.MaxClosedClients, DefaultMaxClosedClients)
	if o.ReloadStatusFile == "" && o.PidFile != "" {
		o.ReloadStatusFile = o.PidFile + ".reload"
	}
}

// Clone returns a copy of o that shares nothing mutable with it.
func (o *Options) Clone() *Options {
	c := *o
	c.AuthOptions = o.AuthOptions.clone()
	return &c
}

// ConfigDigest is the config file's digest (sha256:…), as nats-server logs
// it; empty without a file.
func (o *Options) ConfigDigest() string { return o.configDigest }
