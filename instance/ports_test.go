package instance

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPorts(t *testing.T) {
	r := newRegistry(t)
	conf := filepath.Join(t.TempDir(), "n.conf")
	if err := os.WriteFile(conf, []byte("port: 4300\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustPut(t, r, mustNew(t, r, "default")) // 0.0.0.0:4222
	mustPut(t, r, mustNew(t, r, "local", "-a", "127.0.0.1", "-p", "4400"))
	mustPut(t, r, mustNew(t, r, "random", "-p", "-1"))
	mustPut(t, r, mustNew(t, r, "fromconf", "-c", conf))
	tests := []struct {
		name  string
		args  []string
		clash string // the other instance; empty for no clash
	}{
		{"default port", nil, "default"},
		{"explicit 4222", []string{"-p", "4222"}, "default"},
		{"port 0 is the default", []string{"-p", "0"}, "default"},
		{"other address, default port", []string{"-a", "127.0.0.2"}, "default"},
		{"free port", []string{"-p", "4223"}, ""},
		{"random never clashes", []string{"-p", "-1"}, ""},
		{"same address", []string{"-a", "127.0.0.1", "-p", "4400"}, "local"},
		{"wildcard over specific", []string{"-p", "4400"}, "local"},
		{"ipv6 wildcard", []string{"-a", "::", "-p", "4400"}, "local"},
		{"other specific address", []string{"-a", "127.0.0.2", "-p", "4400"}, ""},
		{"host name is not known", []string{"-a", "localhost", "-p", "4400"}, "local"},
		{"port from a config file", []string{"-p", "4300"}, "fromconf"},
		{"flag overrides the config", []string{"-c", conf, "-p", "4301"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.CheckPorts(mustNew(t, r, "new", tt.args...))
			if tt.clash == "" {
				if err != nil {
					t.Fatalf("CheckPorts = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), `is instance "`+tt.clash+`"'s`) {
				t.Fatalf("CheckPorts = %v, want a clash with %s", err, tt.clash)
			}
		})
	}
	// An instance never clashes with its own entry (an update).
	if err := r.CheckPorts(mustNew(t, r, "local", "-a", "127.0.0.1", "-p", "4400")); err != nil {
		t.Fatalf("an update clashed with itself: %v", err)
	}
}

func TestBrokerArgsAndPaths(t *testing.T) {
	r := newRegistry(t)
	cwd := t.TempDir()
	conf := filepath.Join(cwd, "n.conf")
	if err := os.WriteFile(conf, []byte("pid_file: \"/run/n.pid\"\nlame_duck_duration: \"45s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(r.Home(), "east")
	tests := []struct {
		name      string
		args      []string
		brokerPre []string // what BrokerArgs puts before Args
		pid, log  string
	}{
		{"defaults", []string{"-p", "4222"},
			[]string{"-P", filepath.Join(dir, "east.pid"), "-l", filepath.Join(dir, "east.log")},
			filepath.Join(dir, "east.pid"), filepath.Join(dir, "east.log")},
		{"user's files", []string{"-P", "x.pid", "--log=x.log"}, nil,
			filepath.Join(cwd, "x.pid"), filepath.Join(cwd, "x.log")},
		{"pid file from the config", []string{"-c", "n.conf"},
			[]string{"-l", filepath.Join(dir, "east.log")},
			filepath.FromSlash("/run/n.pid"), filepath.Join(dir, "east.log")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, err := r.New("east", cwd, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			got := inst.BrokerArgs()
			if want := append(append([]string(nil), tt.brokerPre...), inst.Args...); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("BrokerArgs = %q, want %q", got, want)
			}
			p := inst.Paths()
			want := Paths{Home: r.Home(), Dir: dir, Entry: filepath.Join(dir, "instance.json"), PidFile: tt.pid, LogFile: tt.log,
				ReloadStatus: tt.pid + ".reload", DataDir: filepath.Join(dir, "data")}
			if strings.Contains(strings.Join(tt.args, " "), "-c") {
				want.ConfigFile = conf
			}
			if p != want {
				t.Fatalf("Paths = %+v\nwant    %+v", p, want)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	r := newRegistry(t)
	cwd := t.TempDir()
	conf := filepath.Join(cwd, "n.conf")
	if err := os.WriteFile(conf, []byte("lame_duck_duration: \"45s\"\nport: 4500\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inst, err := r.New("east", cwd, []string{"-c", "n.conf", "-n", "east-1"})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := inst.Options()
	if err != nil {
		t.Fatal(err)
	}
	if opts.LameDuckDuration.String() != "45s" || opts.Port != 4500 || opts.ServerName != "east-1" || opts.ConfigFile != conf {
		t.Fatalf("Options: %+v", opts)
	}
	if l, err := inst.Listeners(); err != nil || len(l) != 1 || l[0] != (Listener{Kind: "client", Host: "0.0.0.0", Port: 4500}) {
		t.Fatalf("Listeners = %v, %v", l, err)
	}
	// The config file goes away: Options fails, Paths still answers.
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Options(); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Options without its config file: %v", err)
	}
	if p := inst.Paths(); p.ConfigFile != conf || p.PidFile != filepath.Join(inst.Dir(), "east.pid") {
		t.Fatalf("Paths without the config file: %+v", p)
	}
}
