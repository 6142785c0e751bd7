package conf

import (
	"strings"
	"testing"
)

func TestVariables(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"defined before", "x = 1\na = $x", `{"x": 1, "a": 1}`},
		{"map value", "x = {b = 1}\na = $x", `{"x": {"b": 1}, "a": {"b": 1}}`},
		{"outer scope", "y = 1\nx { a = $y }", `{"y": 1, "x": {"a": 1}}`},
		{"inner scope first", "y = 1\nx { y = 2, a = $y }", `{"y": 1, "x": {"y": 2, "a": 2}}`},
		{"map in array is a scope", "y = 1\nx = [ {y = 3, a = $y} ]", `{"y": 1, "x": [{"y": 3, "a": 3}]}`},
		{"in array", "y = 1\nx = [$y, $y ]", `{"y": 1, "x": [1, 1]}`},
		{"latest definition", "y = 1\ny = 2\na = $y", `{"y": 2, "a": 2}`},
		{"wrapper is the top scope", "{ y = 1, a = $y }", `{"y": 1, "a": 1}`},
		{"double-quoted is literal", `y = 1` + "\n" + `a = "$y"`, `{"y": 1, "a": "$y"}`},
		{"raw is literal", "y = 1\na = '$y'", `{"y": 1, "a": "$y"}`},
		{"escaped is literal", `a = $y\t`, `{"a": "$y\t"}`},
		{"ends at quote as string", "y = 1\na = $y'", `{"y": 1, "a": "$y"}`},
		{"empty name", `"" = 5` + "\na = $", `{"": 5, "a": 5}`},
		{"bcrypt hash", "a = $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS",
			`{"a": "$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(mustParse(t, tc.src)); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}

func TestUsedAsVariable(t *testing.T) {
	m := mustParse(t, "x = 1\ny = 2\nz { w = 3, v = $x }\nu = $z\nx2 = 4\nx2 = 5\n")
	for key, want := range map[string]bool{"x": true, "y": false, "z": true, "u": false, "x2": false} {
		if e, _ := m.Get(key); e.UsedAsVariable != want {
			t.Errorf("%s: UsedAsVariable %v, want %v", key, e.UsedAsVariable, want)
		}
	}
	// Redefining a used key replaces its entry, and the mark with it.
	m = mustParse(t, "x = 1\na = $x\nx = 2")
	if e, _ := m.Get("x"); e.UsedAsVariable {
		t.Error("redefined x is still marked")
	}
	// The reference's value has the reference's position.
	m = mustParse(t, "x = {b = 1}\na = $x")
	e, _ := m.Get("a")
	if e.Value.Pos.String() != "t.conf:2:5" {
		t.Errorf("reference at %s", e.Value.Pos)
	}
}

func TestEnvironment(t *testing.T) {
	t.Setenv("NV_INT", "4333")
	t.Setenv("NV_STR", `"4333"`)
	t.Setenv("NV_SIZE", "1MB")
	t.Setenv("NV_MAP", "{a = 1, b = [x, y]}")
	t.Setenv("NV_CHAIN", "$NV_INT")
	t.Setenv("NV_EMPTY", "")
	t.Setenv("NV_LINES", "1\npk = 2")
	t.Setenv("NV_SHADOW", "env")
	cases := []struct{ name, src, want string }{
		{"int", "a = $NV_INT", `{"a": 4333}`},
		{"quoted string", "a = $NV_STR", `{"a": "4333"}`},
		{"size", "a = $NV_SIZE", `{"a": 1048576}`},
		{"map", "a = $NV_MAP", `{"a": {"a": 1, "b": ["x", "y"]}}`},
		{"chain", "a = $NV_CHAIN", `{"a": 4333}`},
		{"empty", "a = $NV_EMPTY", `{"a": ""}`},
		{"more lines", "a = $NV_LINES", `{"a": 2}`},
		{"file before environment", "NV_SHADOW = file\na = $NV_SHADOW", `{"NV_SHADOW": "file", "a": "file"}`},
		{"in map", "x { a = $NV_INT }", `{"x": {"a": 4333}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(mustParse(t, tc.src)); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
	m := mustParse(t, "a = $NV_MAP")
	if _, v := lookup(t, m, "a"); v.Pos.String() != "t.conf:1:4" {
		t.Errorf("env reference at %s", v.Pos)
	}
	if _, v := lookup(t, m, "a.b.1"); v.Pos.String() != "env:NV_MAP:1:16" {
		t.Errorf("element of env value at %s", v.Pos)
	}
}

func TestEnvironmentErrors(t *testing.T) {
	t.Setenv("NV_SELF", "$NV_SELF")
	t.Setenv("NV_A", "$NV_B")
	t.Setenv("NV_B", "[1 , $NV_A ]")
	t.Setenv("NV_BAD", "4333 x")
	t.Setenv("NV_FILEVAR", "$y")
	cases := []struct{ name, src, want string }{
		{"self", "a = $NV_SELF",
			"variable reference for 'NV_SELF' on line 1 could not be parsed: " +
				"variable reference cycle for 'NV_SELF'"},
		{"cycle", "x = 1\na = $NV_A",
			"variable reference for 'NV_A' on line 2 could not be parsed: " +
				"variable reference for 'NV_B' on line 1 could not be parsed: " +
				"variable reference cycle for 'NV_A'"},
		{"unparsable", "a = $NV_BAD",
			"variable reference for 'NV_BAD' on line 1 could not be parsed: " +
				"env:NV_BAD:1:5: Expected a top-level value to end with a new line, comment or EOF, but got 'x' instead."},
		{"cannot see the file", "y = 1\na = $NV_FILEVAR",
			"variable reference for 'NV_FILEVAR' on line 2 could not be parsed: " +
				"variable reference for 'y' on line 1 can not be found"},
		{"unset", "a = $NV_UNSET_FOR_SURE", "variable reference for 'NV_UNSET_FOR_SURE' on line 1 can not be found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.conf", tc.src)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Parse(%q)\n got %v\nwant %s", tc.src, err, tc.want)
			}
		})
	}
	// A long chain of distinct variables stops at the nesting limit.
	for i := range MaxDepth + 1 {
		t.Setenv("NV_DEEP"+strings.Repeat("x", i), "$NV_DEEP"+strings.Repeat("x", i+1))
	}
	if _, err := Parse("t.conf", "a = $NV_DEEP"); err == nil || !strings.Contains(err.Error(), "nesting too deep") {
		t.Errorf("deep chain: %v", err)
	}
}
