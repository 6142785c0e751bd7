package broker_test

import (
	"testing"
)

// The scripted cases in testdata/protocol pin the client protocol byte for
// byte, as nats-server v2.15.2 speaks it. TestReferenceConformance plays them
// against the real nats-server, which validates the expectations themselves;
// TestConformance plays the same cases against our broker. Run both after
// changing a script:
//
//	go test ./broker/ -run 'Conformance'
//
// The format is described in testutil_test.go.

// TestConformance runs every scripted protocol case against the broker.
func TestConformance(t *testing.T) {
	runCases(t, brokerTarget{})
}

// TestReferenceConformance runs every scripted protocol case against
// nats-server ($NATS_SERVER_BIN, or the copy shared/tools/peers.sh installs
// in ~/.cache/natsvisor-peers).
func TestReferenceConformance(t *testing.T) {
	bin := referenceBinary()
	if bin == "" {
		t.Skip("nats-server not found: set NATS_SERVER_BIN or run shared/tools/peers.sh")
	}
	runCases(t, referenceTarget{bin: bin})
}

// TestScriptSyntax checks the script reader on the forms it must refuse and
// the escapes it decodes, so that a typo in a case fails loudly instead of
// testing something else.
func TestScriptSyntax(t *testing.T) {
	bad := []struct{ name, text string }{
		{"step before case", "send a PING\\r\\n\n"},
		{"unknown verb", "case x\nsned a PING\n"},
		{"unknown escape", "case x\nsend a \\q\n"},
		{"short hex escape", "case x\nsend a \\x4\n"},
		{"unknown config key", "case x\nconfig max_foo 1\n"},
		{"config after a step", "case x\ndial a\nconfig max_payload 1\n"},
		{"bad regexp", "case x\nmatch a (\n"},
		{"missing conn", "case x\nclosed\n"},
		{"bad duration", "case x\nquiet a soon\n"},
	}
	for _, tc := range bad {
		if _, err := parseScript("t.txt", tc.text); err == nil {
			t.Errorf("%s: parsed without error", tc.name)
		}
	}
	cases, err := parseScript("t.txt", "case x\n  send a A\\r\\n\\x00\\\\ \\\n    B\\t\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(cases[0].steps[0].data), "A\r\n\x00\\ B\t"; got != want {
		t.Errorf("unescape: got %q, want %q", got, want)
	}
}
