package broker

import "strings"

// secretFlags are the flags whose values are secrets: a password and a token.
var secretFlags = map[string]bool{"pass": true, "auth": true}

// RedactArgs returns a copy of nats-server flags with the values of --pass
// and --auth replaced by [REDACTED], in every spelling (-pass x, --pass=x),
// for showing a command line: dry runs, status, list, JSON reports.
func RedactArgs(args []string) []string {
	out := make([]string, len(args))
	copy(out, args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !secretFlags[name] {
			continue
		}
		if hasValue {
			out[i] = a[:strings.Index(a, "=")+1] + "[REDACTED]"
		} else if i+1 < len(out) {
			i++
			out[i] = "[REDACTED]"
		}
	}
	return out
}
