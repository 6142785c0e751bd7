package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func runMkpasswd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newMkpasswdCmd()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestMkpasswdGenerates(t *testing.T) {
	out, err := runMkpasswd(t, "", "-c", "4")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^pass: (\S{22})\nbcrypt hash: (\$2a\$04\$\S{53})\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q", out)
	}
	if bcrypt.CompareHashAndPassword([]byte(m[2]), []byte(m[1])) != nil {
		t.Fatal("hash does not match the password")
	}
}

func TestMkpasswdDefaultCost(t *testing.T) {
	out, err := runMkpasswd(t, "")
	if err != nil || !strings.Contains(out, "bcrypt hash: $2a$11$") {
		t.Fatalf("%q %v", out, err)
	}
}

func TestMkpasswdReadsPassword(t *testing.T) {
	out, err := runMkpasswd(t, "s3cret\ns3cret\n", "-p", "-c", "4")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "s3cret") {
		t.Fatalf("the password is echoed: %q", out)
	}
	i := strings.Index(out, "bcrypt hash: ")
	if !strings.HasPrefix(out, "Enter Password: \nReenter Password: \n") || i < 0 {
		t.Fatalf("output %q", out)
	}
	hash := strings.TrimSpace(out[i+len("bcrypt hash: "):])
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte("s3cret")) != nil {
		t.Fatal("hash does not match")
	}
	if _, err := runMkpasswd(t, "a\nb\n", "-p"); err == nil || err.Error() != "passwords do not match" {
		t.Fatalf("mismatch: %v", err)
	}
}
