package main

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestParseRunArgs(t *testing.T) {
	tests := []struct {
		args    []string
		want    runArgs
		checkOK bool
		err     string // from parse or check
	}{
		{args: nil, checkOK: true},
		{args: []string{"-p", "4222"}, want: runArgs{broker: []string{"-p", "4222"}}, checkOK: true},
		{args: []string{"--", "-p", "4222"}, want: runArgs{broker: []string{"-p", "4222"}}, checkOK: true},
		{args: []string{"--", "--name", "foo"}, want: runArgs{broker: []string{"--name", "foo"}}, checkOK: true},
		{args: []string{"-name", "foo"}, want: runArgs{broker: []string{"-name", "foo"}}, checkOK: true},
		{args: []string{"-n", "foo", "--", "-D"}, want: runArgs{broker: []string{"-n", "foo", "-D"}}, checkOK: true},
		{args: []string{"--name", "east"}, want: runArgs{name: "east", nameSet: true}, checkOK: true},
		{args: []string{"--name=east", "--home=/h", "--"}, want: runArgs{name: "east", nameSet: true, home: "/h", homeSet: true}, checkOK: true},
		{args: []string{"--home", "/h", "--name", "east"}, want: runArgs{name: "east", nameSet: true, home: "/h", homeSet: true}, checkOK: true},
		{args: []string{"--name", "east", "--service=false"}, want: runArgs{name: "east", nameSet: true}, checkOK: true},
		{args: []string{"--name"}, err: "flag needs an argument: --name"},
		{args: []string{"--service=maybe"}, err: `invalid boolean value "maybe" for flag --service`},
		{args: []string{"--name", "east", "-p", "1"}, err: "run --name east takes the broker flags saved by install, not -p 1"},
		{args: []string{"--name", "east", "--", "--name", "x"}, err: "takes the broker flags saved by install"},
		{args: []string{"--name="}, err: "--name is empty"},
		{args: []string{"--home", "/h", "-p", "1"}, err: "--home applies to run --name <instance> only"},
		{args: []string{"--service"}, err: "--service needs --name"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := parseRunArgs(tt.args)
			if err == nil {
				err = got.check()
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || exitCode(err) != exitUsage {
					t.Fatalf("error %v, want usage error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.name != tt.want.name || got.home != tt.want.home || got.service != tt.want.service || !slices.Equal(got.broker, tt.want.broker) {
				t.Fatalf("parseRunArgs = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRunNamed(t *testing.T) {
	c := newCLI(t)
	c.ok("install", "--name", "east", "--", "-p", "4222")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown instance", []string{"run", "--name", "west", "--home", c.home}, exitNotFound,
			`natsvisor: instance "west": no such instance in ` + c.home + `; natsvisor list shows the installed ones (for the broker's server name, put the flag after "--": natsvisor run -- --name west)`},
		{"extra flags", []string{"run", "--name", "east", "-D"}, exitUsage, "takes the broker flags saved by install"},
		{"bad name", []string{"run", "--name", "a/b"}, exitUsage, "invalid instance name"},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests, struct {
			name   string
			args   []string
			code   int
			stderr string
		}{"service flag", []string{"run", "--name", "east", "--service"}, exitUsage, "--service is only for the Windows service manager"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := c.run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q", code, tt.code, stderr, tt.stderr)
			}
		})
	}
}

// A manager that refuses a first install leaves no home behind.
func TestInstallRefusedFreshHome(t *testing.T) {
	c := newCLI(t)
	c.mgr.FailNext("Install", errors.New("permission denied"))
	if code, _, _ := c.run("install", "--name", "east", "--", "-p", "4222"); code != exitFailed {
		t.Fatalf("exit %d, want %d", code, exitFailed)
	}
	if _, err := os.Stat(c.home); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the home is left behind: %v", err)
	}
}
