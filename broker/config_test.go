package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/broker/conf"
)

// configCase is one config file and what ProcessConfigFile makes of it.
type configCase struct {
	name string
	conf string
	// files are other files next to the config (includes), by name.
	files map[string]string
	// want changes NewOptions() into the expected Options (ConfigFile is set
	// by the test). Nil when errs is set: the Options are not checked.
	want func(o *Options)
	// errs and warns are the expected messages, in order, each after the
	// config's path (":1:0: unknown field ..."); a message that starts with
	// "@" is an include's name and is checked after that file's path.
	errs, warns []string
}

// configCases lists, per config key, the cases that exercise it; every key of
// configKeys must have one (TestConfigKeysCovered).
var configCases = map[string][]configCase{
	"authorization": {
		{name: "user", conf: "authorization { user: a, password: b, timeout: \"3s\" }\n",
			want: func(o *Options) { o.Username, o.Password, o.AuthTimeout = "a", "b", 3*time.Second }},
		{name: "token", conf: "authorization { token: t, timeout: 1.5 }\n",
			want: func(o *Options) { o.Authorization, o.AuthTimeout = "t", 1500*time.Millisecond }},
		{name: "users", conf: "authorization { users: [ {user: a, password: b, permissions: { publish: \"x\", subscribe: { deny: \"y q\" }, allow_responses: true } } ] }\n",
			want: func(o *Options) {
				o.Users = []*User{{Username: "a", Password: "b", Permissions: &Permissions{
					Publish: &SubjectPermission{Allow: []string{"x"}}, Subscribe: &SubjectPermission{Deny: []string{"y q"}},
					Response: &ResponsePermission{MaxMsgs: DefaultAllowResponseMaxMsgs, Expires: DefaultAllowResponseExpires}}}}
			}},
		{name: "default permissions", conf: "authorization { default_permissions: { publish: [\"p\"] }, users: [ {user: a, password: b} ] }\n",
			want: func(o *Options) {
				o.Users = []*User{{Username: "a", Password: "b", Permissions: &Permissions{Publish: &SubjectPermission{Allow: []string{"p"}}}}}
			}},
		{name: "user and token", conf: "authorization { user: a, token: t }\n", errs: []string{`:1:0: Cannot have a user/pass and token`}},
		{name: "bad subject", conf: "authorization { users: [ {user: a, permissions: { publish: { allow: \"a..b\" } } } ] }\n",
			errs: []string{`:1:61: subject "a..b" is not a valid subject`}},
	},
	"no_auth_user": {{name: "no_auth_user", conf: "no_auth_user: a\n", want: func(o *Options) { o.NoAuthUser = "a" }}},
	"tls": {
		{name: "without key", conf: "tls { cert_file: c }\n", errs: []string{`:1:0: missing 'key_file' in TLS configuration`}},
		{name: "bad cipher", conf: "tls { cert_file: c, key_file: k, cipher_suites: [\"nope\"] }\n", errs: []string{`:1:50: unrecognized cipher nope`}},
		{name: "files read", conf: "tls { cert_file: /nonexistent/c, key_file: k, verify: true, timeout: 3, curve_preferences: [\"X25519\"] }\n",
			errs: []string{`:1:0: error parsing X509 certificate/key pair: open /nonexistent/c: no such file or directory`}},
		{name: "no files", conf: "tls { verify: true, timeout: \"3s\", curve_preferences: [\"X25519\"] }\n",
			want: func(o *Options) {
				o.TLSOptions = TLSOptions{TLS: true, TLSVerify: true, TLSTimeout: 3 * time.Second, TLSCurvePreferences: []tls.CurveID{tls.X25519}}
			}},
		{name: "verify_and_map", conf: "tls { verify_and_map: true }\n",
			want: func(o *Options) { o.TLSOptions = TLSOptions{TLS: true, TLSVerify: true, TLSMap: true} }},
		{name: "verify_and_map false keeps verify", conf: "tls { verify: true, verify_and_map: false }\n",
			want: func(o *Options) { o.TLSOptions = TLSOptions{TLS: true, TLSVerify: true} }},
		{name: "verify_and_map not a bool", conf: "tls { verify_and_map: 1 }\n",
			errs: []string{`:1:6: error parsing tls config, expected 'verify_and_map' to be a boolean`}},
		{name: "pinned_certs", conf: "tls { pinned_certs: [\"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\"] }\n",
			want: func(o *Options) {
				o.TLSOptions = TLSOptions{TLS: true, TLSPinnedCerts: PinnedCertSet{"abababababababababababababababababababababababababababababababab": {}}}
			}},
		{name: "pinned_certs empty", conf: "tls { pinned_certs: [] }\n", want: func(o *Options) { o.TLSOptions = TLSOptions{TLS: true} }},
		{name: "pinned_certs not hex", conf: "tls { pinned_certs: [\"AB\"] }\n",
			errs: []string{`:1:22: error parsing tls config, 'pinned_certs' key ab does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo`}},
		{name: "pinned_certs not a list", conf: "tls { pinned_certs: \"ab\" }\n",
			errs: []string{`:1:6: error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo`}},
		{name: "handshake_first", conf: "tls { handshake_first: true }\n",
			want: func(o *Options) { o.TLSOptions = TLSOptions{TLS: true, TLSHandshakeFirst: true} }},
		{name: "first auto", conf: "tls { first: auto }\n",
			want: func(o *Options) {
				o.TLSOptions = TLSOptions{TLS: true, TLSHandshakeFirst: true, TLSHandshakeFirstFallback: 50 * time.Millisecond}
			}},
		{name: "immediate duration", conf: "tls { immediate: \"300ms\" }\n",
			want: func(o *Options) {
				o.TLSOptions = TLSOptions{TLS: true, TLSHandshakeFirst: true, TLSHandshakeFirstFallback: 300 * time.Millisecond}
			}},
		{name: "handshake_first off", conf: "tls { handshake_first: \"OFF\" }\n", want: func(o *Options) { o.TLSOptions = TLSOptions{TLS: true} }},
		{name: "handshake_first invalid", conf: "tls { handshake_first: \"maybe\" }\n",
			errs: []string{`:1:6: field "handshake_first"'s value "maybe" is invalid`}},
		{name: "handshake_first a number", conf: "tls { handshake_first: 5 }\n",
			errs: []string{`:1:6: field "handshake_first" should be a boolean or a string, got int64`}},
	},
	"http": {
		{name: "port", conf: "http: 8222\n", want: func(o *Options) { o.HTTPPort = 8222 }},
		{name: "host:port", conf: "http: \"127.0.0.1:8222\"\n", want: func(o *Options) { o.HTTPHost, o.HTTPPort = "127.0.0.1", 8222 }},
		{name: "bad", conf: "http: localhost\n", errs: []string{`:1:0: could not parse address string "localhost"`}},
		{name: "bool", conf: "http: true\n", errs: []string{`:1:0: expected port or host:port, got bool`}},
	},
	"https": {
		{name: "port", conf: "https: 8223\n", want: func(o *Options) { o.HTTPSPort = 8223 }},
		{name: "host:port", conf: "https: \"127.0.0.1:8223\"\n", want: func(o *Options) { o.HTTPHost, o.HTTPSPort = "127.0.0.1", 8223 }},
	},
	"https_port":         {{name: "https_port", conf: "https_port: -1\n", want: func(o *Options) { o.HTTPSPort = -1 }}},
	"http_port":          {{name: "http_port", conf: "http_port: 8222\n", want: func(o *Options) { o.HTTPPort = 8222 }}},
	"monitor_port":       {{name: "monitor_port", conf: "monitor_port: -1\n", want: func(o *Options) { o.HTTPPort = -1 }}},
	"http_base_path":     {{name: "http_base_path", conf: "http_base_path: /mon\n", want: func(o *Options) { o.HTTPBasePath = "/mon" }}},
	"max_closed_clients": {{name: "max_closed_clients", conf: "max_closed_clients: 5\n", want: func(o *Options) { o.MaxClosedClients = 5 }}},
	"max_sub_tokens": {
		{name: "max_sub_tokens", conf: "max_sub_tokens: 255\n", want: func(o *Options) { o.MaxSubTokens = 255 }},
		{name: "too big", conf: "max_sub_tokens: 256\n", errs: []string{`:1:0: max_sub_tokens value is too big`}},
		{name: "zero", conf: "max_sub_tokens: 0\n", errs: []string{`:1:0: max_sub_tokens value can not be negative`}},
	},
	"write_timeout": {
		{name: "retry", conf: "write_timeout: retry\n", want: func(o *Options) { o.WriteTimeout = "retry" }},
		{name: "close", conf: "write_timeout: close\n", want: func(o *Options) { o.WriteTimeout = "close" }},
		{name: "default", conf: "write_timeout: default\n", want: func(o *Options) {}},
		{name: "bad", conf: "write_timeout: bogus\n", errs: []string{`:1:0: write_timeout must be 'default', 'close' or 'retry'`}},
	},
	"trace_headers": {
		{name: "on", conf: "trace_headers: true\n", want: func(o *Options) { o.TraceHeaders, o.Trace = true, true }},
		// nats-server sets trace too, in its map's random order; false never
		// turns trace off here.
		{name: "false keeps trace", conf: "trace: true\ntrace_headers: false\n", want: func(o *Options) { o.Trace = true }},
	},
	"server_tags": {
		{name: "list", conf: "server_tags: [\"Region:EU\", \" az:1 \", \"region:eu\", \"\"]\n", want: func(o *Options) { o.Tags = []string{"region:eu", "az:1"} }},
		{name: "string", conf: "server_tags: x\n", want: func(o *Options) { o.Tags = []string{"x"} }},
		{name: "not a string", conf: "server_tags: [a, 5 ]\n", errs: []string{`:1:0: error parsing tags: unsupported type *conf.token where string is expected`}},
	},
	"server_metadata": {
		{name: "map", conf: "server_metadata: {a: b}\n", want: func(o *Options) { o.Metadata = map[string]string{"a": "b"} }},
		{name: "not a map", conf: "server_metadata: x\n", errs: []string{`:1:0: error parsing metadata: unsupported type string`}},
	},
	"max_subscription_tokens": {{name: "max_subscription_tokens", conf: "max_subscription_tokens: 3\n", want: func(o *Options) { o.MaxSubTokens = 3 }}},
	"listen": {
		{name: "host:port", conf: "listen: 127.0.0.1:4333\n", want: func(o *Options) { o.Host, o.Port = "127.0.0.1", 4333 }},
		{name: ":port", conf: "listen: \":4333\"\n", want: func(o *Options) { o.Host, o.Port = "", 4333 }},
		{name: "port", conf: "listen: 4333\n", want: func(o *Options) { o.Port = 4333 }},
		{name: "ipv6", conf: "listen: \"[::1]:4333\"\n", want: func(o *Options) { o.Host, o.Port = "::1", 4333 }},
		{name: "random", conf: "listen: \"127.0.0.1:-1\"\n", want: func(o *Options) { o.Host, o.Port = "127.0.0.1", -1 }},
		{name: "no port", conf: "listen: localhost\n", errs: []string{`:1:0: could not parse address string "localhost"`}},
		{name: "bad port", conf: "listen: \"127.0.0.1:abc\"\n", errs: []string{`:1:0: could not parse port "abc"`}},
		{name: "bool", conf: "listen: true\n", errs: []string{`:1:0: expected host:port, got bool true`}},
	},
	"host": {
		{name: "host", conf: "host: 127.0.0.1\n", want: func(o *Options) { o.Host = "127.0.0.1" }},
		{name: "not a string", conf: "host: 5\n", errs: []string{`:1:0: expected a string, got int64 5`}},
	},
	"net": {{name: "net", conf: "net: \"::1\"\n", want: func(o *Options) { o.Host = "::1" }}},
	"port": {
		{name: "port", conf: "port: 4333\n", want: func(o *Options) { o.Port = 4333 }},
		{name: "random", conf: "port: -1\n", want: func(o *Options) { o.Port = RandomPort }},
		// nats-server's -t accepts any integer; New refuses it.
		{name: "out of range is New's business", conf: "port: 70000\n", want: func(o *Options) { o.Port = 70000 }},
		{name: "string", conf: "port: \"4333\"\n", errs: []string{`:1:0: expected an integer, got string 4333`}},
	},
	"server_name": {
		{name: "name", conf: "server_name: n1\n", want: func(o *Options) { o.ServerName = "n1" }},
		{name: "tab is not a space", conf: "server_name: \"a\\tb\"\n", want: func(o *Options) { o.ServerName = "a\tb" }},
		{name: "space", conf: "server_name: \"my server\"\n", errs: []string{`:1:0: server name cannot contain spaces`}},
	},
	"client_advertise": {
		{name: "host:port", conf: "client_advertise: \"nats.example.com:4222\"\n",
			want: func(o *Options) { o.ClientAdvertise = "nats.example.com:4222" }},
		// Checked on reload, not in the file: nats-server -t takes any string.
		{name: "malformed", conf: "client_advertise: \"a:b:c\"\n", want: func(o *Options) { o.ClientAdvertise = "a:b:c" }},
	},
	"max_connections": {
		{name: "limit", conf: "max_connections: 100\n", want: func(o *Options) { o.MaxConn = 100 }},
		{name: "zero refuses everyone", conf: "max_connections: 0\n", want: func(o *Options) { o.MaxConn = -1 }},
		{name: "negative", conf: "max_connections: -5\n", want: func(o *Options) { o.MaxConn = -5 }},
	},
	"max_conn": {{name: "alias", conf: "max_conn: 0\n", want: func(o *Options) { o.MaxConn = -1 }}},
	"max_control_line": {
		{name: "size", conf: "max_control_line: 8kb\n", want: func(o *Options) { o.MaxControlLine = 8192 }},
		{name: "too big", conf: "max_control_line: 2GB\n", errs: []string{`:1:0: max_control_line value is too big`}},
	},
	"max_payload": {
		{name: "MB is 1024", conf: "max_payload: 2MB\n", want: func(o *Options) { o.MaxPayload = 2 << 20 }},
		{name: "k is 1000", conf: "max_payload: 64k\n", want: func(o *Options) { o.MaxPayload = 64000 }},
		{name: "KiB", conf: "max_payload: 1KiB\n", want: func(o *Options) { o.MaxPayload = 1024 }},
		{name: "too big", conf: "max_payload: 3000000000\n", errs: []string{`:1:0: max_payload value is too big`}},
		{name: "too small", conf: "max_payload: -3000000000\n", errs: []string{`:1:0: max_payload value is too small`}},
		{name: "float", conf: "max_payload: 1.5\n", errs: []string{`:1:0: expected an integer, got float64 1.5`}},
	},
	"max_pending": {
		{name: "size", conf: "max_pending: 100MB\n", want: func(o *Options) { o.MaxPending = 100 << 20 }},
		{name: "1TB fits int64", conf: "max_pending: 1TB\n", want: func(o *Options) { o.MaxPending = 1 << 40 }},
	},
	"max_subscriptions": {{name: "limit", conf: "max_subscriptions: 5\n", want: func(o *Options) { o.MaxSubs = 5 }}},
	"max_subs":          {{name: "alias", conf: "max_subs: 7\n", want: func(o *Options) { o.MaxSubs = 7 }}},
	"ping_interval": {
		{name: "duration", conf: "ping_interval: \"30s\"\n", want: func(o *Options) { o.PingInterval = 30 * time.Second }},
		{name: "unquoted duration", conf: "ping_interval: 30s\n", want: func(o *Options) { o.PingInterval = 30 * time.Second }},
		{name: "seconds warn at the key", conf: "port: 1\n  ping_interval =   5\n",
			want:  func(o *Options) { o.Port, o.PingInterval = 1, 5*time.Second },
			warns: []string{`:2:3: invalid use of field "ping_interval": ping_interval should be converted to a duration`}},
		// 2m is a size: two million seconds.
		{name: "2m is a number", conf: "ping_interval: 2m\n", want: func(o *Options) { o.PingInterval = 2e6 * time.Second },
			warns: []string{`:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration`}},
		{name: "bad duration", conf: "ping_interval: \"1x\"\n",
			errs: []string{`:1:0: error parsing ping_interval: time: unknown unit "x" in duration "1x"`}},
		{name: "bool", conf: "ping_interval: true\n", errs: []string{`:1:0: expected a duration, got bool true`}},
	},
	"ping_max": {
		{name: "count", conf: "ping_max: 5\n", want: func(o *Options) { o.MaxPingsOut = 5 }},
		{name: "string", conf: "ping_max: \"5\"\n", errs: []string{`:1:0: expected an integer, got string 5`}},
	},
	"write_deadline": {
		{name: "duration", conf: "write_deadline: \"2.5s\"\n", want: func(o *Options) { o.WriteDeadline = 2500 * time.Millisecond }},
		{name: "seconds", conf: "write_deadline: 3\n", want: func(o *Options) { o.WriteDeadline = 3 * time.Second },
			warns: []string{`:1:0: invalid use of field "write_deadline": write_deadline should be converted to a duration`}},
	},
	"log_file":    {{name: "path", conf: "log_file: /var/log/n.log\n", want: func(o *Options) { o.LogFile = "/var/log/n.log" }}},
	"logfile":     {{name: "alias", conf: "logfile: \"n.log\"\n", want: func(o *Options) { o.LogFile = "n.log" }}},
	"logtime":     {{name: "off", conf: "logtime: off\n", want: func(o *Options) { o.Logtime = false }}},
	"logtime_utc": {{name: "yes", conf: "logtime_utc: YES\n", want: func(o *Options) { o.LogtimeUTC = true }}},
	"debug": {
		{name: "true", conf: "debug: true\n", want: func(o *Options) { o.Debug = true }},
		{name: "integer", conf: "debug: 1\n", errs: []string{`:1:0: expected a boolean, got int64 1`}},
	},
	"trace": {{name: "on", conf: "trace: on\n", want: func(o *Options) { o.Trace = true }}},
	"trace_verbose": {
		{name: "implies trace", conf: "trace_verbose: true\n", want: func(o *Options) { o.Trace, o.TraceVerbose = true, true }},
		{name: "false keeps trace", conf: "trace: true\ntrace_verbose: false\n", want: func(o *Options) { o.Trace = true }},
	},
	"max_traced_msg_len": {{name: "len", conf: "max_traced_msg_len: 64\n", want: func(o *Options) { o.MaxTracedMsgLen = 64 }}},
	"logfile_size_limit": {
		{name: "size", conf: "logfile_size_limit: 10MB\n", want: func(o *Options) { o.LogSizeLimit = 10 << 20 }},
		{name: "bytes", conf: "logfile_size_limit: 2000\n", want: func(o *Options) { o.LogSizeLimit = 2000 }},
		{name: "negative is no rotation", conf: "logfile_size_limit: -5\n", want: func(o *Options) { o.LogSizeLimit = -5 }},
		{name: "quoted", conf: "logfile_size_limit: \"10MB\"\n", errs: []string{`:1:0: expected an integer, got string 10MB`}},
		{name: "float", conf: "logfile_size_limit: 1.5\n", errs: []string{`:1:0: expected an integer, got float64 1.5`}},
	},
	"log_size_limit": {{name: "alias", conf: "log_size_limit: 1KB\n", want: func(o *Options) { o.LogSizeLimit = 1024 }}},
	"logfile_max_num": {
		{name: "count", conf: "logfile_max_num: 5\n", want: func(o *Options) { o.LogMaxFiles = 5 }},
		{name: "negative keeps all", conf: "logfile_max_num: -1\n", want: func(o *Options) { o.LogMaxFiles = -1 }},
		{name: "string", conf: "logfile_max_num: \"5\"\n", errs: []string{`:1:0: expected an integer, got string 5`}},
	},
	"log_max_num": {{name: "alias", conf: "log_max_num: 3\n", want: func(o *Options) { o.LogMaxFiles = 3 }}},
	"syslog": {
		{name: "on", conf: "syslog: true\n", want: func(o *Options) { o.Syslog = true }},
		{name: "string", conf: "syslog: \"yes\"\n", errs: []string{`:1:0: expected a boolean, got string yes`}},
	},
	"remote_syslog": {
		{name: "udp", conf: "remote_syslog: \"udp://127.0.0.1:514\"\n", want: func(o *Options) { o.RemoteSyslog = "udp://127.0.0.1:514" }},
		// The URL is checked when the logger opens: nats-server -t takes any string.
		{name: "any string", conf: "remote_syslog: \"ftp://x\"\n", want: func(o *Options) { o.RemoteSyslog = "ftp://x" }},
		{name: "integer", conf: "remote_syslog: 5\n", errs: []string{`:1:0: expected a string, got int64 5`}},
	},
	"pid_file": {
		{name: "path", conf: "pid_file: \"/run/n.pid\"\n", want: func(o *Options) { o.PidFile = "/run/n.pid" }},
		{name: "integer", conf: "pid_file: 5\n", errs: []string{`:1:0: expected a string, got int64 5`}},
	},
	"pidfile":        {{name: "alias", conf: "pidfile: n.pid\n", want: func(o *Options) { o.PidFile = "n.pid" }}},
	"ports_file_dir": {{name: "dir", conf: "ports_file_dir: /tmp\n", want: func(o *Options) { o.PortsFileDir = "/tmp" }}},
	"lame_duck_duration": {
		{name: "duration", conf: "lame_duck_duration: \"45s\"\n", want: func(o *Options) { o.LameDuckDuration = 45 * time.Second }},
		{name: "minimum", conf: "lame_duck_duration: 10s\n",
			errs: []string{`:1:0: invalid lame_duck_duration of 10s, minimum is 30 seconds`}},
		{name: "integer", conf: "lame_duck_duration: 30\n",
			errs: []string{`:1:0: error parsing lame_duck_duration: expected a duration string, got int64 30`}},
		{name: "bad", conf: "lame_duck_duration: \"1x\"\n",
			errs: []string{`:1:0: error parsing lame_duck_duration: time: unknown unit "x" in duration "1x"`}},
	},
	"lame_duck_grace_period": {
		{name: "duration", conf: "lame_duck_grace_period: \"5s\"\n", want: func(o *Options) { o.LameDuckGracePeriod = 5 * time.Second }},
		{name: "zero", conf: "lame_duck_grace_period: \"0s\"\n", want: func(o *Options) { o.LameDuckGracePeriod = 0 }},
		{name: "negative", conf: "lame_duck_grace_period: \"-1s\"\n",
			errs: []string{`:1:0: invalid lame_duck_grace_period, needs to be positive`}},
		{name: "integer", conf: "lame_duck_grace_period: 5\n",
			errs: []string{`:1:0: error parsing lame_duck_grace_period: expected a duration string, got int64 5`}},
		// The grace period must be below the duration: New checks that, as
		// nats-server's NewServer does, so -t accepts it.
		{name: "not below duration", conf: "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1m\"\n",
			want: func(o *Options) { o.LameDuckDuration, o.LameDuckGracePeriod = 30*time.Second, time.Minute }},
	},
	"no_header_support": {{name: "on", conf: "no_header_support: true\n", want: func(o *Options) { o.NoHeaderSupport = true }}},
	"allow_non_tls": {
		{name: "on", conf: "allow_non_tls: true\n", want: func(o *Options) { o.AllowNonTLS = true }},
		{name: "kept by a later tls block", conf: "allow_non_tls: true\ntls { verify: true }\n",
			want: func(o *Options) { o.TLSOptions = TLSOptions{TLS: true, TLSVerify: true, AllowNonTLS: true} }},
		{name: "not a bool", conf: "allow_non_tls: \"yes\"\n", errs: []string{`:1:0: expected a boolean, got string yes`}},
	},
	"no_fast_producer_stall": {
		{name: "on", conf: "no_fast_producer_stall: true\n", want: func(o *Options) { o.NoFastProducerStall = true }},
		{name: "not a bool", conf: "no_fast_producer_stall: 5\n", errs: []string{`:1:0: expected a boolean, got int64 5`}},
	},
}

