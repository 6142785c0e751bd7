package broker

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// keyHandler applies one config key; an error is reported at the key.
type keyHandler func(o *Options, v *conf.Value, ce *ConfigError) error

// configKeys are the keys the broker supports, lower case (nats-server
// matches keys case-insensitively), aliases included.
var configKeys = map[string]keyHandler{
	"listen":                  setListen,
	"host":                    str(func(o *Options, s string) { o.Host = s }),
	"net":                     str(func(o *Options, s string) { o.Host = s }),
	"port":                    setPort,
	"server_name":             setServerName,
	"client_advertise":        str(func(o *Options, s string) { o.ClientAdvertise = s }), // checked on reload; -t takes any string
	"max_connections":         setMaxConn,
	"max_conn":                setMaxConn,
	"max_control_line":        int32Key("max_control_line", func(o *Options, n int32) { o.MaxControlLine = n }),
	"max_payload":             int32Key("max_payload", func(o *Options, n int32) { o.MaxPayload = n }),
	"max_pending":             intKey(func(o *Options, n int64) { o.MaxPending = n }),
	"max_subscriptions":       intKey(func(o *Options, n int64) { o.MaxSubs = int(n) }),
	"max_subs":                intKey(func(o *Options, n int64) { o.MaxSubs = int(n) }),
	"write_timeout":           setWriteTimeout,
	"server_tags":             setServerTags,
	"server_metadata":         setServerMetadata,
	"max_sub_tokens":          maxSubTokensKey("max_sub_tokens"),
	"max_subscription_tokens": maxSubTokensKey("max_subscription_tokens"),
	"ping_interval":           secondsOrDuration("ping_interval", func(o *Options, d time.Duration) { o.PingInterval = d }),
	"ping_max":                intKey(func(o *Options, n int64) { o.MaxPingsOut = int(n) }),
	"write_deadline":          secondsOrDuration("write_deadline", func(o *Options, d time.Duration) { o.WriteDeadline = d }),
	"log_file":                str(func(o *Options, s string) { o.LogFile = s }),
	"logfile":                 str(func(o *Options, s string) { o.LogFile = s }),
	"logtime":                 boolKey(func(o *Options, b bool) { o.Logtime = b }),
	"logtime_utc":             boolKey(func(o *Options, b bool) { o.LogtimeUTC = b }),
	"debug":                   boolKey(func(o *Options, b bool) { o.Debug = b }),
	"trace":                   boolKey(func(o *Options, b bool) { o.Trace = b }),
	"trace_verbose":           boolKey(func(o *Options, b bool) { o.TraceVerbose, o.Trace = b, o.Trace || b }),
	"trace_headers":           boolKey(func(o *Options, b bool) { o.TraceHeaders, o.Trace = b, o.Trace || b }),
	"max_traced_msg_len":      intKey(func(o *Options, n int64) { o.MaxTracedMsgLen = int(n) }),
	"logfile_size_limit":      intKey(func(o *Options, n int64) { o.LogSizeLimit = n }), // a size: 10MB is an integer
	"log_size_limit":          intKey(func(o *Options, n int64) { o.LogSizeLimit = n }),
	"logfile_max_num":         intKey(func(o *Options, n int64) { o.LogMaxFiles = int(n) }),
	"log_max_num":             intKey(func(o *Options, n int64) { o.LogMaxFiles = int(n) }),
	"syslog":                  boolKey(func(o *Options, b bool) { o.Syslog = b }),
	"remote_syslog":           str(func(o *Options, s string) { o.RemoteSyslog = s }), // checked when the logger opens, as nats-server
	"pid_file":                str(func(o *Options, s string) { o.PidFile = s }),
	"pidfile":                 str(func(o *Options, s string) { o.PidFile = s }),
	"ports_file_dir":          str(func(o *Options, s string) { o.PortsFileDir = s }),
	"lame_duck_duration":      setLameDuckDuration,
	"lame_duck_grace_period":  setLameDuckGrace,
	"no_header_support":       boolKey(func(o *Options, b bool) { o.NoHeaderSupport = b }),
	"no_fast_producer_stall":  boolKey(func(o *Options, b bool) { o.NoFastProducerStall = b }),
	"authorization":           setAuthorization,
	"no_auth_user":            str(func(o *Options, s string) { o.NoAuthUser = s }),
	"tls":                     setTLS,
	"allow_non_tls":           boolKey(func(o *Options, b bool) { o.AllowNonTLS = b }),
	"http":                    setHTTP,
	"http_port":               intKey(func(o *Options, n int64) { o.HTTPPort = int(n) }),
	"monitor_port":            intKey(func(o *Options, n int64) { o.HTTPPort = int(n) }),
	"http_base_path":          str(func(o *Options, s string) { o.HTTPBasePath = s }),
	"https":                   setHTTPS,
	"https_port":              intKey(func(o *Options, n int64) { o.HTTPSPort = int(n) }),
	"max_closed_clients":      intKey(func(o *Options, n int64) { o.MaxClosedClients = int(n) }),
}

