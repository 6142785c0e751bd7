package conf

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/natsvisor/natsvisor/internal/testpeer"
)

// verdictCases are whole configs with real option keys, so that
// nats-server -t, which also refuses unknown keys and wrong types, judges
// only the syntax. Each must be valid or invalid for both parsers.
var verdictCases = []struct {
	name, src string
	valid     bool
}{
	{"separators", "port = 4222\nmax_payload: 1k\nmax_pending 64MB\nping_max: 3; debug on, trace: off\n", true},
	{"json", `{"port": 4222, "debug": true, "authorization": {"user": "a", "password": "b"}}}`, true},
	{"comments", "# c\nport = 4222 # c\n// c\nmax_payload = 2KB // c\n", true},
	{"map and array", "cluster {\n  name: c1\n  listen: 127.0.0.1:6222\n  routes = [\n    nats://127.0.0.1:6223\n    nats://127.0.0.1:6224\n  ]\n}\n", true},
	{"strings", "server_name = \"srv\\x41\"\nping_interval = '2m'\nauthorization { token = (\nabc\n)\n}\n", true},
	{"inner variable invisible", "P = 4222\nport = $P\nA { U = u }\nauthorization { user = $U, password = $P2 }\nP2 = x\n", false},
	{"variable scopes", "U = u\nauthorization { user = $U, password = \"$U\" }\n", true},
	{"bcrypt", "authorization { user = a, password = $2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG }\n", true},
	{"environment", "port = $NV_REF_PORT\nserver_name = $NV_REF_NAME\n", true},
	{"include", "include inc.conf\nmax_payload = $M\n", true},
	{"value on the next line", "port\n4222\n", true},
	{"lone slash", "port = 4222 /\n", true},
	{"wrapper unclosed", "{ port = 4222\n", true},

	{"junk after value", "port = 4222 x\n", false},
	{"size with space", "max_payload = 5 MB\n", false},
	{"separator then new line", "port =\n4222\n", false},
	{"bad escape", "server_name = \"a\\qb\"\n", false},
	{"unset variable", "port = $NV_REF_UNSET\n", false},
	{"variable defined after", "port = $P\nP = 4222\n", false},
	{"environment cycle", "port = $NV_REF_SELF\n", false},
	{"key without value", "port\n", false},
	{"digit before bracket", "cluster { routes = [1] }\n", false},
	{"missing include", "include nope.conf\n", false},
	{"partial date", "port = 12-3\n", false},
	{"float without digit", "port = .5\n", false},
	{"unclosed array", "cluster { routes = [ a, b }\n", false},
	{"unclosed string", "server_name = \"abc\n", false},
	{"unclosed block", "server_name = (\nabc\n", false},
	{"wrapper ends at eof", "{ port = 4222", false},
	{"map key without value", "authorization { user }\n", false},
	{"brace variable", "port = ${NV_REF_PORT}\n", false},
	{"bcrypt 2b", "authorization { user = a, password = $2b$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG }\n", false},
}

// TestReferenceVerdicts runs each verdict case through Parse and, when it
// is installed ($NATS_SERVER_BIN or ~/.cache/natsvisor-peers/nats-server),
// through nats-server -t.
func TestReferenceVerdicts(t *testing.T) {
	t.Setenv("NV_REF_PORT", "4333")
	t.Setenv("NV_REF_NAME", `"srv"`)
	t.Setenv("NV_REF_SELF", "$NV_REF_SELF")
	bin := referenceBinary()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"inc.conf": "port = 4222\nM = 1MB\n"})
	for i, tc := range verdictCases {
		path := filepath.Join(dir, "case"+string(rune('a'+i))+".conf")
		writeFiles(t, dir, map[string]string{filepath.Base(path): tc.src})
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile(path)
			if (err == nil) != tc.valid {
				t.Errorf("Parse: valid %v, want %v (%v)", err == nil, tc.valid, err)
			}
			if bin == "" {
				return
			}
			t.Parallel()
			out, err := exec.Command(bin, "-t", "-c", path).CombinedOutput()
			if (err == nil) != tc.valid {
				t.Errorf("nats-server -t: valid %v, want %v: %s", err == nil, tc.valid, out)
			}
		})
	}
	if bin == "" {
		t.Log("nats-server not found: only our verdicts were checked")
	}
}

func referenceBinary() string { return testpeer.NatsServer() }
