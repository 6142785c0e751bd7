package broker

import (
	"errors"
	"strconv"
	"strings"
)

// flagKind says how a flag is handled.
type flagKind int

const (
	kindString  flagKind = iota // takes a value
	kindInt                     // takes an integer value
	kindBool                    // -x, -x=true, -x=false
	kindHelp                    // boolean; asks for ErrHelp
	kindVersion                 // boolean; asks for ErrVersion
	kindRefused                 // known to nats-server, not supported yet
)

// flagDef is one nats-server flag with all its spellings.
type flagDef struct {
	// names spell the flag as nats-server's usage does, short form first:
	// "-p", "--port". Lookup ignores the dashes (-port works too).
	names []string
	kind  flagKind
	// arg names the value in usage lines; empty for booleans.
	arg string
	// usage is a one-line description; empty for refused flags.
	usage string
	// fields are the Options fields a true/any value sets, for IsSet.
	fields []string
	// parse checks a value and returns the assignment it makes; a nil
	// assignment (such as -DV=false) sets nothing.
	parse func(v string) (func(*Options), error)
}

func (d *flagDef) isBool() bool {
	return d.kind == kindBool || d.kind == kindHelp || d.kind == kindVersion
}

// display names the flag in messages: "-c (--config)".
func (d *flagDef) display() string {
	if len(d.names) == 1 {
		return d.names[0]
	}
	return d.names[0] + " (" + strings.Join(d.names[1:], ", ") + ")"
}

