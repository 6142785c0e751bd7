package conf

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzFiles and fuzzEnv stand in for the file system and the environment,
// so that fuzzed includes and variables stay hermetic (no include of
// /dev/stdin) while reaching the include and environment code.
var (
	fuzzFiles = map[string]string{
		"a.conf":     "x = 1\ny { z = [1 , 2 ] }\n",
		"self.conf":  "include self.conf\n",
		"ping.conf":  "include pong.conf\n",
		"pong.conf":  "include ping.conf\n",
		"vars.conf":  "v = $NV_INT\nw = $x\n",
		"sub/b.conf": "include ../a.conf\n",
	}
	fuzzEnv = map[string]string{
		"NV_INT":  "4333",
		"NV_MAP":  "{a = [1 , $NV_INT]}",
		"NV_SELF": "$NV_SELF",
		"NV_BAD":  "[",
	}
)

func fuzzSession() *session {
	return &session{
		lookupEnv: func(name string) (string, bool) {
			v, ok := fuzzEnv[name]
			return v, ok
		},
		readFile: func(path string) (string, error) {
			if data, ok := fuzzFiles[filepath.ToSlash(filepath.Clean(path))]; ok {
				return data, nil
			}
			return "", &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		},
	}
}

// FuzzParse checks that no input panics or hangs, that errors are placed
// inside the input, and that parsing is deterministic.
func FuzzParse(f *testing.F) {
	for _, tc := range validCases {
		f.Add(tc.src)
	}
	for _, tc := range errorCases {
		f.Add(tc.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return
		}
		start := time.Now()
		m, err := fuzzSession().parse("f.conf", src, ".", 1)
		if d := time.Since(start); d > time.Second {
			t.Errorf("parse took %v", d)
		}
		if err != nil {
			checkError(t, src, err)
			return
		}
		checkTree(t, m, 0)
		m2, err := fuzzSession().parse("f.conf", src, ".", 1)
		if err != nil || render(m2) != render(m) {
			t.Errorf("second parse differs: %v", err)
		}
	})
}

// checkError requires a positioned error inside the source.
func checkError(t *testing.T, src string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	lines := strings.Count(src, "\n") + 1
	if e.Pos.File != "f.conf" || e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 || e.Pos.Col > len(src)+1 {
		t.Errorf("error outside the input: %v", err)
	}
}

// checkTree requires every value to have a known type and a position, and
// the nesting to stay within MaxDepth.
func checkTree(t *testing.T, v any, depth int) {
	t.Helper()
	if depth > MaxDepth+1 {
		t.Fatalf("tree deeper than %d", MaxDepth)
	}
	check := func(val *Value) {
		if val == nil || val.Pos.Line < 1 || val.Pos.Col < 1 || val.TypeName() == "unknown" {
			t.Fatalf("bad value %+v", val)
		}
		checkTree(t, val.V, depth+1)
	}
	switch x := v.(type) {
	case *Map:
		if len(x.Keys()) != x.Len() {
			t.Fatal("keys and entries disagree")
		}
		for _, e := range x.Entries() {
			if got, ok := x.Get(e.Key); !ok || got != e {
				t.Fatalf("Get(%q) disagrees with Entries", e.Key)
			}
			check(e.Value)
		}
	case []*Value:
		for _, e := range x {
			check(e)
		}
	}
}
