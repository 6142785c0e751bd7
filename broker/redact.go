package broker

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// connectField matches one `"key": value` pair of a CONNECT's JSON: a quoted
// key (escapes allowed), then a quoted string (escapes allowed) or a bare
// value such as a number. A bare [REDACTED] is a value too, so redacting
// what was redacted already reads it the same way and changes nothing.
var connectField = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"(\s*:\s*)(?:("(?:[^"\\]|\\.)*")|(\[REDACTED\]|[^\s,}\]"{\[]+))`)

// redactSecrets replaces the passwords, tokens, signatures and nkeys in a
// CONNECT's JSON with [REDACTED] for the trace. Keys are matched as
// encoding/json matches them to fields: after unescaping and ignoring case
// ("PASS" and "p\u0061ss" are the password too), and bare values are
// redacted as well as strings.
func redactSecrets(arg []byte) []byte {
	return connectField.ReplaceAllFunc(arg, func(m []byte) []byte {
		sub := connectField.FindSubmatch(m)
		if !secretKey(sub[1]) {
			return m
		}
		r := append(append([]byte{'"'}, sub[1]...), '"')
		r = append(r, sub[2]...)
		if sub[3] != nil {
			return append(r, `"[REDACTED]"`...)
		}
		return append(r, "[REDACTED]"...)
	})
}

// secretKey reports whether a raw (still escaped) CONNECT key names a
// secret: pass…, auth_token…, sig, proxy_sig or nkey, as nats-server
// redacts, in any case.
func secretKey(raw []byte) bool {
	var k string
	if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &k) != nil {
		k = string(raw)
	}
	for _, name := range []string{"sig", "proxy_sig", "nkey"} {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return hasPrefixFold(k, "pass") || hasPrefixFold(k, "auth_token")
}

// hasPrefixFold is strings.HasPrefix under Unicode case folding, as
// encoding/json compares keys (so "paſs" is "pass" too).
func hasPrefixFold(s, prefix string) bool {
	for _, p := range prefix {
		r, n := utf8.DecodeRuneInString(s)
		if n == 0 || !strings.EqualFold(string(r), string(p)) {
			return false
		}
		s = s[n:]
	}
	return true
}