// unsupportedKeys are the other top-level keys nats-server v2.15.2 knows
// (opts.go processConfigFileLine), aliases included, for features the broker
// does not have yet: refused, never ignored. A key nats-server does not know
// (say "user" outside authorization) is an unknown field, as there.
var unsupportedKeys = setOf(
	"accounts", "cluster", "connect_error_reports", "default_js_domain",
	"default_sentinel", "disable_sublist_cache", "no_sublist_cache", "feature_flags", "gateway", "jetstream",
	"leaf", "leafnodes",
	"mappings", "maps",
	"mqtt",
	"no_system_account", "no_system", "no_sys_acc", "ocsp", "ocsp_cache",
	"operator", "operators", "roots", "root", "root_operators", "root_operator", "prof_block_rate", "prof_port",
	"proxies", "proxy_protocol", "reconnect_error_reports", "resolver", "account_resolver",
	"accounts_resolver", "resolver_pinned_accounts", "resolver_preload", "resolver_tls",
	"store_dir", "storedir", "system_account", "system",
	"trusted", "trusted_keys", "websocket", "ws",
)

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// typeErr says what a key wanted and what it got.
func typeErr(want string, v *conf.Value) error {
	return fmt.Errorf("expected %s, got %s", want, describe(v))
}

func str(set func(*Options, string)) keyHandler {
	return func(o *Options, v *conf.Value, _ *ConfigError) error {
		s, ok := v.V.(string)
		if !ok {
			return typeErr("a string", v)
		}
		set(o, s)
		return nil
	}
}

func boolKey(set func(*Options, bool)) keyHandler {
	return func(o *Options, v *conf.Value, _ *ConfigError) error {
		b, ok := v.V.(bool)
		if !ok {
			return typeErr("a boolean", v)
		}
		set(o, b)
		return nil
	}
}

func intKey(set func(*Options, int64)) keyHandler {
	return func(o *Options, v *conf.Value, _ *ConfigError) error {
		n, ok := v.V.(int64)
		if !ok {
			return typeErr("an integer", v)
		}
		set(o, n)
		return nil
	}
}

// int32Key refuses what does not fit an int32. nats-server checks only the
// upper bound and wraps a value below math.MinInt32; we refuse it too.
func int32Key(key string, set func(*Options, int32)) keyHandler {
	return intKeyE(func(o *Options, n int64) error {
		if n > math.MaxInt32 {
			return fmt.Errorf("%s value is too big", key)
		}
		if n < math.MinInt32 {
			return fmt.Errorf("%s value is too small", key)
		}
		set(o, int32(n))
		return nil
	})
}

func intKeyE(set func(*Options, int64) error) keyHandler {
	return func(o *Options, v *conf.Value, _ *ConfigError) error {
		n, ok := v.V.(int64)
		if !ok {
			return typeErr("an integer", v)
		}
		return set(o, n)
	}
}

// setWriteTimeout takes nats-server's policies: default, close, retry.
func setWriteTimeout(o *Options, v *conf.Value, _ *ConfigError) error {
	s, ok := v.V.(string)
	if !ok {
		return typeErr("a string", v)
	}
	switch s {
	case "default":
		o.WriteTimeout = ""
	case "close", "retry":
		o.WriteTimeout = s
	default:
		return errors.New("write_timeout must be 'default', 'close' or 'retry'")
	}
	return nil
}

