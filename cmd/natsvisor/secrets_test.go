package main

import (
	"strings"
	"testing"
)

// Passwords and tokens given as broker flags never show: not in a dry
// run, status, list, or their JSON.
func TestSecretsNotShown(t *testing.T) {
	c := newCLI(t)
	args := []string{"--", "-p", "4333", "--user", "u", "--pass", "hunter2", "--auth=t0ken"}
	outputs := []string{c.ok(append([]string{"install", "--name", "east", "--dry-run"}, args...)...)}
	outputs = append(outputs, c.ok(append([]string{"install", "--name", "east"}, args...)...))
	for _, cmd := range [][]string{{"status", "east"}, {"status", "east", "-o", "json"}, {"list"}, {"list", "-o", "json"}} {
		outputs = append(outputs, c.ok(cmd...))
	}
	for i, out := range outputs {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "t0ken") {
			t.Errorf("output %d shows a secret:\n%s", i, out)
		}
	}
	if !strings.Contains(outputs[2], "--pass '[REDACTED]'") || !strings.Contains(outputs[3], `"--auth=[REDACTED]"`) {
		t.Errorf("status does not show the redacted flags:\n%s\n%s", outputs[2], outputs[3])
	}
}