// flagTable lists every flag nats-server v2.15.2 defines. Supported flags
// carry a parse func; the rest are refused by name so a user learns the flag
// exists but is not implemented, rather than that it is unknown.
var flagTable = []flagDef{
	{names: []string{"-a", "--addr", "--net"}, kind: kindString, arg: "host", usage: "Bind to host address (default: 0.0.0.0)",
		fields: []string{"Host"}, parse: stringFlag(func(o *Options, v string) { o.Host = v })},
	{names: []string{"-p", "--port"}, kind: kindInt, arg: "port", usage: "Use port for clients (default: 4222, -1: random)",
		fields: []string{"Port"}, parse: portFlag},
	{names: []string{"-n", "--name", "--server_name"}, kind: kindString, arg: "name", usage: "Server name (default: auto)",
		fields: []string{"ServerName"}, parse: stringFlag(func(o *Options, v string) { o.ServerName = v })},
	{names: []string{"-P", "--pid"}, kind: kindString, arg: "file", usage: "File to store PID",
		fields: []string{"PidFile"}, parse: stringFlag(func(o *Options, v string) { o.PidFile = v })},
	{names: []string{"-l", "--log"}, kind: kindString, arg: "file", usage: "File to redirect log output",
		fields: []string{"LogFile"}, parse: stringFlag(func(o *Options, v string) { o.LogFile = v })},
	{names: []string{"-T", "--logtime"}, kind: kindBool, usage: "Timestamp log entries (default: true)",
		fields: []string{"Logtime"}, parse: boolFlag(func(o *Options, b bool) { o.Logtime = b })},
	{names: []string{"-D", "--debug"}, kind: kindBool, usage: "Enable debugging output",
		fields: []string{"Debug"}, parse: boolFlag(func(o *Options, b bool) { o.Debug = b })},
	{names: []string{"-V", "--trace"}, kind: kindBool, usage: "Trace the raw protocol",
		fields: []string{"Trace"}, parse: boolFlag(func(o *Options, b bool) { o.Trace = b })},
	// -DV only ever turns both on: nats-server ignores -DV=false, so -D -DV=false keeps debug.
	{names: []string{"-DV"}, kind: kindBool, usage: "Debug and trace",
		fields: []string{"Debug", "Trace"}, parse: onlyTrue(func(o *Options) { o.Debug, o.Trace = true, true })},
	{names: []string{"-c", "--config"}, kind: kindString, arg: "file", usage: "Configuration file",
		fields: []string{"ConfigFile"}, parse: stringFlag(func(o *Options, v string) { o.ConfigFile = v })},
	{names: []string{"-t"}, kind: kindBool, usage: "Test configuration and exit",
		fields: []string{"CheckConfig"}, parse: boolFlag(func(o *Options, b bool) { o.CheckConfig = b })},
	{names: []string{"--client_advertise"}, kind: kindString, arg: "string", usage: "Client URL to advertise to other servers",
		fields: []string{"ClientAdvertise"}, parse: stringFlag(func(o *Options, v string) { o.ClientAdvertise = v })},
	{names: []string{"--ports_file_dir"}, kind: kindString, arg: "dir", usage: "Creates a ports file in the specified directory (<executable_name>_<pid>.ports)",
		fields: []string{"PortsFileDir"}, parse: stringFlag(func(o *Options, v string) { o.PortsFileDir = v })},
	{names: []string{"--logtime_utc"}, kind: kindBool, usage: "Timestamps in UTC instead of local timezone",
		fields: []string{"LogtimeUTC"}, parse: boolFlag(func(o *Options, b bool) { o.LogtimeUTC = b })},
	{names: []string{"-VV"}, kind: kindBool, usage: "Verbose trace (traces system account as well)",
		fields: []string{"Trace", "TraceVerbose"}, parse: onlyTrue(func(o *Options) { o.Trace, o.TraceVerbose = true, true })},
	{names: []string{"-DVV"}, kind: kindBool, usage: "Debug and verbose trace",
		fields: []string{"Debug", "Trace", "TraceVerbose"}, parse: onlyTrue(func(o *Options) { o.Debug, o.Trace, o.TraceVerbose = true, true, true })},
	{names: []string{"--max_traced_msg_len"}, kind: kindInt, arg: "len", usage: "Maximum printable length for traced messages (0 for unlimited)",
		fields: []string{"MaxTracedMsgLen"}, parse: intFlag(func(o *Options, n int) { o.MaxTracedMsgLen = n })},
	{names: []string{"-s", "--syslog"}, kind: kindBool, usage: "Log to syslog or windows event log",
		fields: []string{"Syslog"}, parse: boolFlag(func(o *Options, b bool) { o.Syslog = b })},
	{names: []string{"-r", "--remote_syslog"}, kind: kindString, arg: "addr", usage: "Syslog server addr (udp://localhost:514)",
		fields: []string{"RemoteSyslog"}, parse: stringFlag(func(o *Options, v string) { o.RemoteSyslog = v })},
	{names: []string{"--log_size_limit"}, kind: kindInt, arg: "limit", usage: "Logfile size limit in bytes (default: 0, no rotation)",
		fields: []string{"LogSizeLimit"}, parse: int64Flag(func(o *Options, n int64) { o.LogSizeLimit = n })},
	{names: []string{"-m", "--http_port"}, kind: kindInt, arg: "port", usage: "Use port for http monitoring",
		fields: []string{"HTTPPort"}, parse: intFlag(func(o *Options, n int) { o.HTTPPort = n })},
	{names: []string{"-ms", "--https_port"}, kind: kindInt, arg: "port", usage: "Use port for https monitoring",
		fields: []string{"HTTPSPort"}, parse: intFlag(func(o *Options, n int) { o.HTTPSPort = n })},
	{names: []string{"--user"}, kind: kindString, arg: "user", usage: "User required for connections",
		fields: []string{"Username"}, parse: stringFlag(func(o *Options, v string) { o.Username = v })},
	{names: []string{"--pass"}, kind: kindString, arg: "password", usage: "Password required for connections",
		fields: []string{"Password"}, parse: stringFlag(func(o *Options, v string) { o.Password = v })},
	{names: []string{"--auth"}, kind: kindString, arg: "token", usage: "Authorization token required for connections",
		fields: []string{"Authorization"}, parse: stringFlag(func(o *Options, v string) { o.Authorization = v })},
	{names: []string{"--tls"}, kind: kindBool, usage: "Enable TLS, do not verify clients (default: false)",
		fields: []string{"TLS"}, parse: boolFlag(setTLSFlag)},
	{names: []string{"--tlscert"}, kind: kindString, arg: "file", usage: "Server certificate file",
		fields: []string{"TLSCert"}, parse: stringFlag(func(o *Options, v string) { o.TLSCert = v })},
	{names: []string{"--tlskey"}, kind: kindString, arg: "file", usage: "Private key for server certificate",
		fields: []string{"TLSKey"}, parse: stringFlag(func(o *Options, v string) { o.TLSKey = v })},
	{names: []string{"--tlsverify"}, kind: kindBool, usage: "Enable TLS, verify client certificates",
		fields: []string{"TLSVerify"}, parse: boolFlag(func(o *Options, b bool) { o.TLSVerify = b })},
	{names: []string{"--tlscacert"}, kind: kindString, arg: "file", usage: "Client certificate CA for verification",
		fields: []string{"TLSCaCert"}, parse: stringFlag(func(o *Options, v string) { o.TLSCaCert = v })},
	{names: []string{"-h", "--help"}, kind: kindHelp, usage: "Show this message"},
	{names: []string{"-v", "--version"}, kind: kindVersion, usage: "Show version"},

	{names: []string{"-sl", "--signal"}, kind: kindRefused},
	{names: []string{"-js", "--jetstream"}, kind: kindRefused},
	{names: []string{"-sd", "--store_dir"}, kind: kindRefused},
	{names: []string{"--routes"}, kind: kindRefused},
	{names: []string{"--cluster", "--cluster_listen"}, kind: kindRefused},
	{names: []string{"--cluster_name"}, kind: kindRefused},
	{names: []string{"--cluster_advertise"}, kind: kindRefused},
	{names: []string{"--no_advertise"}, kind: kindRefused},
	{names: []string{"--connect_retries"}, kind: kindRefused},
	{names: []string{"--profile"}, kind: kindRefused},
	{names: []string{"--help_tls"}, kind: kindRefused},
}

