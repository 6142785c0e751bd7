package conf

import (
	"testing"
	"time"
)

// Every case was checked against nats-server v2.15.2's own parser.
var validCases = []struct {
	name, src, want string
}{
	// Keys and separators.
	{"equals", "a = 1", `{"a": 1}`},
	{"colon", "a: 1", `{"a": 1}`},
	{"space", "a 1", `{"a": 1}`},
	{"no spaces", "a=1", `{"a": 1}`},
	{"double-quoted key", `"a b" = 1`, `{"a b": 1}`},
	{"single-quoted key", `'a b': 1`, `{"a b": 1}`},
	{"key with dots", "a.b = 1", `{"a.b": 1}`},
	{"key with hash", "a#b = 1", `{"a#b": 1}`},
	{"separator on next line", "a\n= 1", `{"a": 1}`},
	{"value on next line", "a\n1", `{"a": 1}`},
	{"terminators", "a = 1; b = 2, c = 3\nd = 4", `{"a": 1, "b": 2, "c": 3, "d": 4}`},
	{"brace ends a value", "a = 1 } b = 2", `{"a": 1, "b": 2}`},
	{"duplicate key", "a = 1\nb = 2\na = 3", `{"a": 3, "b": 2}`},
	{"empty", "", `{}`},
	{"blank", " \n\t\r\n", `{}`},
	{"crlf", "a = 1\r\nb = x\r\n", `{"a": 1, "b": "x"}`},

	// Comments.
	{"hash comment", "# c\na = 1 # c\n", `{"a": 1}`},
	{"slash comment", "// c\na = 1 // c\n", `{"a": 1}`},
	{"comment at the end", "a = 1 # c", `{"a": 1}`},
	{"hash inside a value", "a = b#c", `{"a": "b#c"}`},
	{"hash as a value", "a = #c", `{"a": "#c"}`},
	{"lone slash after a value", "a = 1 /", `{"a": 1}`},

	// The whole file in braces, as JSON.
	{"json", `{"port": 4222, "tls": {"verify": true}, "routes": ["a", "b"]}`,
		`{"port": 4222, "tls": {"verify": true}, "routes": ["a", "b"]}`},
	{"stray final brace", `{"a": 1}}`, `{"a": 1}`},
	{"stray final brace on its line", "a = 1\n}\n", `{"a": 1}`},
	{"unclosed wrapper", "{ a = 1\n", `{"a": 1}`},
	{"nested wrappers", "{{a=1}, b=2}", `{"a": 1, "b": 2}`},
	{"entry after wrapper", "{a=1} b=2", `{"a": 1, "b": 2}`},

	// Maps.
	{"map", "x { a = 1 }", `{"x": {"a": 1}}`},
	{"map with separator", "x = { a = 1 }", `{"x": {"a": 1}}`},
	{"map with colon", "x: {a: 1, b: 2; c: 3\n d: 4}", `{"x": {"a": 1, "b": 2, "c": 3, "d": 4}}`},
	{"map value on next line", "x {a =\n 1}", `{"x": {"a": 1}}`},
	{"empty map", "x {}", `{"x": {}}`},
	{"nested maps", "x { y { z = 1 } }", `{"x": {"y": {"z": 1}}}`},
	{"map comments", "x { # c\n a = 1 // c\n}", `{"x": {"a": 1}}`},
	{"map quoted keys", `x { "a b" = 1, 'c' = 2 }`, `{"x": {"a b": 1, "c": 2}}`},
	{"map lone slash", "x { a = 1 / b = 2 }", `{"x": {"a": 1, "b": 2}}`},

	// Arrays.
	{"array", `a = [1 , "two", 3.5, true, x ]`, `{"a": [1, "two", 3.5, true, "x"]}`},
	{"array newlines", "a = [\n 1\n 2\n]", `{"a": [1, 2]}`},
	{"array trailing comma", "a = [x, y,]", `{"a": ["x", "y"]}`},
	{"empty array", "a = []", `{"a": []}`},
	{"nested arrays", "a = [[x], [y, z]]", `{"a": [["x"], ["y", "z"]]}`},
	{"array of maps", "a = [{x = 1}, {y = 2}]", `{"a": [{"x": 1}, {"y": 2}]}`},
	{"array comments", "a = [ # c\n x // c\n]", `{"a": ["x"]}`},
	{"digit before bracket is a string", "a = [1k]", `{"a": ["1k"]}`},
	{"negative before bracket", "a = [-1]", `{"a": [-1]}`},
	{"float before bracket", "a = [1.5]", `{"a": [1.5]}`},

	// Booleans.
	{"bools", "a = true\nb = FALSE\nc = Yes\nd = no\ne = ON\nf = off",
		`{"a": true, "b": false, "c": true, "d": false, "e": true, "f": false}`},
	{"quoted bool is a string", `a = "true"`, `{"a": "true"}`},

	// Numbers.
	{"int", "a = 42", `{"a": 42}`},
	{"negative", "a = -42", `{"a": -42}`},
	{"max int", "a = 9223372036854775807", `{"a": 9223372036854775807}`},
	{"min int", "a = -9223372036854775808", `{"a": -9223372036854775808}`},
	{"leading zero", "a = 010", `{"a": 10}`},
	{"float", "a = 1.5", `{"a": 1.5}`},
	{"negative float", "a = -0.25", `{"a": -0.25}`},
	{"decimal sizes", "a = 1k\nb = 2M\nc = 3g\nd = 4T\ne = 5p\nf = 6e",
		`{"a": 1000, "b": 2000000, "c": 3000000000, "d": 4000000000000, "e": 5000000000000000, "f": 6000000000000000000}`},
	{"binary sizes", "a = 1kb\nb = 1KiB\nc = 1ki\nd = 2MB\ne = 1gib\nf = 1TB\ng = 1pi\nh = 1EB",
		`{"a": 1024, "b": 1024, "c": 1024, "d": 2097152, "e": 1073741824, "f": 1099511627776, "g": 1125899906842624, "h": 1152921504606846976}`},
	{"negative size", "a = -5k", `{"a": -5000}`},
	{"size in map", "x {a = 1k}", `{"x": {"a": 1000}}`},

	// Strings that look like numbers.
	{"duration", "a = 10s", `{"a": "10s"}`},
	{"milliseconds", "a = 1ms", `{"a": "1ms"}`},
	{"exponent is a string", "a = 1e5", `{"a": "1e5"}`},
	{"ip", "a = 127.0.0.1", `{"a": "127.0.0.1"}`},
	{"ip and port", "a = 127.0.0.1:4222", `{"a": "127.0.0.1:4222"}`},
	{"ipv6", "a = ::1", `{"a": "::1"}`},
	{"hex is a string", "a = 0x10", `{"a": "0x10"}`},
	{"plus is a string", "a = +5", `{"a": "+5"}`},
	{"digit then backslash is literal", `a = 12\t`, `{"a": "12\\t"}`},
	{"digit then quote is literal", "a = 1'", `{"a": "1'"}`},

	// Datetimes.
	{"datetime", "a = 2026-01-02T03:04:05Z", `{"a": t(2026-01-02T03:04:05Z)}`},

	// Strings.
	{"double-quoted escapes", `a = "x\ty\n\r\"\\\x41"`, `{"a": "x\ty\n\r\"\\A"}`},
	{"double-quoted spans lines", "a = \"x\ny\"", `{"a": "x\ny"}`},
	{"double-quoted dollar", `a = "$X"`, `{"a": "$X"}`},
	{"hex escape any byte", `a = "\xff"`, `{"a": "\xff"}`},
	{"raw string", `a = 'x\q $X'`, `{"a": "x\\q $X"}`},
	{"unquoted", "a = hello", `{"a": "hello"}`},
	{"unquoted with escapes", `a = x\x41\t`, `{"a": "xA\t"}`},
	{"unquoted escaped bool", `a = tru\x65`, `{"a": "true"}`},
	{"unquoted ends at quote", "a = abc'", `{"a": "abc"}`},
	{"unquoted keeps symbols", "a = nats://u:p@host:4222/x?y=z", `{"a": "nats://u:p@host:4222/x?y=z"}`},
	{"empty value at end", "a =", `{"a": ""}`},
	{"empty value before semicolon", "a = ;b = 1", `{"a": "", "b": 1}`},
	{"block string", "a = (\nline 1\n line 2\n)\n", `{"a": "\nline 1\n line 2\n"}`},
	{"block string first line", "a = (x )\n)\nb = 1", `{"a": "x )\n", "b": 1}`},
	{"block string at end of input keeps paren", "a = (\nx\n)", `{"a": "\nx\n)"}`},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse("t.conf", tc.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.src, err)
			}
			if got := render(m); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}

