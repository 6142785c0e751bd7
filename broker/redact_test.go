package broker

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestRedactSecrets(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", `{"user":"u","pass":"p","auth_token":"t"}`, `{"user":"u","pass":"[REDACTED]","auth_token":"[REDACTED]"}`},
		{"sig, proxy_sig and nkey", `{"sig":"s","proxy_sig":"ps","nkey":"UA","jwt":"j"}`,
			`{"sig":"[REDACTED]","proxy_sig":"[REDACTED]","nkey":"[REDACTED]","jwt":"j"}`},
		{"spaces kept", `{ "pass" :  "p" , "user": "u"}`, `{ "pass" :  "[REDACTED]" , "user": "u"}`},
		{"escaped quote in the value", `{"pass":"a\"b\\","user":"u"}`, `{"pass":"[REDACTED]","user":"u"}`},
		{"any case, as encoding/json", `{"PASS":"p","Auth_Token":"t","SIG":"s"}`,
			`{"PASS":"[REDACTED]","Auth_Token":"[REDACTED]","SIG":"[REDACTED]"}`},
		{"escaped key", `{"p\u0061ss":"p"}`, `{"p\u0061ss":"[REDACTED]"}`},
		{"long s folds to s", `{"paſs":"p"}`, `{"paſs":"[REDACTED]"}`},
		{"prefixes", `{"password":"p","auth_token_x":"t"}`, `{"password":"[REDACTED]","auth_token_x":"[REDACTED]"}`},
		{"bare value", `{"auth_token":12345,"pass":true}`, `{"auth_token":[REDACTED],"pass":[REDACTED]}`},
		{"not a secret key", `{"signature":"s","bypass":"b","name":"pass"}`, `{"signature":"s","bypass":"b","name":"pass"}`},
		{"a value that looks like a key", `{"name":"\"pass\":\"x","pass":"p"}`, `{"name":"\"pass\":\"x","pass":"[REDACTED]"}`},
		{"not JSON", `pass`, `pass`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(redactSecrets([]byte(tt.in))); got != tt.want {
				t.Fatalf("redactSecrets(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzRedactSecrets: redacting twice changes nothing more, and a redacted
// CONNECT that still decodes holds no password, token or signature.
func FuzzRedactSecrets(f *testing.F) {
	for _, s := range []string{`{"user":"u","pass":"p"}`, `{"PASS":"p","auth_token":1}`, `{"p\u0061ss":"a\"b"}`, `{"sig":"s","x":{"pass":"q"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := redactSecrets(in)
		if again := redactSecrets(out); !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		var o connectOpts
		if json.Unmarshal(out, &o) != nil {
			return
		}
		for _, s := range []string{o.Pass, o.Token, o.Sig} {
			if s != "" && s != "[REDACTED]" {
				t.Fatalf("secret %q survives in %q (from %q)", s, out, in)
			}
		}
	})
}