// generalCases are about the file rather than one key.
var generalCases = []configCase{
	{name: "keys ignore case", conf: "MAX_Payload: 1MB\nDebug: true\nLISTEN: \":4333\"\n",
		want: func(o *Options) { o.MaxPayload, o.Debug, o.Host, o.Port = 1<<20, true, "", 4333 }},
	{name: "separators and comments", conf: "port = 4333; debug true, # c\n// c\ntrace: false\n",
		want: func(o *Options) { o.Port, o.Debug = 4333, true }},
	{name: "json", conf: "{\n  \"port\": 4333,\n  \"debug\": true\n}\n", want: func(o *Options) { o.Port, o.Debug = 4333, true }},
	{name: "last duplicate wins", conf: "port: 1\nport: 2\n", want: func(o *Options) { o.Port = 2 }},
	{name: "unknown", conf: "port: 1\nbogus: 1\n", errs: []string{`:2:1: unknown field "bogus"`}},
	{name: "unknown keeps its case", conf: "Bogus_Key: 1\n", errs: []string{`:1:0: unknown field "Bogus_Key"`}},
	{name: "not a top-level key in nats-server", conf: "user: a\n", errs: []string{`:1:0: unknown field "user"`}},
	{name: "short first ping is no config key", conf: "disable_short_first_ping: true\n",
		errs: []string{`:1:0: unknown field "disable_short_first_ping"`}},
	{name: "unsupported cluster", conf: "cluster {}\n", errs: []string{`:1:0: field "cluster" is not supported yet`}},
	{name: "unsupported cluster", conf: "cluster { port: 6222 }\n", errs: []string{`:1:0: field "cluster" is not supported yet`}},
	{name: "unsupported keeps case", conf: "JetStream: enabled\n", errs: []string{`:1:0: field "JetStream" is not supported yet`}},
	{name: "variable key skipped", conf: "p: 4333\nport: $p\n", want: func(o *Options) { o.Port = 4333 }},
	{name: "unused variable is unknown", conf: "p: 4333\nport: 1\n", errs: []string{`:1:0: unknown field "p"`}},
	{name: "option used as variable still applies", conf: "max_payload: 1MB\nmax_pending: $max_payload\n",
		want: func(o *Options) { o.MaxPayload, o.MaxPending = 1<<20, 1<<20 }},
	{name: "unsupported used as variable still refused", conf: "prof_port: 8222\nport: $prof_port\n",
		errs: []string{`:1:0: field "prof_port" is not supported yet`}},
	{name: "redefined variable is unknown again", conf: "x: 1\nport: $x\nx: 2\n", errs: []string{`:3:1: unknown field "x"`}},
	{name: "errors gathered in file order", conf: "bogus: 1\nport: \"x\"\nping_interval: 5\ncluster {}\n",
		errs:  []string{`:1:0: unknown field "bogus"`, `:2:1: expected an integer, got string x`, `:4:1: field "cluster" is not supported yet`},
		warns: []string{`:3:1: invalid use of field "ping_interval": ping_interval should be converted to a duration`}},
	{name: "empty", conf: "", want: func(o *Options) {}, warns: []string{`: config has no values or is empty`}},
	{name: "only comments", conf: "# nothing\n", want: func(o *Options) {}, warns: []string{`: config has no values or is empty`}},
	{name: "include", conf: "include ./inc.conf\nmax_payload: $V\n",
		files: map[string]string{"inc.conf": "V: 3MB\nport: 4555\n"},
		want:  func(o *Options) { o.MaxPayload, o.Port = 3<<20, 4555 }},
	{name: "error in include at its place", conf: "port: 1\ninclude \"inc.conf\"\n",
		files: map[string]string{"inc.conf": "\nbogus: 1\n"},
		errs:  []string{`@inc.conf:2:1: unknown field "bogus"`}},
}

