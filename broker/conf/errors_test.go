package conf

import (
	"errors"
	"strings"
	"testing"
)

// Each input is also an error for nats-server v2.15.2, except where noted;
// the messages follow its wording.
var errorCases = []struct {
	name, src, want string
}{
	// Keys and value ends.
	{"key without value", "a", "config is invalid (t.conf:1:1)"},
	{"key without value before eof", "port\n", "config is invalid (t.conf:2:1)"},
	{"junk after value", "a = 1 x",
		"t.conf:1:6: Expected a top-level value to end with a new line, comment or EOF, but got 'x' instead."},
	{"size with a space", "a = 5 MB",
		"t.conf:1:6: Expected a top-level value to end with a new line, comment or EOF, but got 'M' instead."},
	{"value on next line after separator", "a =\n1", "t.conf:1:3: Expected value but found new line"},
	{"separator first", "= 1", "t.conf:1:0: Unexpected key separator '='"},
	{"array end as value", "a = ]",
		"t.conf:1:4: Expected a top-level value to end with a new line, comment or EOF, but got ']' instead."},
	{"lone slash", "/a = 1", "t.conf:1:0: Unexpected '/': comments start with '//' or '#'."},
	{"NUL byte", "a = 1\n\x00", "t.conf:2:1: unexpected NUL byte"}, // nats-server accepts this one

	// Strings.
	{"unterminated double quote", `a = "abc`, "t.conf:1:4: Unexpected EOF in quoted string."},
	{"unterminated single quote", "a = 'abc", "t.conf:1:4: Unexpected EOF in quoted string."},
	{"unterminated quoted key", `"abc`, "t.conf:1:0: Unexpected EOF in quoted key."},
	{"bad escape", `a = "\q"`, `t.conf:1:5: Invalid escape character 'q'. Only the following escape characters are allowed: \xXX, \t, \n, \r, \", \\.`},
	{"bad escape unquoted", `a = x\q`, `t.conf:1:5: Invalid escape character 'q'. Only the following escape characters are allowed: \xXX, \t, \n, \r, \", \\.`},
	{"bad hex escape", `a = "\x4g"`, `t.conf:1:5: Expected two hexadecimal digits after '\x', but got '4g'`},
	{"hex escape at line end", "a = \"\\x4\n\"", `t.conf:1:5: Expected two hexadecimal digits after '\x', but hit end of line`},
	{"hex escape at eof", `a = "\x4`, `t.conf:1:5: Expected two hexadecimal digits after '\x', but hit end of input`},
	{"unterminated block", "a = (\nabc\n", "t.conf:1:4: Unexpected EOF processing block."},
	{"block closed by crlf", "a = (\nabc\n)\r\n", "t.conf:1:4: Unexpected EOF processing block."},

	// Numbers and datetimes.
	{"float without leading digit", "a = .5", "t.conf:1:4: Floats must start with a digit"},
	{"negative float without digit", "a = -.5", "t.conf:1:5: Floats must start with a digit, not '.'."},
	{"minus alone", "a = -x", "t.conf:1:5: Expected a digit but got 'x'."},
	{"float without fraction", "a = 1.a", "t.conf:1:6: Floats must have a digit after the '.', but got 'a' instead."},
	{"junk after float", "a = 1.5x",
		"t.conf:1:7: Expected a top-level value to end with a new line, comment or EOF, but got 'x' instead."},
	{"dash in number", "a = 12-3", "t.conf:1:6: All ISO8601 dates must be in full Zulu form."},
	{"datetime without zone", "a = 2026-01-02T03:04:05", "t.conf:1:23: Expected 'Z' in ISO8601 datetime, but found EOF instead."},
	{"datetime bad digit", "a = 2026-01-0xT03:04:05Z", "t.conf:1:13: Expected digit in ISO8601 datetime, but found 'x' instead."},
	{"datetime out of range", "a = 2026-13-02T03:04:05Z", "t.conf:1:4: expected Zulu formatted DateTime, but got '2026-13-02T03:04:05Z'"},
	{"int too big", "a = 9223372036854775808", "integer '9223372036854775808' is out of the range"},
	{"size too big", "a = 10e", "integer '10e' is out of the range"},             // nats-server wraps around
	{"bad size suffix", "a = 1mbb", "t.conf:1:4: invalid size suffix in '1mbb'"}, // nats-server drops the key
	{"non-ASCII digit", "a = \u0663", "t.conf:1:4: expected integer, but got '\u0663'"},

	// Arrays.
	{"digit before bracket", "a = [1]",
		`t.conf:1:7: Expected an array value terminator "," or an array terminator "]", but got EOF instead.` +
			` (the element "1]" at t.conf:1:5 took the ']': put a space or a comma before it)`},
	{"missing comma", "a = [1 2]", `t.conf:1:7: Expected an array value terminator "," or an array terminator "]", but got '2' instead.`},
	{"leading comma", "a = [,1]", "t.conf:1:5: Unexpected array value terminator ','."},
	{"double comma", "a = [1 ,,2]", "t.conf:1:8: Unexpected array value terminator ','."},
	{"unclosed array", "a = [", `t.conf:1:5: Expected an array value terminator "," or an array terminator "]", but got EOF instead.`},

	// Maps.
	{"unclosed map", "x {", "t.conf:1:3: Unexpected EOF processing map."},
	{"eof in map key", "x { a", "t.conf:1:5: Unexpected EOF processing map key."},
	{"eof in quoted map key", "x { 'a", "t.conf:1:4: Unexpected EOF processing quoted map key."},
	{"eof in double-quoted map key", `x { "a`, "t.conf:1:4: Unexpected EOF processing double quoted map key."},
	{"map separator first", "x { = 1 }", "t.conf:1:4: Unexpected key separator '='."},
	{"array end in map", "x { ] }", "t.conf:1:4: Unexpected array end ']' processing map."},
	{"comma as map value", "x { a = , }", "t.conf:1:8: Unexpected map value terminator ','."},
	{"map key without value", "x { a }", "t.conf:1:6: Expected a value for key 'a', but got '}'."}, // nats-server accepts it, wrongly
	{"two entries on a line", "x { a = 1 b = 2 }",
		`t.conf:1:10: Expected a map value terminator "," or a map terminator "}", but got 'b' instead.`},
	{"map unclosed after value", "x { a = 1",
		`t.conf:1:9: Expected a map value terminator "," or a map terminator "}", but got EOF instead.`},

	// Wrapper blocks.
	{"wrapper ends at eof after value", "{ a = 1",
		"t.conf:1:7: Expected a block-level value to end with a new line, comment or EOF, but got EOF instead."},
	{"junk in wrapper", "{ a = 1 x }",
		"t.conf:1:8: Expected a block-level value to end with a new line, comment or EOF, but got 'x' instead."},
	{"junk after inner wrapper", "{ {a = 1} x }", "t.conf:1:10: Expected a block-level to end with a '}', but got 'x' instead."},

	// Variables.
	{"unknown variable", "a = 1\n  b = $nope", "variable reference for 'nope' on line 2 can not be found"},
	{"variable used before definition", "a = $b\nb = 1", "variable reference for 'b' on line 1 can not be found"},
	{"inner variable not visible outside", "x { y = 1 }\na = $y", "variable reference for 'y' on line 2 can not be found"},
	{"brace syntax", "a = ${HOME}", "variable reference for '{HOME' on line 1 can not be found"},
	{"bcrypt 2b is a variable", "a = $2b$10$abc", "variable reference for '2b$10$abc' on line 1 can not be found"},

	// Includes (the statement itself).
	{"include at line end", "include\nx", "t.conf:1:7: Expected include value but found new line"},
	{"include array", "include [x]", "t.conf:1:8: Expected include value but found start of an array"},
	{"include map", "include {x}", "t.conf:1:8: Expected include value but found start of a map"},
	{"include block", "include (x)", "t.conf:1:8: Expected include value but found start of a block"},
	{"include number", "include 5", "t.conf:1:8: Expected include value but found start of a number"},
	{"include escape", `include \x`, "t.conf:1:8: Expected include value but found escape sequence"},
	{"include unterminated", "include 'x", "t.conf:1:8: Unexpected EOF in quoted include"},
	{"include unterminated double", `include "x`, "t.conf:1:8: Unexpected EOF in double quoted include"},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse("t.conf", tc.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error %q", tc.src, render(m), tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Pos.File != "t.conf" {
				t.Errorf("error %#v is not a positioned *Error", err)
			}
		})
	}
}

func TestNestingLimit(t *testing.T) {
	deep := func(open, close string, n int) string {
		return "a = " + strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	if _, err := Parse("t.conf", deep("[", " ]", MaxDepth)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	for _, tc := range []struct{ src, want string }{
		{deep("[", " ]", MaxDepth+1), "t.conf:1:104: nesting too deep: more than 100 levels"},
		{deep("{x ", "}", MaxDepth+1), "t.conf:1:304: nesting too deep: more than 100 levels"},
		{deep("[", "", 1<<20), "t.conf:1:104: nesting too deep: more than 100 levels"},
		{strings.Repeat("{", 1<<20), "t.conf:1:100: nesting too deep: more than 100 levels"},
	} {
		_, err := Parse("t.conf", tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%.20s...: %v", tc.src, err)
		}
	}
}
