package supervisor

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name.golden (or rewrites it with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -run %s -update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, t.Name(), got, want)
	}
}

// linuxSpec is a typical instance as the CLI builds it.
func linuxSpec() Spec {
	return Spec{
		Name:               "east",
		Executable:         "/usr/local/bin/natsvisor",
		Args:               []string{"run", "--name", "east", "--home", "/var/lib/natsvisor"},
		Env:                map[string]string{"NATS_STARTUP_DELAY": "10s", "NATSVISOR_HOME": "/var/lib/natsvisor"},
		StartTimeout:       25 * time.Second,
		StopTimeout:        150 * time.Second,
		RestartSec:         5 * time.Second,
		NoRestartExitCodes: []int{2, 3},
		LimitNOFILE:        800000,
	}
}

func TestRenderUnitGolden(t *testing.T) {
	sysctl := unitOptions{systemctl: "/usr/bin/systemctl"}
	tests := []struct {
		name string
		spec func() Spec
		opts unitOptions
	}{
		{"unit-full", linuxSpec, sysctl},
		{"unit-minimal", func() Spec {
			return Spec{Name: "a", Executable: "/opt/nv/natsvisor", Args: []string{"run", "--name", "a"}}
		}, sysctl},
		{"unit-user", func() Spec {
			s := linuxSpec()
			s.Args[4] = "/home/ann/.local/share/natsvisor"
			s.Env = nil
			s.LimitNOFILE = 0
			return s
		}, unitOptions{systemctl: "/usr/bin/systemctl", user: true}},
		{"unit-quoting", func() Spec {
			return Spec{
				Name:        "q.1",
				Description: "100% \"quoted\" broker",
				Executable:  "/opt/my apps/natsvisor",
				Args: []string{"run", "--name", "q.1", "--", "-c", `/etc/nats conf/a b.conf`, "--user", "$USER", "",
					`back\slash`, "semi;colon", "it's", "tab\there", "%n", "ünïcode"},
				Env:          map[string]string{"A_B": `x "y" $z 50%`},
				StartTimeout: 1500 * time.Millisecond,
				RestartSec:   100 * time.Microsecond,
			}
		}, sysctl},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderUnit(tc.spec(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
			if !isOurUnit(got) {
				t.Error("rendered unit does not carry the marker")
			}
		})
	}
}