func writeConfig(t *testing.T, c configCase) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range c.files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "n.conf")
	if err := os.WriteFile(path, []byte(c.conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// expand puts the file's path before each expected message.
func expand(path string, msgs []string) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		if inc, ok := strings.CutPrefix(m, "@"); ok {
			out[i] = filepath.Join(filepath.Dir(path), inc)
			continue
		}
		out[i] = path + m
	}
	return out
}

func errStrings(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func runConfigCase(t *testing.T, c configCase) {
	t.Helper()
	path := writeConfig(t, c)
	o := NewOptions()
	digest, err := o.ProcessConfigFile(path)
	if !strings.HasPrefix(digest, "sha256:") {
		t.Errorf("digest %q", digest)
	}
	var gotErrs, gotWarns []string
	if err != nil {
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("error %T %v, want *ConfigError", err, err)
		}
		gotErrs, gotWarns = errStrings(ce.Errors), errStrings(ce.Warnings)
	}
	if want := expand(path, c.errs); !slices.Equal(gotErrs, want) && len(gotErrs)+len(want) > 0 {
		t.Errorf("errors:\n got %q\nwant %q", gotErrs, want)
	}
	if want := expand(path, c.warns); !slices.Equal(gotWarns, want) && len(gotWarns)+len(want) > 0 {
		t.Errorf("warnings:\n got %q\nwant %q", gotWarns, want)
	}
	if c.want == nil {
		return
	}
	want := NewOptions()
	c.want(want)
	want.ConfigFile = path
	if !reflect.DeepEqual(o, want) {
		t.Errorf("options differ:\n%s", optionsDiff(want, o))
	}
}

