package signals

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/natsvisor/natsvisor/instance"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		spec, cmd, target, err string
	}{
		{"reload", "reload", "", ""},
		{"reload=east", "reload", "east", ""},
		{"ldm=/var/run/x.pid", "ldm", "/var/run/x.pid", ""},
		{"stop=12*", "stop", "12*", ""},
		{"bogus", "", "", `unknown signal "bogus"`},
		{"reload=a=b", "", "", `invalid signal parameters: "reload=a=b"`},
		{"", "", "", `unknown signal ""`},
	} {
		cmd, target, err := ParseSpec(tc.spec)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseSpec(%q) error = %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || string(cmd) != tc.cmd || target != tc.target {
			t.Errorf("ParseSpec(%q) = %q, %q, %v", tc.spec, cmd, target, err)
		}
	}
}

// registry builds a registry with instances east-1, east-2 and west; the
// east ones "run" as this test process (their pid files hold our pid), west
// has no pid file.
func registry(t *testing.T) (*instance.Registry, string) {
	t.Helper()
	home := t.TempDir()
	reg, err := instance.OpenRegistry(home)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"east-1", "east-2", "west"} {
		inst, err := reg.New(name, home, []string{"-p", strconv.Itoa(15100 + i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Put(inst); err != nil {
			t.Fatal(err)
		}
		if name != "west" {
			pid := inst.Paths().PidFile
			if err := os.WriteFile(pid, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return reg, home
}

func TestResolve(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows instances resolve through the SCM, not pid files: supervisor's TestRigWineSignals covers it")
	}
	reg, home := registry(t)
	me := os.Getpid()
	nl := filepath.Join(home, "nl.pid")
	if err := os.WriteFile(nl, []byte(strconv.Itoa(me)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(home, "bad.pid")
	if err := os.WriteFile(bad, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, target string
		all          bool
		want         []string // instance names, or "pid" for a bare one
		err          error
	}{
		{"name", "east-1", false, []string{"east-1"}, nil},
		{"glob", "east-*", false, []string{"east-1", "east-2"}, nil},
		{"star skips stopped", "*", false, []string{"east-1", "east-2"}, nil},
		{"all", "", true, []string{"east-1", "east-2"}, nil},
		{"pid finds its instance", strconv.Itoa(me), false, []string{"east-1"}, nil},
		{"pid file with newline", nl, false, []string{"east-1"}, nil},
		{"stopped instance", "west", false, nil, ErrNotRunning},
		{"glob matching only stopped", "we*", false, nil, ErrNotRunning},
		{"nothing", "north", false, nil, ErrNoTarget},
		{"glob matching nothing", "x*", false, nil, ErrNoTarget},
		{"empty", "", false, nil, ErrNoTarget},
		{"gone pid", "999999999", false, nil, ErrNotRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(reg, tc.target, tc.all)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, g := range got {
				names = append(names, g.Instance)
				if g.PID != me {
					t.Errorf("%s: pid %d, want %d", g.Instance, g.PID, me)
				}
			}
			// Two instances share our pid; a bare pid attaches the last match.
			if tc.name == "pid finds its instance" || tc.name == "pid file with newline" {
				if len(got) != 1 || got[0].Instance == "" || got[0].ReloadStatus == "" {
					t.Fatalf("got %+v, want one target attached to an instance", got)
				}
				return
			}
			if len(names) != len(tc.want) {
				t.Fatalf("got %v, want %v", names, tc.want)
			}
			for i := range names {
				if names[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", names, tc.want)
				}
			}
		})
	}
	if _, err := Resolve(reg, bad, false); err == nil {
		t.Fatal("a pid file holding no pid resolved")
	}
}

func TestValidateRefusesBrokenConfig(t *testing.T) {
	reg, home := registry(t)
	conf := filepath.Join(home, "n.conf")
	if err := os.WriteFile(conf, []byte("port: 15200\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inst, err := reg.New("north", home, []string{"-c", conf})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Put(inst); err != nil {
		t.Fatal(err)
	}
	tgt := Target{Instance: "north", inst: inst}
	if err := Validate(tgt); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	if err := os.WriteFile(conf, []byte("port: 15200\nbogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Validate(tgt); err == nil {
		t.Fatal("a broken config passed Validate")
	}
}
