package broker_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/natsvisor/natsvisor/broker"
	"github.com/natsvisor/natsvisor/instance"
)

// The corpus in testdata/configs holds config files sorted by verdict (see
// its README). TestConfigCorpus checks our verdicts; TestConfigParity checks
// them, the digests and the lines named in errors against nats-server.

// corpusVerdicts are the corpus directories, each a verdict.
var corpusVerdicts = []string{"valid", "warning", "invalid", "unsupported"}

type corpusFile struct{ verdict, path string }

func corpus(t *testing.T) []corpusFile {
	t.Helper()
	var files []corpusFile
	for _, v := range corpusVerdicts {
		paths, err := filepath.Glob(filepath.Join("testdata", "configs", v, "*.conf"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no %s configs in testdata/configs: %v", v, err)
		}
		for _, p := range paths {
			files = append(files, corpusFile{v, p})
		}
	}
	return files
}

// checkResult is what one `-t -c F` run said.
type checkResult struct {
	code   int
	output string
	digest string // from the "is valid (sha256:…)" line
}

var digestRe = regexp.MustCompile(`is valid \((sha256:[0-9a-f]{64})\)`)

func parseCheck(code int, output string) checkResult {
	r := checkResult{code: code, output: output}
	if m := digestRe.FindStringSubmatch(output); m != nil {
		r.digest = m[1]
	}
	return r
}

// ourCheck runs `natsvisor run -t -c path` in-process.
func ourCheck(path string) checkResult {
	var stdout, stderr bytes.Buffer
	code := instance.Run(context.Background(), []string{"-t", "-c", path}, &stdout, &stderr)
	return parseCheck(code, stdout.String()+stderr.String())
}

// referenceCheck runs `nats-server -t -c path`.
func referenceCheck(t *testing.T, bin, path string) checkResult {
	t.Helper()
	out, err := exec.Command(bin, "-t", "-c", path).CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return parseCheck(code, string(out))
}

func TestConfigCorpus(t *testing.T) {
	for _, f := range corpus(t) {
		t.Run(f.verdict+"/"+filepath.Base(f.path), func(t *testing.T) {
			t.Parallel()
			got := ourCheck(f.path)
			opts, perr := broker.ParseArgs([]string{"-t", "-c", f.path})
			switch f.verdict {
			case "valid":
				want := "natsvisor: configuration file " + f.path + " is valid (" + opts.ConfigDigest() + ")\n"
				if got.code != instance.ExitOK || got.output != want {
					t.Fatalf("exit %d, output %q; want exit 0, %q", got.code, got.output, want)
				}
			case "warning":
				if got.code != instance.ExitConfig || !broker.IsWarningsOnly(perr) {
					t.Fatalf("exit %d (want %d), warnings only %v: %s", got.code, instance.ExitConfig, broker.IsWarningsOnly(perr), got.output)
				}
			case "invalid":
				if got.code != instance.ExitConfig || perr == nil || broker.IsWarningsOnly(perr) {
					t.Fatalf("exit %d (want %d), error %v", got.code, instance.ExitConfig, perr)
				}
			case "unsupported":
				var ce *broker.ConfigError
				if got.code != instance.ExitConfig || !errors.As(perr, &ce) || len(ce.Errors) == 0 {
					t.Fatalf("exit %d (want %d), error %v", got.code, instance.ExitConfig, perr)
				}
				for _, e := range ce.Errors {
					if !strings.HasSuffix(e.Error(), "is not supported yet") {
						t.Errorf("error %q is not about an unsupported key", e)
					}
				}
			}
		})
	}
}

func TestConfigParity(t *testing.T) {
	bin := referenceBinary()
	if bin == "" {
		t.Skip("nats-server not found: set NATS_SERVER_BIN or run shared/tools/peers.sh to compare -t verdicts and digests")
	}
	for _, f := range corpus(t) {
		t.Run(f.verdict+"/"+filepath.Base(f.path), func(t *testing.T) {
			t.Parallel()
			ref, ours := referenceCheck(t, bin, f.path), ourCheck(f.path)
			if f.verdict == "unsupported" {
				// Only our side refuses; the parsed file must still digest alike.
				if ref.code != 0 {
					t.Fatalf("nats-server refuses an unsupported-key file (exit %d): %s", ref.code, ref.output)
				}
				if ours.code == 0 {
					t.Fatalf("natsvisor accepts an unsupported-key file: %s", ours.output)
				}
				digest, _ := broker.NewOptions().ProcessConfigFile(f.path)
				if digest != ref.digest {
					t.Fatalf("digest %s, nats-server %s", digest, ref.digest)
				}
				return
			}
			if (ref.code == 0) != (ours.code == 0) {
				t.Fatalf("verdicts differ:\nnats-server exit %d: %s\nnatsvisor exit %d: %s", ref.code, ref.output, ours.code, ours.output)
			}
			if (ref.code == 0) != (f.verdict == "valid") {
				t.Fatalf("nats-server exit %d for a %s file: %s", ref.code, f.verdict, ref.output)
			}
			if ref.digest != ours.digest {
				t.Fatalf("digests differ: nats-server %q, natsvisor %q", ref.digest, ours.digest)
			}
			// Errors and warnings are reported on the same lines (columns
			// differ on line 1, where nats-server counts from 0).
			if want := errorLines(ref.output); len(want) > 0 {
				if got := errorLines(ours.output); !slices.Equal(got, want) {
					t.Fatalf("lines with errors: natsvisor %v, nats-server %v\nnats-server: %s\nnatsvisor: %s",
						got, want, ref.output, ours.output)
				}
			}
		})
	}
}

var (
	posRe  = regexp.MustCompile(`(?m)\.conf:(\d+):\d+: `)
	lineRe = regexp.MustCompile(`on line (\d+)`)
)

// errorLines lists, sorted and once each, the lines an error output names.
func errorLines(out string) []string {
	seen := map[string]bool{}
	for _, re := range []*regexp.Regexp{posRe, lineRe} {
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			seen[m[1]] = true
		}
	}
	lines := make([]string, 0, len(seen))
	for l := range seen {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return lines
}