// optionsDiff names the exported fields that differ.
func optionsDiff(want, got *Options) string {
	wv, gv := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	var b strings.Builder
	for i := range wv.NumField() {
		f := wv.Type().Field(i)
		if f.IsExported() && !reflect.DeepEqual(wv.Field(i).Interface(), gv.Field(i).Interface()) {
			b.WriteString("  " + f.Name + ": got " + fmtValue(gv.Field(i)) + ", want " + fmtValue(wv.Field(i)) + "\n")
		}
	}
	return b.String()
}

func fmtValue(v reflect.Value) string {
	if v.Kind() == reflect.String {
		return strconv.Quote(v.String())
	}
	return fmt.Sprint(v.Interface())
}

func TestProcessConfigFileKeys(t *testing.T) {
	for key, cases := range configCases {
		for _, c := range cases {
			t.Run(key+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				runConfigCase(t, c)
			})
		}
	}
}

func TestProcessConfigFileGeneral(t *testing.T) {
	for _, c := range generalCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runConfigCase(t, c)
		})
	}
}

// Every key the broker accepts has cases, and no key is both supported and
// refused.
func TestConfigKeysCovered(t *testing.T) {
	for key := range configKeys {
		if len(configCases[key]) == 0 {
			t.Errorf("config key %q has no case in configCases", key)
		}
		if unsupportedKeys[key] {
			t.Errorf("config key %q is both supported and unsupported", key)
		}
		if key != strings.ToLower(key) {
			t.Errorf("config key %q is not lower case", key)
		}
	}
	for key := range configCases {
		if configKeys[key] == nil {
			t.Errorf("configCases has %q, which is no config key", key)
		}
	}
}