func TestRenderSCMGolden(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		{"scm-full", Spec{
			Name:         "east",
			Executable:   `C:\Program Files\natsvisor\natsvisor.exe`,
			Args:         []string{"run", "--name", "east", "--home", `C:\ProgramData\nats visor\`},
			Env:          map[string]string{"NATS_STARTUP_DELAY": "10s"},
			StartTimeout: 25 * time.Second,
			StopTimeout:  150 * time.Second,
			RestartSec:   5 * time.Second,
		}},
		{"scm-minimal", Spec{
			Name:        "a",
			Description: "the broker for team A",
			Executable:  `C:\nv\natsvisor.exe`,
			Args:        []string{"run", ServiceFlag, "--name", "a", "--", "-c", `C:\conf\say "hi".conf`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderSCM(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
		})
	}
}

func TestRenderRejects(t *testing.T) {
	ok := linuxSpec()
	tests := []struct {
		name string
		edit func(*Spec)
		want string
	}{
		{"empty name", func(s *Spec) { s.Name = "" }, "empty service name"},
		{"slash in name", func(s *Spec) { s.Name = "../etc/x" }, "not allowed"},
		{"dash first", func(s *Spec) { s.Name = "-x" }, "not allowed"},
		{"long name", func(s *Spec) { s.Name = strings.Repeat("a", maxNameLen+1) }, "longer than"},
		{"relative exe", func(s *Spec) { s.Executable = "natsvisor" }, "not an absolute path"},
		{"NUL in arg", func(s *Spec) { s.Args = []string{"run\x00"} }, "NUL"},
		{"two-line description", func(s *Spec) { s.Description = "a\nb" }, "one line"},
		{"bad env name", func(s *Spec) { s.Env = map[string]string{"A=B": "x"} }, "environment variable name"},
		{"env starting with digit", func(s *Spec) { s.Env = map[string]string{"1A": "x"} }, "environment variable name"},
		{"exit code 0", func(s *Spec) { s.NoRestartExitCodes = []int{0} }, "not in 1..255"},
		{"negative timeout", func(s *Spec) { s.StartTimeout = -1 }, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			s.Env = map[string]string{}
			tc.edit(&s)
			_, err := renderUnit(s, unitOptions{systemctl: "/usr/bin/systemctl"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("renderUnit: error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := renderSCM(ok); err == nil || !strings.Contains(err.Error(), "not an absolute path") {
		t.Errorf("renderSCM of a Linux path: error %v, want not an absolute path", err)
	}
}

func TestQuoteWord(t *testing.T) {
	tests := []struct{ in, want string }{
		{"run", "run"},
		{"--name=a", "--name=a"},
		{"", `""`},
		{"a b", `"a b"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{"a'b", `"a'b"`},
		{";", `";"`},
		{"a\nb", `"a\nb"`},
		{"a\x01b", `"a\x01b"`},
		{"ü", "ü"},
	}
	for _, tc := range tests {
		if got := quoteWord(tc.in, false); got != tc.want {
			t.Errorf("quoteWord(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestExecLineEscapes(t *testing.T) {
	got := execLine([]string{"/bin/x", "50%", "$HOME", "a b$"})
	want := `/bin/x 50%% $$HOME "a b$$"`
	if got != want {
		t.Errorf("execLine = %s, want %s", got, want)
	}
}

func TestTimeSpan(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{5 * time.Second, "5s"},
		{1500 * time.Millisecond, "1500ms"},
		{time.Microsecond, "1ms"},
		{2*time.Minute + 30*time.Second, "150s"},
	}
	for _, tc := range tests {
		if got := timeSpan(tc.in); got != tc.want {
			t.Errorf("timeSpan(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestIsOurUnit(t *testing.T) {
	tests := []struct {
		content string
		want    bool
	}{
		{Marker + "\n[Unit]\n", true},
		{"[Unit]\r\n" + Marker + "\r\n", true},
		{"# Managed by natsvisor\n[Unit]\n", false},
		{"[Unit]\nDescription=nats\n", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := isOurUnit(tc.content); got != tc.want {
			t.Errorf("isOurUnit(%q) = %v, want %v", tc.content, got, tc.want)
		}
	}
}

// TestEscapeArg checks the Windows command-line quoting against the
// cases of Go's syscall.EscapeArg tests and CommandLineToArgvW's rules.
func TestEscapeArg(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"run", "run"},
		{`C:\nv\natsvisor.exe`, `C:\nv\natsvisor.exe`},
		{`C:\Program Files\nv\natsvisor.exe`, `"C:\Program Files\nv\natsvisor.exe"`},
		{"a b", `"a b"`},
		{"a\tb", "\"a\tb\""},
		{`a"b`, `a\"b`},
		{`a\"b`, `a\\\"b`},
		{`C:\dir with space\`, `"C:\dir with space\\"`},
		{`say "hi" now`, `"say \"hi\" now"`},
		{`\\server\share`, `\\server\share`},
	}
	for _, tc := range tests {
		if got := escapeArg(tc.in); got != tc.want {
			t.Errorf("escapeArg(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestServiceArgs(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"run", "--name", "a"}, "run --service --name a"},
		{[]string{"run", "--service", "--name", "a"}, "run --service --name a"},
		{[]string{"run", "--name", "a", "--service"}, "run --name a --service"},
		{nil, "--service"},
	}
	for _, tc := range tests {
		got := strings.Join(Spec{Args: tc.in}.serviceArgs(), " ")
		if got != tc.want {
			t.Errorf("serviceArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIsWindowsAbs(t *testing.T) {
	for p, want := range map[string]bool{
		`C:\x.exe`: true, `c:/x.exe`: true, `\\srv\share\x.exe`: true,
		`x.exe`: false, `C:x.exe`: false, `/usr/bin/x`: false, `1:\x`: false, `\\`: false,
	} {
		if got := isWindowsAbs(p); got != want {
			t.Errorf("isWindowsAbs(%q) = %v, want %v", p, got, want)
		}
	}
}
