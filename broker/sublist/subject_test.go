package sublist

import "testing"

func TestValidSubject(t *testing.T) {
	cases := []struct {
		s    string
		want bool
	}{
		{"foo", true},
		{"foo.bar", true},
		{"foo.bar.baz", true},
		{"*", true},
		{">", true},
		{"foo.*", true},
		{"foo.>", true},
		{"*.*.>", true},
		{"foo.*.bar", true},
		{"foo*", true},
		{"foo.*bar", true},
		{"foo.bar*", true},
		{"foo.>bar", true},
		{">foo", true},
		{"foo.>>", true},
		{"**", true},
		{"café.x", true},
		{"日本.東京", true},
		{"a-b_c:d/e", true},
		{"q.\xff", true},
		{"", false},
		{".", false},
		{"..", false},
		{"foo.", false},
		{".foo", false},
		{"foo..bar", false},
		{">.foo", false},
		{"foo.>.bar", false},
		{">.>", false},
		{"foo.>.", false},
		{"foo bar", false},
		{"foo.\tbar", false},
		{"foo\r", false},
		{"foo\n.bar", false},
		{"foo\f", false},
		{" ", false},
		{"\t", false},
	}
	for _, tc := range cases {
		if got := ValidSubject(tc.s); got != tc.want {
			t.Errorf("ValidSubject(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestValidLiteralSubject(t *testing.T) {
	cases := []struct {
		s    string
		want bool
	}{
		{"foo", true},
		{"foo.bar", true},
		{"foo*", true},
		{"foo.*bar", true},
		{"foo.>bar", true},
		{"**", true},
		{">>", true},
		{"café.x", true},
		{"", false},
		{".", false},
		{"foo.", false},
		{".foo", false},
		{"foo..bar", false},
		{"*", false},
		{">", false},
		{"foo.*", false},
		{"foo.>", false},
		{"*.foo", false},
		{"foo.*.bar", false},
		{">.foo", false},
	}
	for _, tc := range cases {
		if got := ValidLiteralSubject([]byte(tc.s)); got != tc.want {
			t.Errorf("ValidLiteralSubject(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestMatchable(t *testing.T) {
	cases := []struct {
		s    string
		want bool
	}{
		{"a", true}, {"a.b", true}, {"*", true}, {"a.>", true}, {"a.b.c.d", true},
		{"", false}, {".", false}, {"a.", false}, {".a", false}, {"a..b", false}, {"a.b..", false}, {"a.b..c", false},
	}
	for _, tc := range cases {
		if got := matchable([]byte(tc.s)); got != tc.want {
			t.Errorf("matchable(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestLiteral(t *testing.T) {
	for s, want := range map[string]bool{
		"foo": true, "foo.bar": true, "foo*": true, "foo.>x": true, "**": true,
		"*": false, ">": false, "foo.*": false, "foo.>": false, "*.foo.bar": false,
	} {
		if got := literal(s); got != want {
			t.Errorf("literal(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPatternMatches(t *testing.T) {
	patterns := []string{"foo", "foo.bar", "foo.*", "*.bar", "*", ">", "foo.>", "*.*.>", "foo*", "foo.*.baz"}
	subjects := []string{
		"foo", "foo.bar", "foo.baz", "x.bar", "foo.bar.baz", "foo*", "foo.>", "foo.*", "*", ">",
		"", "foo..bar", ".foo", "foo.", "a.b.c.d",
	}
	for _, p := range patterns {
		for _, s := range subjects {
			if got, want := patternMatches(p, s), bruteMatch(p, s); got != want {
				t.Errorf("patternMatches(%q, %q) = %v, want %v", p, s, got, want)
			}
		}
	}
}

func TestLiteralPrefix(t *testing.T) {
	for p, want := range map[string]string{
		"*": "", ">": "", "*.foo": "", "foo.*": "foo.", "foo.bar.>": "foo.bar.",
		"foo.*.bar": "foo.", "foo*.>": "foo*.", "foo": "", "foo.bar": "foo.",
	} {
		if got := literalPrefix(p); got != want {
			t.Errorf("literalPrefix(%q) = %q, want %q", p, got, want)
		}
	}
}