func TestConfigErrorText(t *testing.T) {
	path := writeConfig(t, configCase{conf: "bogus: 1\nping_interval: 5\n"})
	_, err := NewOptions().ProcessConfigFile(path)
	want := path + `:2:1: invalid use of field "ping_interval": ping_interval should be converted to a duration` + "\n" +
		path + `:1:0: unknown field "bogus"`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant warnings first, as nats-server:\n%s", err, want)
	}
	if IsWarningsOnly(err) {
		t.Fatal("IsWarningsOnly with an error")
	}
	path = writeConfig(t, configCase{conf: "ping_interval: 5\n"})
	if _, err := NewOptions().ProcessConfigFile(path); !IsWarningsOnly(err) {
		t.Fatalf("IsWarningsOnly(%v) = false", err)
	}
}

func TestProcessConfigFileSyntaxAndReadErrors(t *testing.T) {
	path := writeConfig(t, configCase{conf: "port: 1\nmax_payload: [1\n"})
	_, err := NewOptions().ProcessConfigFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":") {
		t.Fatalf("syntax error %v, want one positioned in %s", err, path)
	}
	_, err = NewOptions().ProcessConfigFile(filepath.Join(t.TempDir(), "missing.conf"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v, want os.ErrNotExist", err)
	}
}