func TestTypes(t *testing.T) {
	m := mustParse(t, "i = 1\nf = 1.5\nb = on\ns = x\nd = 2026-01-02T03:04:05Z\na = []\nm {}")
	want := map[string]string{"i": "integer", "f": "float", "b": "boolean", "s": "string",
		"d": "datetime", "a": "array", "m": "map"}
	for key, name := range want {
		if _, v := lookup(t, m, key); v.TypeName() != name {
			t.Errorf("%s: TypeName %q, want %q", key, v.TypeName(), name)
		}
	}
	_, v := lookup(t, m, "d")
	if got := v.V.(time.Time); !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("datetime %v", got)
	}
}

func TestPositions(t *testing.T) {
	src := "a = 1\n  \"b\": [x, {c: 'y'}]\nd {\n\te = (\n)\n}\nf = $a\n"
	m := mustParse(t, src)
	cases := []struct {
		path         string
		keyPos, vPos string // "" where there is no key
	}{
		{"a", "t.conf:1:0", "t.conf:1:4"},
		{"b", "t.conf:2:4", "t.conf:2:8"},
		{"b.0", "", "t.conf:2:9"},
		{"b.1", "", "t.conf:2:12"},
		{"b.1.c", "t.conf:2:13", "t.conf:2:17"},
		{"d", "t.conf:3:1", "t.conf:3:3"},
		{"d.e", "t.conf:4:2", "t.conf:4:6"},
		{"f", "t.conf:7:1", "t.conf:7:5"},
	}
	for _, tc := range cases {
		e, v := lookup(t, m, tc.path)
		if tc.keyPos != "" && e.KeyPos.String() != tc.keyPos {
			t.Errorf("%s: key at %s, want %s", tc.path, e.KeyPos, tc.keyPos)
		}
		if v.Pos.String() != tc.vPos {
			t.Errorf("%s: value at %s, want %s", tc.path, v.Pos, tc.vPos)
		}
	}
}

func TestDuplicateKeyKeepsPlaceTakesLastPosition(t *testing.T) {
	m := mustParse(t, "a = 1\nb = 2\na = 3\n")
	if got := m.Keys(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("keys %v", got)
	}
	e, _ := m.Get("a")
	if e.KeyPos.Line != 3 || e.Value.Pos.Line != 3 || e.Value.V != int64(3) {
		t.Errorf("a: %+v at %s", e.Value, e.KeyPos)
	}
	if m.Len() != 2 {
		t.Errorf("Len %d", m.Len())
	}
}

func TestPosString(t *testing.T) {
	if got := (Pos{File: "a.conf", Line: 2, Col: 3}).String(); got != "a.conf:2:3" {
		t.Errorf("got %q", got)
	}
	if got := (Pos{Line: 2, Col: 3}).String(); got != "2:3" {
		t.Errorf("got %q", got)
	}
}
