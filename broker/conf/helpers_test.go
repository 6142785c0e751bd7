package conf

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// render writes a parsed tree compactly, keys in order, with the types
// told apart: 1 is an integer, 1.0 a float, "1" a string, and datetimes
// are written as t(...).
func render(v any) string {
	var b strings.Builder
	renderTo(&b, v)
	return b.String()
}

func renderTo(b *strings.Builder, v any) {
	switch x := v.(type) {
	case *Map:
		b.WriteString("{")
		for i, e := range x.Entries() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(e.Key) + ": ")
			renderTo(b, e.Value.V)
		}
		b.WriteString("}")
	case []*Value:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, e.V)
		}
		b.WriteString("]")
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		b.WriteString(s)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case time.Time:
		b.WriteString("t(" + x.Format(time.RFC3339) + ")")
	default:
		b.WriteString("?")
	}
}

// writeFiles creates files (name → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mustParse parses src as "t.conf" and fails the test on an error.
func mustParse(t *testing.T, src string) *Map {
	t.Helper()
	m, err := Parse("t.conf", src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return m
}

// lookup follows a path of map keys and array indexes ("a.0.b").
func lookup(t *testing.T, m *Map, path string) (*Entry, *Value) {
	t.Helper()
	var entry *Entry
	var cur any = m
	var val *Value
	for _, step := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case *Map:
			e, ok := x.Get(step)
			if !ok {
				t.Fatalf("%s: no key %q", path, step)
			}
			entry, val = e, e.Value
		case []*Value:
			i, err := strconv.Atoi(step)
			if err != nil || i >= len(x) {
				t.Fatalf("%s: no element %q", path, step)
			}
			entry, val = nil, x[i]
		default:
			t.Fatalf("%s: %q is not in a map or array", path, step)
		}
		cur = val.V
	}
	return entry, val
}