// The digest is nats-server's: sha256 of the parsed tree's JSON, so a
// comment or a different spelling of the same values keeps it.
func TestConfigDigest(t *testing.T) {
	digest := func(conf string) string {
		d, _ := NewOptions().ProcessConfigFile(writeConfig(t, configCase{conf: conf}))
		return d
	}
	// Checked against nats-server 2.15.2 -t.
	if got, want := digest("port: 4222\n"), "sha256:797533ebd0dfba7d34a0f9337ecf147e442871f48ddfd07ed751575a5737267e"; got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
	if a, b := digest("port: 4222\n"), digest("# c\nport = 4222;\n"); a != b {
		t.Errorf("same values, different digests: %s %s", a, b)
	}
	if a, b := digest("port: 4222\n"), digest("port: 4223\n"); a == b {
		t.Error("different values, same digest")
	}
}

// Flags given with -c override the file, when parsed and again on reload.
func TestFlagsOverrideFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.conf")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("listen: 0.0.0.0:4333\nserver_name: file\ndebug: true\nmax_payload: 1MB\nlogtime: true\n")
	o, err := ParseArgs([]string{"-c", path, "-a", "127.0.0.1", "-p", "-1", "-n", "flag", "-D=false", "-T=false"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Host != "127.0.0.1" || o.Port != RandomPort || o.ServerName != "flag" || o.Debug || o.Logtime {
		t.Fatalf("flags did not override the file: host %q port %d name %q debug %v logtime %v",
			o.Host, o.Port, o.ServerName, o.Debug, o.Logtime)
	}
	if o.MaxPayload != 1<<20 || o.ConfigFile != path || !strings.HasPrefix(o.ConfigDigest(), "sha256:") {
		t.Fatalf("file values lost: max_payload %d, config %q, digest %q", o.MaxPayload, o.ConfigFile, o.ConfigDigest())
	}
	o.NoLog = true
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()

	// The file changes what the flags set, and max_payload.
	write("listen: 0.0.0.0:4444\nserver_name: other\ndebug: true\nmax_payload: 2MB\nlogtime: true\n")
	if err := s.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	got := s.Options()
	if got.Host != "127.0.0.1" || got.Port != RandomPort || got.ServerName != "flag" || got.Debug || got.Logtime {
		t.Fatalf("flags lost on reload: host %q port %d name %q debug %v logtime %v",
			got.Host, got.Port, got.ServerName, got.Debug, got.Logtime)
	}
	if got.MaxPayload != 2<<20 {
		t.Fatalf("max_payload %d after reload, want %d", got.MaxPayload, 2<<20)
	}
	r, _ := s.LastReload()
	if !slices.Equal(r.Changed, []string{"max_payload"}) {
		t.Fatalf("changed %q, want only max_payload", r.Changed)
	}

	// ReloadOptions applies the flags too, as nats-server's does.
	next := got.Clone()
	next.Debug, next.MaxPayload = true, 4096
	if err := s.ReloadOptions(next); err != nil {
		t.Fatalf("ReloadOptions: %v", err)
	}
	if got := s.Options(); got.Debug || got.MaxPayload != 4096 {
		t.Fatalf("after ReloadOptions: debug %v (flag says false), max_payload %d", got.Debug, got.MaxPayload)
	}
}

// FuzzProcessConfigFile feeds arbitrary files to ProcessConfigFile: it never
// panics, is deterministic, reports only positioned *ConfigError entries or
// a syntax error, and returns a digest whenever the file parses. Inputs
// with include are skipped: they could read any file on the machine.
func FuzzProcessConfigFile(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "configs", "*", "*.conf"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, cases := range configCases {
		for _, c := range cases {
			f.Add(c.conf)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data string) {
		if strings.Contains(strings.ToLower(data), "include") {
			t.Skip()
		}
		path := filepath.Join(dir, "fuzz.conf")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		o1, o2 := NewOptions(), NewOptions()
		d1, err1 := o1.ProcessConfigFile(path)
		d2, err2 := o2.ProcessConfigFile(path)
		if d1 != d2 || fmt.Sprint(err1) != fmt.Sprint(err2) || !reflect.DeepEqual(o1, o2) {
			t.Fatalf("not deterministic: %q %v / %q %v", d1, err1, d2, err2)
		}
		var ce *ConfigError
		switch {
		case err1 == nil:
		case errors.As(err1, &ce):
			for _, e := range append(append([]error(nil), ce.Errors...), ce.Warnings...) {
				if !strings.HasPrefix(e.Error(), path+":") {
					t.Fatalf("unpositioned config error %q", e)
				}
			}
		default:
			// Placed, even where nats-server's wording leaves the place out.
			var pe *conf.Error
			if !errors.As(err1, &pe) || pe.Pos.File != path || pe.Pos.Line < 1 {
				t.Fatalf("syntax error without a place %q", err1)
			}
			return
		}
		if !strings.HasPrefix(d1, "sha256:") {
			t.Fatalf("digest %q for a file that parsed", d1)
		}
	})
}
