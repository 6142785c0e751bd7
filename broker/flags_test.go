package broker

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	def := NewOptions()
	with := func(f func(o *Options)) *Options {
		o := NewOptions()
		f(o)
		return o
	}
	tests := []struct {
		name    string
		args    []string
		want    *Options
		fields  []string // IsSet fields expected
		wantErr string   // substring; empty means success
		is      error    // errors.Is target
	}{
		{name: "no args", args: nil, want: def, fields: []string{}},
		{name: "port short", args: []string{"-p", "4333"}, want: with(func(o *Options) { o.Port = 4333 }), fields: []string{"Port"}},
		{name: "port long double dash", args: []string{"--port=4333"}, want: with(func(o *Options) { o.Port = 4333 }), fields: []string{"Port"}},
		{name: "port long single dash", args: []string{"-port", "4333"}, want: with(func(o *Options) { o.Port = 4333 })},
		{name: "short with double dash", args: []string{"--p=1"}, want: with(func(o *Options) { o.Port = 1 })},
		{name: "random port", args: []string{"-p", "-1"}, want: with(func(o *Options) { o.Port = RandomPort })},
		{name: "port zero kept", args: []string{"-p=0"}, want: with(func(o *Options) { o.Port = 0 })},
		{name: "port hex like Go flag", args: []string{"-p", "0x10"}, want: with(func(o *Options) { o.Port = 16 })},
		{name: "last wins", args: []string{"-p", "1", "--port", "2"}, want: with(func(o *Options) { o.Port = 2 })},
		{name: "addr aliases", args: []string{"-a", "1.2.3.4", "--net", "127.0.0.1"}, want: with(func(o *Options) { o.Host = "127.0.0.1" }), fields: []string{"Host"}},
		{name: "addr long", args: []string{"--addr=::1"}, want: with(func(o *Options) { o.Host = "::1" })},
		{name: "empty value", args: []string{"-a="}, want: with(func(o *Options) { o.Host = "" })},
		{name: "value starting with dash", args: []string{"-l", "-D"}, want: with(func(o *Options) { o.LogFile = "-D" })},
		{name: "value with equals", args: []string{"-n=a=b"}, want: with(func(o *Options) { o.ServerName = "a=b" })},
		{name: "name", args: []string{"-n", "x"}, want: with(func(o *Options) { o.ServerName = "x" }), fields: []string{"ServerName"}},
		{name: "server_name", args: []string{"--server_name", "y"}, want: with(func(o *Options) { o.ServerName = "y" })},
		{name: "name long", args: []string{"--name", "z"}, want: with(func(o *Options) { o.ServerName = "z" })},
		{name: "log and pid", args: []string{"-l", "n.log", "--pid", "n.pid"},
			want: with(func(o *Options) { o.LogFile, o.PidFile = "n.log", "n.pid" }), fields: []string{"LogFile", "PidFile"}},
		{name: "log long pid short", args: []string{"--log=a", "-P=b"}, want: with(func(o *Options) { o.LogFile, o.PidFile = "a", "b" })},
		{name: "logtime off", args: []string{"-T=false"}, want: with(func(o *Options) { o.Logtime = false }), fields: []string{"Logtime"}},
		{name: "logtime on explicit", args: []string{"--logtime"}, want: def, fields: []string{"Logtime"}},
		{name: "logtime 0", args: []string{"-logtime=0"}, want: with(func(o *Options) { o.Logtime = false })},
		{name: "debug", args: []string{"-D"}, want: with(func(o *Options) { o.Debug = true }), fields: []string{"Debug"}},
		{name: "debug long true", args: []string{"--debug=true"}, want: with(func(o *Options) { o.Debug = true })},
		{name: "debug then off", args: []string{"-D", "-D=false"}, want: def, fields: []string{"Debug"}},
		{name: "trace", args: []string{"-V"}, want: with(func(o *Options) { o.Trace = true }), fields: []string{"Trace"}},
		{name: "trace long", args: []string{"--trace"}, want: with(func(o *Options) { o.Trace = true })},
		{name: "DV", args: []string{"-DV"}, want: with(func(o *Options) { o.Debug, o.Trace = true, true }), fields: []string{"Debug", "Trace"}},
		{name: "DV false is a no-op", args: []string{"-D", "-DV=false"}, want: with(func(o *Options) { o.Debug = true }), fields: []string{"Debug"}},
		{name: "double dash ends flags", args: []string{"-p", "1", "--"}, want: with(func(o *Options) { o.Port = 1 })},
		{name: "all together", args: []string{"-a", "127.0.0.1", "-p", "-1", "-n", "n1", "-l", "l", "-P", "p", "-T=false", "-DV"},
			want: with(func(o *Options) {
				o.Host, o.Port, o.ServerName, o.LogFile, o.PidFile = "127.0.0.1", -1, "n1", "l", "p"
				o.Logtime, o.Debug, o.Trace = false, true, true
			}), fields: []string{"Debug", "Host", "LogFile", "Logtime", "PidFile", "Port", "ServerName", "Trace"}},

		{name: "syslog", args: []string{"-s"}, want: with(func(o *Options) { o.Syslog = true }), fields: []string{"Syslog"}},
		{name: "syslog long off", args: []string{"-s", "--syslog=false"}, want: def, fields: []string{"Syslog"}},
		{name: "remote syslog", args: []string{"-r", "udp://127.0.0.1:514"},
			want: with(func(o *Options) { o.RemoteSyslog = "udp://127.0.0.1:514" }), fields: []string{"RemoteSyslog"}},
		{name: "remote syslog long", args: []string{"--remote_syslog=unix:///dev/log"},
			want: with(func(o *Options) { o.RemoteSyslog = "unix:///dev/log" })},
		{name: "log size limit", args: []string{"--log_size_limit", "2000"},
			want: with(func(o *Options) { o.LogSizeLimit = 2000 }), fields: []string{"LogSizeLimit"}},
		{name: "log size limit hex like Go flag", args: []string{"-log_size_limit=0x10"}, want: with(func(o *Options) { o.LogSizeLimit = 16 })},
		{name: "log size limit no unit", args: []string{"--log_size_limit", "10MB"}, wantErr: `invalid value "10MB" for flag --log_size_limit: invalid syntax`},
		{name: "log size limit overflow", args: []string{"--log_size_limit", "99999999999999999999"}, wantErr: "value out of range"},

		{name: "help short", args: []string{"-h"}, is: ErrHelp},
		{name: "help long", args: []string{"--help"}, is: ErrHelp},
		{name: "help after flags", args: []string{"-p", "1", "-help"}, is: ErrHelp},
		{name: "help false", args: []string{"-h=false"}, want: def},
		{name: "help positional", args: []string{"help"}, is: ErrHelp},
		{name: "help positional upper", args: []string{"-D", "HELP"}, is: ErrHelp},
		{name: "version short", args: []string{"-v"}, is: ErrVersion},
		{name: "version long", args: []string{"--version"}, is: ErrVersion},
		{name: "version positional", args: []string{"version"}, is: ErrVersion},
		{name: "version beats help", args: []string{"-h", "-v"}, is: ErrVersion},
		{name: "flag error beats help", args: []string{"-h", "-x"}, wantErr: "unknown flag: -x"},

		{name: "unknown", args: []string{"-x"}, wantErr: "unknown flag: -x"},
		{name: "unknown long", args: []string{"--bogus=1"}, wantErr: "unknown flag: --bogus"},
		{name: "case matters", args: []string{"-d"}, wantErr: "unknown flag: -d"},
		{name: "monitoring", args: []string{"-m", "8222"}, want: with(func(o *Options) { o.HTTPPort = 8222 }), fields: []string{"HTTPPort"}},
		{name: "https monitoring", args: []string{"--https_port=8223"}, want: with(func(o *Options) { o.HTTPSPort = 8223 }), fields: []string{"HTTPSPort"}},
		{name: "refused signal", args: []string{"--signal", "reload"}, wantErr: "flag -sl (--signal) is not supported yet"},
		{name: "refused routes", args: []string{"--routes", "x"}, wantErr: "flag --routes is not supported yet"},
		{name: "refused cluster", args: []string{"--cluster_listen", "x"}, wantErr: "flag --cluster (--cluster_listen) is not supported yet"},
		{name: "refused jetstream", args: []string{"-js"}, wantErr: "flag -js (--jetstream) is not supported yet"},
		{name: "refused no_advertise", args: []string{"--no_advertise=false"}, wantErr: "flag --no_advertise is not supported yet"},
		{name: "refused help_tls", args: []string{"--help_tls"}, wantErr: "flag --help_tls is not supported yet"},
		{name: "refused after valid", args: []string{"-p", "1", "--routes", "x"}, wantErr: "flag --routes is not supported yet"},
		{name: "refused as value is a value", args: []string{"-l", "-c"}, want: with(func(o *Options) { o.LogFile = "-c" })},

		{name: "missing value", args: []string{"-p"}, wantErr: "flag needs an argument: -p"},
		{name: "missing value long", args: []string{"--log"}, wantErr: "flag needs an argument: --log"},
		{name: "bad int", args: []string{"-p", "abc"}, wantErr: `invalid value "abc" for flag -p: invalid syntax`},
		{name: "bad int long", args: []string{"--port=4x"}, wantErr: `invalid value "4x" for flag --port:`},
		{name: "empty int", args: []string{"-p="}, wantErr: `invalid value "" for flag -p`},
		{name: "port too big", args: []string{"-p", "65536"}, wantErr: `invalid value "65536" for flag -p: port must be`},
		{name: "port too small", args: []string{"-p", "-2"}, wantErr: `invalid value "-2" for flag -p: port must be`},
		{name: "port overflow", args: []string{"-p", "99999999999999999999"}, wantErr: "value out of range"},
		{name: "bad bool", args: []string{"-D=yes"}, wantErr: `invalid boolean value "yes" for flag -D`},
		{name: "empty bool", args: []string{"--trace="}, wantErr: `invalid boolean value "" for flag --trace`},
		{name: "bad syntax triple dash", args: []string{"---p", "1"}, wantErr: "bad flag syntax: ---p"},
		{name: "bad syntax equals", args: []string{"-=1"}, wantErr: "bad flag syntax: -=1"},
		{name: "positional", args: []string{"foo"}, wantErr: `unrecognized command: "foo"`},
		{name: "positional after flags", args: []string{"-p", "1", "foo"}, wantErr: `unrecognized command: "foo"`},
		{name: "bool takes no separate value", args: []string{"-D", "true"}, wantErr: `unrecognized command: "true"`},
		{name: "after double dash", args: []string{"--", "-p", "1"}, wantErr: `unrecognized command: "-p"`},
		{name: "lone dash", args: []string{"-"}, wantErr: `unrecognized command: "-"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseArgs(tt.args)
			switch {
			case tt.is != nil:
				if !errors.Is(err, tt.is) {
					t.Fatalf("err = %v, want %v", err, tt.is)
				}
				return
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatalf("options returned with an error")
				}
				return
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			}
			got.cmdline = nil // compared through fields below
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("options:\n got %+v\nwant %+v", got, tt.want)
			}
			if tt.fields != nil {
				cl, err := ParseCommandLine(tt.args)
				if err != nil {
					t.Fatal(err)
				}
				if f := cl.Fields(); !reflect.DeepEqual(f, tt.fields) {
					t.Fatalf("fields = %q, want %q", f, tt.fields)
				}
			}
		})
	}
}

// Flags given on the command line override values set by another source
// (a config file, later) when applied after it.
func TestCommandLineOverrides(t *testing.T) {
	cl, err := ParseCommandLine([]string{"-p", "5000", "-T=false"})
	if err != nil {
		t.Fatal(err)
	}
	o := NewOptions()
	o.Port, o.Host, o.Logtime = 6000, "10.0.0.1", true // as if from a file
	cl.Apply(o)
	if o.Port != 5000 || o.Logtime || o.Host != "10.0.0.1" {
		t.Fatalf("got port %d logtime %v host %q", o.Port, o.Logtime, o.Host)
	}
	if !cl.IsSet("Port") || !cl.IsSet("Logtime") || cl.IsSet("Host") {
		t.Fatalf("IsSet wrong: %q", cl.Fields())
	}
}

func TestFlagTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range flagTable {
		for _, n := range d.names {
			bare := strings.TrimLeft(n, "-")
			if seen[bare] {
				t.Errorf("flag %s listed twice", n)
			}
			seen[bare] = true
		}
		if d.kind == kindRefused {
			if d.parse != nil || d.usage != "" {
				t.Errorf("refused flag %s has a parser or usage", d.display())
			}
			continue
		}
		if d.usage == "" {
			t.Errorf("flag %s has no usage", d.display())
		}
		if (d.kind == kindString || d.kind == kindInt) != (d.arg != "") {
			t.Errorf("flag %s: arg %q does not match its kind", d.display(), d.arg)
		}
		if (d.kind == kindHelp || d.kind == kindVersion) != (d.parse == nil) {
			t.Errorf("flag %s: parse func does not match its kind", d.display())
		}
	}
	usage := FlagUsage()
	for _, want := range []string{"-p, --port <port>", "-DV", "-T, --logtime", "-n, --name, --server_name <name>"} {
		if !strings.Contains(usage, want) {
			t.Errorf("FlagUsage lacks %q:\n%s", want, usage)
		}
	}
	if strings.Contains(usage, "--routes") {
		t.Errorf("FlagUsage lists a refused flag:\n%s", usage)
	}
	if r := RefusedFlags(); len(r) == 0 || r[0] == "" {
		t.Errorf("RefusedFlags = %q", r)
	}
}

func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"-p 4222", "--port=-1 -a 127.0.0.1", "-DV -T=false", "-l", "---x", "-=", "--", "- -",
		"help", "-h -v", "-c x", "-p 0x10", "-D=maybe", "-n a=b -P p", "-VV", "-p\x00-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Fields(s)
		o, err := ParseArgs(args)
		if (o == nil) == (err == nil) {
			t.Fatalf("ParseArgs(%q) = %v, %v: want exactly one of options and error", args, o, err)
		}
		if err != nil {
			return
		}
		if o.Port < RandomPort || o.Port > 65535 {
			t.Fatalf("ParseArgs(%q) accepted port %d", args, o.Port)
		}
		again, err := ParseArgs(args)
		if err == nil {
			o.cmdline, again.cmdline = nil, nil
		}
		if err != nil || !reflect.DeepEqual(o, again) {
			t.Fatalf("ParseArgs(%q) is not deterministic", args)
		}
	})
}
