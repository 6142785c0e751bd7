package instance

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// connectSecrets are CONNECTs carrying credentials in every spelling the
// broker's JSON decoding accepts; each secret contains "S3CR3T" (or is
// 987654321), which must appear in no log line. An nkey is a public key:
// the client's log label names it, as nats-server's does.
var connectSecrets = []string{
	`{"verbose":false,"pedantic":false,"user":"alice","pass":"S3CR3T-pass-1","auth_token":"S3CR3T-token-1","sig":"S3CR3T-sig-1","nkey":"UPUBLICKEY"}`,
	`{ "pass" : "S3CR3T-pass-2" , "auth_token" :"S3CR3T-token-2", "proxy_sig": "S3CR3T-psig-2" }`,
	`{"pass":"a\"S3CR3T-pass-3\"b","password":"S3CR3T-password-3"}`,
	`{"PASS":"S3CR3T-pass-4","Auth_Token":"S3CR3T-token-4","SIG":"S3CR3T-sig-4"}`,
	`{"p\u0061ss":"S3CR3T-pass-5","auth_tok\u0065n":"S3CR3T-token-5"}`,
	`{"auth_token":987654321}`,
	`{"user":"bob","pass":"S3CR3T-pass-7\\","verbose":false}`,
}

// A broker run with -DV logs every CONNECT it receives, with the secrets
// redacted, whatever their spelling.
func TestRunLogsNoSecrets(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "n.log")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"-a", "127.0.0.1", "-p", "-1", "-DV", "-l", logFile}, &stdout, &stderr)
	}()
	readLog := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	addr := waitForListen(t, readLog, done)

	for _, c := range connectSecrets {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write([]byte("CONNECT " + c + "\r\nPING\r\n")); err != nil {
			t.Fatal(err)
		}
		// Read until PONG or the close of a CONNECT the broker refuses.
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil || line == "PONG\r\n" {
				break
			}
		}
		conn.Close()
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d; stderr %s", code, stderr.String())
	}
	log := readLog()
	if n := strings.Count(log, "<<- [CONNECT "); n != len(connectSecrets) {
		t.Fatalf("%d CONNECT trace lines, want %d:\n%s", n, len(connectSecrets), log)
	}
	for _, line := range strings.SplitAfter(log, "\n") {
		if strings.Contains(line, "S3CR3T") || strings.Contains(line, "987654321") {
			t.Errorf("a secret reached the log: %s", line)
		}
	}
}