// maxSubTokensKey takes 1 to 255, as nats-server, with its errors.
func maxSubTokensKey(key string) keyHandler {
	return intKeyE(func(o *Options, n int64) error {
		switch {
		case n > math.MaxUint8:
			return fmt.Errorf("%s value is too big", key)
		case n <= 0:
			return fmt.Errorf("%s value can not be negative", key)
		}
		o.MaxSubTokens = uint8(n)
		return nil
	})
}

// setListen takes `host:port`, `:port` or a bare port.
func setListen(o *Options, v *conf.Value, _ *ConfigError) error {
	if n, ok := v.V.(int64); ok {
		o.Port = int(n)
		return nil
	}
	s, ok := v.V.(string)
	if !ok {
		return typeErr("host:port", v)
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("could not parse address string %q", s)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("could not parse port %q", port)
	}
	o.Host, o.Port = host, p
	return nil
}

// setPort takes any integer, as nats-server's config does: the range is
// checked when the server is built (New), so `-t` accepts what nats-server's
// `-t` accepts.
func setPort(o *Options, v *conf.Value, _ *ConfigError) error {
	n, ok := v.V.(int64)
	if !ok {
		return typeErr("an integer", v)
	}
	o.Port = int(n)
	return nil
}

// setServerName refuses a name with a space; nats-server checks the space
// character only.
func setServerName(o *Options, v *conf.Value, _ *ConfigError) error {
	s, ok := v.V.(string)
	if !ok {
		return typeErr("a string", v)
	}
	if strings.Contains(s, " ") {
		return errors.New("server name cannot contain spaces")
	}
	o.ServerName = s
	return nil
}

// setMaxConn: `max_connections: 0` refuses every client (nats-server turns
// it into -1).
func setMaxConn(o *Options, v *conf.Value, _ *ConfigError) error {
	n, ok := v.V.(int64)
	if !ok {
		return typeErr("an integer", v)
	}
	if n == 0 {
		n = -1
	}
	o.MaxConn = int(n)
	return nil
}

// secondsOrDuration reads a duration string; a bare integer means seconds
// and draws nats-server's warning.
func secondsOrDuration(key string, set func(*Options, time.Duration)) keyHandler {
	return func(o *Options, v *conf.Value, ce *ConfigError) error {
		switch x := v.V.(type) {
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return fmt.Errorf("error parsing %s: %v", key, err)
			}
			set(o, d)
		case int64:
			set(o, time.Duration(x)*time.Second)
			ce.Warnings = append(ce.Warnings, posErr(v.Pos,
				fmt.Sprintf("invalid use of field %q: %s should be converted to a duration", key, key)))
		default:
			return typeErr("a duration", v)
		}
		return nil
	}
}

func durationString(key string, v *conf.Value) (time.Duration, error) {
	s, ok := v.V.(string)
	if !ok {
		return 0, fmt.Errorf("error parsing %s: expected a duration string, got %s", key, describe(v))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("error parsing %s: %v", key, err)
	}
	return d, nil
}

func setLameDuckDuration(o *Options, v *conf.Value, _ *ConfigError) error {
	d, err := durationString("lame_duck_duration", v)
	if err != nil {
		return err
	}
	if d < 30*time.Second {
		return fmt.Errorf("invalid lame_duck_duration of %v, minimum is 30 seconds", d)
	}
	o.LameDuckDuration = d
	return nil
}

func setLameDuckGrace(o *Options, v *conf.Value, _ *ConfigError) error {
	d, err := durationString("lame_duck_grace_period", v)
	if err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("invalid lame_duck_grace_period, needs to be positive")
	}
	o.LameDuckGracePeriod = d
	return nil
}

// describe names a value for an error: its Go type and, for a scalar, the
// value itself (an array or map is named only: its elements are pointers).
func describe(v *conf.Value) string {
	switch v.V.(type) {
	case []*conf.Value:
		return "an array"
	case *conf.Map:
		return "a map"
	}
	return fmt.Sprintf("%T %v", v.V, v.V)
}
