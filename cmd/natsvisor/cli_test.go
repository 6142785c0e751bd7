package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/natsvisor/natsvisor/instance"
)

func TestExecute(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string // substrings
		stderr     []string // substrings
		noStdout   bool
		emptyError bool // stderr must be empty
	}{
		{name: "version", args: []string{"version"}, stdout: []string{"natsvisor ", " (nats-server protocol 2.15.2 compatible)\nbuilt with go"}, emptyError: true},
		{name: "version flag", args: []string{"--version"}, stdout: []string{"(nats-server protocol 2.15.2 compatible)"}, emptyError: true},
		{name: "version takes no args", args: []string{"version", "x"}, code: instance.ExitUsage, stderr: []string{"natsvisor: unknown command"}},
		{name: "root help", args: []string{"--help"}, stdout: []string{"run ", "version ", "completion "}, emptyError: true},
		{name: "run -h", args: []string{"run", "-h"}, stdout: []string{"Usage:\n  natsvisor run [--name <name> [--home <dir>] [--service]] [-- <nats-server flags>...]\n", "Supported nats-server flags:", "-p, --port <port>", "Exit codes:\n  0  "}, emptyError: true},
		{name: "run --help", args: []string{"run", "--help"}, stdout: []string{"Supported nats-server flags:"}, emptyError: true},
		{name: "run -- -h", args: []string{"run", "--", "-h"}, stdout: []string{"Supported nats-server flags:"}, emptyError: true},
		{name: "run help", args: []string{"run", "help"}, stdout: []string{"Supported nats-server flags:"}, emptyError: true},
		{name: "help run", args: []string{"help", "run"}, stdout: []string{"Supported nats-server flags:"}, emptyError: true},
		{name: "run -- -v", args: []string{"run", "--", "--version"}, stdout: []string{"(nats-server protocol 2.15.2 compatible)"}, emptyError: true},
		{name: "refused flag", args: []string{"run", "--", "--routes", "x"}, code: instance.ExitUsage, noStdout: true,
			stderr: []string{"natsvisor: flag --routes is not supported yet\n"}},
		{name: "refused flag without --", args: []string{"run", "--signal", "reload"}, code: instance.ExitUsage, noStdout: true,
			stderr: []string{"natsvisor: flag -sl (--signal) is not supported yet\n"}},
		{name: "unknown flag", args: []string{"run", "--", "-x"}, code: instance.ExitUsage, stderr: []string{"natsvisor: unknown flag: -x\n"}},
		{name: "bad value", args: []string{"run", "-p", "abc"}, code: instance.ExitUsage, stderr: []string{`invalid value "abc" for flag -p`}},
		{name: "unknown command", args: []string{"bogus"}, code: instance.ExitUsage, stderr: []string{`natsvisor: unknown command "bogus" for "natsvisor"`}},
		{name: "start failure", args: []string{"run", "--", "-n", "a b"}, code: instance.ExitStartup, stderr: []string{"natsvisor: server name cannot contain spaces\n"}},
		{name: "completion", args: []string{"completion", "bash"}, stdout: []string{"bash completion"}, emptyError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := execute(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %q\nstderr %q", code, tt.code, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if tt.noStdout && stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if tt.emptyError && stderr.Len() > 0 {
				t.Errorf("stderr %q, want nothing", stderr.String())
			}
		})
	}
}

func TestWrap(t *testing.T) {
	got := wrap([]string{"-a, --aa", "-b", "--cccc"}, 15, "  ")
	want := "  -a, --aa; -b;\n  --cccc"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
