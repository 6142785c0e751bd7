package examples_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the example configs")

// examples lists the example configs: *.conf in this directory (included
// files live in includes/).
func examples(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("*.conf")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example configs: %v", err)
	}
	return paths
}

// render prints every exported Options field, one "Name = value" a line,
// in declaration order, then the config digest.
func render(o *broker.Options) string {
	var b strings.Builder
	v := reflect.ValueOf(o).Elem()
	for _, f := range reflect.VisibleFields(v.Type()) { // embedded structs' fields too
		if !f.IsExported() || f.Anonymous {
			continue
		}
		fv := v.FieldByIndex(f.Index).Interface()
		switch x := fv.(type) {
		case string:
			fv = strconv.Quote(x)
		case time.Duration:
			fv = x.String()
		case []*broker.User, []*broker.NkeyUser:
			j, _ := json.Marshal(x) // pointers as values; passwords are never marshalled
			fv = string(j)
		}
		fmt.Fprintf(&b, "%s = %v\n", f.Name, fv)
	}
	fmt.Fprintf(&b, "digest = %s\n", o.ConfigDigest())
	return b.String()
}

// Each example parses, without warnings, into the Options in its golden
// file (go test ./examples -update rewrites them).
func TestExamplesGolden(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(path, func(t *testing.T) {
			opts, err := broker.ParseArgs([]string{"-c", path})
			if err != nil {
				t.Fatalf("ParseArgs -c %s: %v", path, err)
			}
			got := render(opts)
			golden := filepath.Join("testdata", strings.TrimSuffix(path, ".conf")+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./examples -update)", err)
			}
			if got != string(want) {
				t.Errorf("Options from %s differ from %s (go test ./examples -update rewrites it):\ngot:\n%s\nwant:\n%s",
					path, golden, got, want)
			}
		})
	}
}

// Each example runs: a broker starts from it (on a free port, with its
// files in a temporary directory) and a nats.go client talks through it
// within the example's limits.
func TestExamplesRun(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			opts, err := broker.ParseArgs([]string{"-c", path, "-p", "-1",
				"-l", filepath.Join(dir, "n.log"), "-P", filepath.Join(dir, "n.pid"), "--ports_file_dir", dir})
			if err != nil {
				t.Fatal(err)
			}
			opts.NoLog = true
			s, err := broker.New(opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := s.Start(); err != nil {
				t.Fatalf("Start: %v", err)
			}
			defer s.Shutdown()

			nc, err := nats.Connect(s.ClientURL(), nats.Timeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if nc.MaxPayload() != int64(opts.MaxPayload) {
				t.Fatalf("client sees max_payload %d, the example sets %d", nc.MaxPayload(), opts.MaxPayload)
			}
			if opts.ServerName != "" && nc.ConnectedServerName() != opts.ServerName {
				t.Fatalf("server name %q, want %q", nc.ConnectedServerName(), opts.ServerName)
			}
			sub, err := nc.SubscribeSync("examples.>")
			if err != nil {
				t.Fatal(err)
			}
			big := make([]byte, opts.MaxPayload) // the largest message allowed
			if err := nc.Publish("examples.big", big); err != nil {
				t.Fatal(err)
			}
			m, err := sub.NextMsg(5 * time.Second)
			if err != nil || len(m.Data) != len(big) {
				t.Fatalf("message: %v, %v", m, err)
			}
		})
	}
}

var validLine = regexp.MustCompile(`is valid \((sha256:[0-9a-f]{64})\)`)

// Each example passes nats-server's -t with the digest we compute.
func TestExamplesReference(t *testing.T) {
	bin := os.Getenv("NATS_SERVER_BIN")
	if bin == "" {
		if home, err := os.UserHomeDir(); err == nil {
			bin = filepath.Join(home, ".cache", "natsvisor-peers", "nats-server")
		}
	}
	if _, err := os.Stat(bin); bin == "" || err != nil {
		t.Skip("nats-server not found: set NATS_SERVER_BIN or run shared/tools/peers.sh to check the examples with nats-server -t")
	}
	for _, path := range examples(t) {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command(bin, "-t", "-c", path).CombinedOutput()
			if err != nil {
				t.Fatalf("nats-server -t -c %s: %v\n%s", path, err, out)
			}
			m := validLine.FindSubmatch(out)
			opts, perr := broker.ParseArgs([]string{"-c", path})
			if m == nil || perr != nil || string(m[1]) != opts.ConfigDigest() {
				t.Fatalf("nats-server says %q; our digest %q (%v)", out, opts.ConfigDigest(), perr)
			}
		})
	}
}
