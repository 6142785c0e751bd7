package broker

import (
	"slices"
	"testing"
)

func TestRedactArgs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--user", "u", "--pass", "p", "-p", "4222"}, []string{"--user", "u", "--pass", "[REDACTED]", "-p", "4222"}},
		{[]string{"-pass=p", "--auth=t", "-auth", "t2"}, []string{"-pass=[REDACTED]", "--auth=[REDACTED]", "-auth", "[REDACTED]"}},
		{[]string{"--pass"}, []string{"--pass"}},
		{[]string{"-c", "--pass"}, []string{"-c", "--pass"}}, // a trailing --pass has no value to hide
	} {
		in := slices.Clone(tc.in)
		if got := RedactArgs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("RedactArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("RedactArgs changed its argument")
		}
	}
}