// flagIndex maps a flag name without dashes to its definition.
var flagIndex = func() map[string]*flagDef {
	m := make(map[string]*flagDef)
	for i := range flagTable {
		for _, n := range flagTable[i].names {
			m[strings.TrimLeft(n, "-")] = &flagTable[i]
		}
	}
	return m
}()

// lookupFlag finds a flag by its name without dashes; nil if unknown.
// Names are case-sensitive, as in nats-server (-p is not -P).
func lookupFlag(name string) *flagDef { return flagIndex[name] }

// FlagUsage lists the supported flags, one per line, for help texts.
func FlagUsage() string {
	var b strings.Builder
	for i := range flagTable {
		d := &flagTable[i]
		if d.kind == kindRefused {
			continue
		}
		spell := strings.Join(d.names, ", ")
		if d.arg != "" {
			spell += " <" + d.arg + ">"
		}
		b.WriteString("  " + padRight(spell, 34) + d.usage + "\n")
	}
	return b.String()
}

// RefusedFlags lists the nats-server flags that are recognised but not
// supported yet, each with its aliases ("-c, --config").
func RefusedFlags() []string {
	var out []string
	for i := range flagTable {
		if flagTable[i].kind == kindRefused {
			out = append(out, strings.Join(flagTable[i].names, ", "))
		}
	}
	return out
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}

func stringFlag(set func(*Options, string)) func(string) (func(*Options), error) {
	return func(v string) (func(*Options), error) {
		return func(o *Options) { set(o, v) }, nil
	}
}

// boolFlag receives "true" or "false", already normalised by the parser.
func boolFlag(set func(*Options, bool)) func(string) (func(*Options), error) {
	return func(v string) (func(*Options), error) {
		b := v == "true"
		return func(o *Options) { set(o, b) }, nil
	}
}

func onlyTrue(set func(*Options)) func(string) (func(*Options), error) {
	return func(v string) (func(*Options), error) {
		if v != "true" {
			return nil, nil
		}
		return set, nil
	}
}

var errPortRange = errors.New("port must be -1 (random), 0 (default) or 1-65535")

// portFlag parses an integer as Go's flag package does (0x, 0o and _ allowed).
func portFlag(v string) (func(*Options), error) {
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) {
			err = ne.Err
		}
		return nil, err
	}
	if n < RandomPort || n > 65535 {
		return nil, errPortRange
	}
	return func(o *Options) { o.Port = int(n) }, nil
}

func intFlag(set func(*Options, int)) func(string) (func(*Options), error) {
	return func(v string) (func(*Options), error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, errors.Unwrap(err)
		}
		return func(o *Options) { set(o, n) }, nil
	}
}

// int64Flag parses an integer as Go's flag.Int64Var does (0x, 0o and _
// allowed), which nats-server uses for --log_size_limit.
func int64Flag(set func(*Options, int64)) func(string) (func(*Options), error) {
	return func(v string) (func(*Options), error) {
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			return nil, errors.Unwrap(err)
		}
		return func(o *Options) { set(o, n) }, nil
	}
}
