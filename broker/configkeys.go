package broker

import (
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
	"listen":                 setListen,
	"host":                   str(func(o *Options, s string) { o.Host = s }),
	"net":                    str(func(o *Options, s string) { o.Host = s }),
	"port":                   setPort,
	"server_name":            setServerName,
	"client_advertise":       setClientAdvertise,
	"max_connections":        setMaxConn,
	"max_conn":               setMaxConn,
	"max_control_line":       int32Key(func(o *Options, n int32) { o.MaxControlLine = n }),
	"max_payload":            int32Key(func(o *Options, n int32) { o.MaxPayload = n }),
	"max_pending":            intKey(func(o *Options, n int64) { o.MaxPending = n }),
	"max_subscriptions":      intKey(func(o *Options, n int64) { o.MaxSubs = int(n) }),
	"max_subs":               intKey(func(o *Options, n int64) { o.MaxSubs = int(n) }),
	"ping_interval":          secondsOrDuration("ping_interval", func(o *Options, d time.Duration) { o.PingInterval = d }),
	"ping_max":               intKey(func(o *Options, n int64) { o.MaxPingsOut = int(n) }),
	"write_deadline":         secondsOrDuration("write_deadline", func(o *Options, d time.Duration) { o.WriteDeadline = d }),
	"log_file":               str(func(o *Options, s string) { o.LogFile = s }),
	"logfile":                str(func(o *Options, s string) { o.LogFile = s }),
	"logtime":                boolKey(func(o *Options, b bool) { o.Logtime = b }),
	"logtime_utc":            boolKey(func(o *Options, b bool) { o.LogtimeUTC = b }),
	"debug":                  boolKey(func(o *Options, b bool) { o.Debug = b }),
	"trace":                  boolKey(func(o *Options, b bool) { o.Trace = b }),
	"trace_verbose":          boolKey(func(o *Options, b bool) { o.TraceVerbose, o.Trace = b, o.Trace || b }),
	"max_traced_msg_len":     intKey(func(o *Options, n int64) { o.MaxTracedMsgLen = int(n) }),
	"pid_file":               str(func(o *Options, s string) { o.PidFile = s }),
	"pidfile":                str(func(o *Options, s string) { o.PidFile = s }),
	"ports_file_dir":         str(func(o *Options, s string) { o.PortsFileDir = s }),
	"lame_duck_duration":     setLameDuckDuration,
	"lame_duck_grace_period": setLameDuckGrace,
	"no_header_support":      boolKey(func(o *Options, b bool) { o.NoHeaderSupport = b }),
	"disable_short_first_ping": boolKey(func(o *Options, b bool) {
		o.DisableShortFirstPing = b
	}),
}

// unsupportedKeys are nats-server keys for features the broker does not
// have yet: refused, never ignored.
var unsupportedKeys = setOf(
	"authorization", "no_auth_user", "tls", "allow_non_tls", "http", "https", "http_port", "monitor_port",
	"https_port", "http_base_path", "cluster", "gateway", "leafnodes", "leaf", "jetstream", "websocket", "ws",
	"mqtt", "accounts", "system_account", "no_system_account", "operator", "operators", "resolver",
	"resolver_preload", "resolver_pinned_accounts", "trusted", "trusted_keys", "syslog", "remote_syslog",
	"logfile_size_limit", "log_size_limit", "logfile_max_num", "log_max_num", "max_sub_tokens", "write_timeout",
	"mappings", "maps", "max_closed_clients", "disable_sublist_cache", "no_sublist_cache",
	"no_fast_producer_stall", "connect_error_reports", "reconnect_error_reports", "tags", "server_tags",
	"metadata", "server_metadata", "ocsp", "ocsp_cache", "default_js_domain", "prof_port", "prof_block_rate",
	"trace_headers", "proxies", "store_dir", "default_sentinel", "system", "nkeys", "users", "username",
	"user", "password", "pass", "token", "authentication", "auth_callout", "accounts_jwt",
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
	return fmt.Errorf("expected %s, got %T %v", want, v.V, v.V)
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

func int32Key(set func(*Options, int32)) keyHandler {
	return intKeyE(func(o *Options, n int64) error {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return fmt.Errorf("%d is out of range", n)
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

func setPort(o *Options, v *conf.Value, _ *ConfigError) error {
	n, ok := v.V.(int64)
	if !ok {
		return typeErr("an integer", v)
	}
	if n < RandomPort || n > 65535 {
		return fmt.Errorf("invalid port %d", n)
	}
	o.Port = int(n)
	return nil
}

func setServerName(o *Options, v *conf.Value, _ *ConfigError) error {
	s, ok := v.V.(string)
	if !ok {
		return typeErr("a string", v)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return fmt.Errorf("server name %q cannot contain spaces", s)
	}
	o.ServerName = s
	return nil
}

func setClientAdvertise(o *Options, v *conf.Value, _ *ConfigError) error {
	s, ok := v.V.(string)
	if !ok {
		return typeErr("a string", v)
	}
	if s != "" {
		if _, _, err := net.SplitHostPort(s); err != nil && strings.Contains(s, ":") && !strings.Contains(s, "]") {
			return fmt.Errorf("invalid client_advertise %q: %v", s, err)
		}
	}
	o.ClientAdvertise = s
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
		return 0, fmt.Errorf("error parsing %s: expected a duration string, got %T %v", key, v.V, v.V)
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
