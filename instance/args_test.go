package instance

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestNewRefuses(t *testing.T) {
	home := t.TempDir()
	badConf := filepath.Join(home, "bad.conf")
	if err := os.WriteFile(badConf, []byte("port: \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		is   error
		msg  string
	}{
		{"help", []string{"-h"}, ErrInvalidArgs, "-h asks for help"},
		{"long help", []string{"--help"}, ErrInvalidArgs, "--help asks for help"},
		{"help=false", []string{"-help=false"}, ErrInvalidArgs, "-help asks for help"},
		{"help word", []string{"-p", "1", "help"}, ErrInvalidArgs, "help requested"},
		{"version", []string{"-v"}, ErrInvalidArgs, "-v asks for version"},
		{"version word", []string{"version"}, ErrInvalidArgs, "version requested"},
		{"test config", []string{"-t"}, ErrInvalidArgs, "-t asks for a config test"},
		{"signal", []string{"--signal", "reload"}, ErrInvalidArgs, "--signal asks for signals"},
		{"sl", []string{"-sl=stop"}, ErrInvalidArgs, "-sl asks for signals"},
		{"unknown", []string{"-x"}, ErrInvalidArgs, "unknown flag: -x"},
		{"bad value", []string{"-p", "abc"}, ErrInvalidArgs, `invalid value "abc" for flag -p`},
		{"unsupported", []string{"--routes", "x"}, ErrInvalidArgs, "is not supported yet"},
		{"missing config", []string{"-c", "nope.conf"}, ErrInvalidConfig, "nope.conf"},
		{"bad config", []string{"-c", badConf}, ErrInvalidConfig, "bad.conf"},
		{"bad options", []string{"-n", "a b"}, ErrInvalidConfig, "server name cannot contain spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, err := New(home, "east", home, tt.args)
			if !errors.Is(err, tt.is) {
				t.Fatalf("New(%q) = %v, %v; want an error wrapping %v", tt.args, inst, err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), `instance "east": `) {
				t.Fatalf("error %q lacks %q or the instance prefix", err, tt.msg)
			}
		})
	}
	if _, err := New("relative", "east", home, nil); err == nil {
		t.Fatal("New accepted a relative home")
	}
	if _, err := New(home, "a/b", home, nil); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("New with a bad name: %v", err)
	}
}

// A server name that looks like a flag is a value, never refused or
// rewritten: the walk reads the command line as the broker does.
func TestNewWalksLikeTheBroker(t *testing.T) {
	home := t.TempDir()
	inst, err := New(home, "east", "/work", []string{"-n", "-h", "--name", "-c", "-T", "-l", "x.log"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-n", "-h", "--name", "-c", "-T", "-l", filepath.Join("/work", "x.log")}
	if !slices.Equal(inst.Args, want) {
		t.Fatalf("Args %q, want %q", inst.Args, want)
	}
}

func TestAbsArgs(t *testing.T) {
	cwd := filepath.FromSlash("/srv/nats")
	abs := func(p string) string { return filepath.Join(cwd, filepath.FromSlash(p)) }
	root := filepath.FromSlash("/etc/n.conf")
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", []string{"-p", "4222"}, []string{"-p", "4222"}},
		{"config", []string{"-c", "n.conf"}, []string{"-c", abs("n.conf")}},
		{"config=", []string{"--config=conf/n.conf"}, []string{"--config=" + abs("conf/n.conf")}},
		{"log and pid", []string{"-l", "n.log", "-P", "../n.pid"}, []string{"-l", abs("n.log"), "-P", filepath.Join(filepath.Dir(cwd), "n.pid")}},
		{"long names", []string{"--log", "a", "--pid=b", "-ports_file_dir", "."}, []string{"--log", abs("a"), "--pid=" + abs("b"), "-ports_file_dir", cwd}},
		{"absolute kept", []string{"-c", root}, []string{"-c", root}},
		{"empty kept", []string{"-l", "", "-P="}, []string{"-l", "", "-P="}},
		{"bools skipped", []string{"-D", "-l", "x", "-T=false"}, []string{"-D", "-l", abs("x"), "-T=false"}},
		{"stops at --", []string{"-l", "a", "--", "-l", "b"}, []string{"-l", abs("a"), "--", "-l", "b"}},
		{"value like a flag", []string{"-n", "-l", "-p", "1"}, []string{"-n", "-l", "-p", "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			got := absArgs(in, cwd)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("absArgs(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Fatal("absArgs changed its input")
			}
		})
	}
}
