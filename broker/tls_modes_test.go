package broker_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// bothServers runs f against our broker and, when it is installed, against
// nats-server, each started with the config text conf on 127.0.0.1 and a
// random port.
func bothServers(t *testing.T, conf string, f func(t *testing.T, addr string)) {
	t.Run("broker", func(t *testing.T) {
		f(t, startServer(t, brokerOptions(t, serverConfig{"conf": conf})).Addr().String())
	})
	t.Run("nats-server", func(t *testing.T) {
		bin := referenceBinary()
		if bin == "" {
			t.Skip("nats-server not installed (shared/tools/peers.sh)")
		}
		f(t, strings.TrimPrefix(launchReference(t, bin, serverConfig{"conf": conf}, "-1").addr, "tls://"))
	})
}

// tlsConf is a tls {} block with the test PKI's server certificate and
// extra keys.
func (p *testPKI) tlsConf(extra string) string {
	return "tls { cert_file: \"" + p.cert + "\", key_file: \"" + p.key + "\", ca_file: \"" + p.ca + "\"" + extra + " }\n"
}

func (p *testPKI) roots(t *testing.T) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(p.ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return pool
}

// readLine reads one protocol line within d; "" with the error when none
// came.
func readLine(c net.Conn, br *bufio.Reader, d time.Duration) (string, error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	return br.ReadString('\n')
}

// pingPong sends CONNECT and PING and expects PONG.
func pingPong(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	if _, err := c.Write([]byte("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	line, err := readLine(c, br, 3*time.Second)
	if line != "PONG\r\n" {
		t.Fatalf("after PING got %q (%v), want PONG", line, err)
	}
}

// echo checks a connection delivers its own message.
func echo(t *testing.T, nc *nats.Conn) {
	t.Helper()
	sub, err := nc.SubscribeSync("echo")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("echo", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(3 * time.Second); err != nil || string(m.Data) != "hi" {
		t.Fatalf("message %v, %v", m, err)
	}
}

// allow_non_tls: INFO offers TLS (tls_available, no tls_required) and the
// client's first byte picks TLS or clear.
func TestTLSAllowNonTLS(t *testing.T) {
	p := newPKI(t)
	bothServers(t, "allow_non_tls: true\n"+p.tlsConf(""), func(t *testing.T, addr string) {
		t.Run("clear", func(t *testing.T) {
			c, br := dialRaw(t, addr)
			info, err := readLine(c, br, 3*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(info, `"headers":true,"tls_available":true,"max_payload"`) || strings.Contains(info, "tls_required") {
				t.Fatalf("INFO %s", info)
			}
			pingPong(t, c, br)
		})
		t.Run("TLS after INFO", func(t *testing.T) {
			c, br := dialRaw(t, addr)
			if _, err := readLine(c, br, 3*time.Second); err != nil {
				t.Fatal(err)
			}
			tc := tls.Client(c, &tls.Config{RootCAs: p.roots(t), ServerName: "127.0.0.1"})
			if err := tc.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if st := tc.ConnectionState(); !st.HandshakeComplete {
				t.Fatal("handshake incomplete")
			}
			pingPong(t, tc, bufio.NewReader(tc))
		})
		t.Run("nats.go", func(t *testing.T) {
			echo(t, mustConnect(t, "nats://"+addr))
			echo(t, mustConnect(t, "tls://"+addr, nats.RootCAs(p.ca)))
		})
	})
}

// handshake_first: no INFO before the handshake; INFO over TLS after it
// says tls_required, even with allow_non_tls.
func TestTLSHandshakeFirst(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct{ name, conf string }{
		{"handshake_first", p.tlsConf(", handshake_first: true")},
		{"first with allow_non_tls", "allow_non_tls: true\n" + p.tlsConf(", first: \"on\"")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothServers(t, tc.conf, func(t *testing.T, addr string) {
				c, br := dialRaw(t, addr)
				if line, err := readLine(c, br, 300*time.Millisecond); !isTimeout(err) {
					t.Fatalf("before the handshake got %q (%v), want nothing", line, err)
				}
				tlc := tls.Client(c, &tls.Config{RootCAs: p.roots(t), ServerName: "127.0.0.1"})
				if err := tlc.Handshake(); err != nil {
					t.Fatalf("handshake: %v", err)
				}
				tbr := bufio.NewReader(tlc)
				info, err := readLine(tlc, tbr, 3*time.Second)
				if err != nil || !strings.HasPrefix(info, "INFO ") || !strings.Contains(info, `"tls_required":true`) {
					t.Fatalf("INFO over TLS %q (%v)", info, err)
				}
				pingPong(t, tlc, tbr)

				echo(t, mustConnect(t, "tls://"+addr, nats.RootCAs(p.ca), nats.TLSHandshakeFirst()))
				// A client waiting for INFO first gets nowhere.
				if nc, err := nats.Connect("tls://"+addr, nats.RootCAs(p.ca), nats.NoReconnect(), nats.Timeout(500*time.Millisecond)); err == nil {
					nc.Close()
					t.Fatal("a client without TLSHandshakeFirst connected")
				}
			})
		})
	}
}

// handshake_first with a fallback: a client silent for the delay gets INFO
// in clear and goes on as without handshake_first.
func TestTLSHandshakeFirstFallback(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		name, conf string
		clear      bool // a plaintext client is served (allow_non_tls)
	}{
		{"duration", p.tlsConf(", handshake_first: \"100ms\""), false},
		{"auto with allow_non_tls", "allow_non_tls: true\n" + p.tlsConf(", handshake_first: auto"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothServers(t, tc.conf, func(t *testing.T, addr string) {
				c, br := dialRaw(t, addr)
				info, err := readLine(c, br, 3*time.Second)
				if err != nil {
					t.Fatalf("no INFO in clear after the fallback: %v", err)
				}
				if tc.clear {
					if !strings.Contains(info, `"tls_available":true`) || strings.Contains(info, "tls_required") {
						t.Fatalf("INFO %s", info)
					}
					pingPong(t, c, br)
				} else if !strings.Contains(info, `"tls_required":true`) || strings.Contains(info, "tls_available") {
					t.Fatalf("INFO %s", info)
				}
				echo(t, mustConnect(t, "tls://"+addr, nats.RootCAs(p.ca), nats.TLSHandshakeFirst()))
				echo(t, mustConnect(t, "tls://"+addr, nats.RootCAs(p.ca)))
			})
		})
	}
}

// Without a fallback, handshake_first overrides allow_non_tls in the start
// log, and warns; the modes that are not changed by a reload are refused.
func TestTLSModesStartAndReload(t *testing.T) {
	p := newPKI(t)
	s, path, lines := confServer(t, "allow_non_tls: true\n"+p.tlsConf(", handshake_first: true"))
	_ = s
	for _, want := range []string{"[INF] TLS required for client connections",
		`[WRN] Clients that are not using "TLS Handshake First" option will fail to connect`} {
		lines.wait(t, 0, want)
	}
	for _, tc := range []struct{ conf, want string }{
		{p.tlsConf(", handshake_first: true"), "config reload not supported for AllowNonTLS: old=true, new=false"},
		{"allow_non_tls: true\n" + p.tlsConf(", handshake_first: true, verify_and_map: true"), "config reload not supported for TLSMap: old=false, new=true"},
	} {
		if err := os.WriteFile(path, []byte("listen: 127.0.0.1:-1\n"+tc.conf), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.Reload(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("reload: %v, want %q", err, tc.want)
		}
	}
	m := lines.mark()
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:-1\nallow_non_tls: true\n"+p.tlsConf(", handshake_first: \"200ms\"")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	lines.wait(t, m, "[INF] Reloaded: Client TLS handshake first fallback delay: 200ms")
	// The fallback is in force: a plaintext client is served.
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	if _, err := readLine(c, br, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	pingPong(t, c, br)

	m = lines.mark()
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:-1\nallow_non_tls: true\n"+p.tlsConf("")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	lines.wait(t, m, "[INF] Reloaded: Client TLS handshake first: false")
}

// A client that never says anything while the server waits to learn its
// transport does not hold up Shutdown, whatever the TLS timeout; with
// allow_non_tls the start log says TLS is available.
func TestTLSNegotiationShutdown(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct{ name, conf string }{
		{"handshake_first", p.tlsConf(", timeout: 30, handshake_first: true")},
		{"fallback", p.tlsConf(", timeout: 30, handshake_first: \"50ms\"")},
		{"allow_non_tls", "allow_non_tls: true\n" + p.tlsConf(", timeout: 30")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, lines := confServer(t, "debug: true\n"+tc.conf)
			if tc.name == "allow_non_tls" {
				lines.wait(t, 0, "[INF] TLS available for client connections")
			}
			c, err := net.Dial("tcp", s.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			lines.wait(t, 0, "Client connection created")
			go s.Shutdown()
			select {
			case <-s.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("Shutdown waits for a silent client")
			}
		})
	}
}

// The INFO that answers the first PING repeats the server's auth and TLS
// fields, as nats-server's does.
func TestTLSConnectInfoFields(t *testing.T) {
	p := newPKI(t)
	bothServers(t, "allow_non_tls: true\nauthorization { token: t }\n"+p.tlsConf(""), func(t *testing.T, addr string) {
		c, br := dialRaw(t, addr)
		if _, err := readLine(c, br, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("CONNECT {\"verbose\":false,\"protocol\":1,\"auth_token\":\"t\"}\r\nPING\r\n")); err != nil {
			t.Fatal(err)
		}
		if line, err := readLine(c, br, 3*time.Second); line != "PONG\r\n" {
			t.Fatalf("got %q (%v), want PONG", line, err)
		}
		info, err := readLine(c, br, 3*time.Second)
		if err != nil || !strings.Contains(info, `"connect_info":true`) ||
			!strings.Contains(info, `"headers":true,"auth_required":true,"tls_available":true,"max_payload"`) {
			t.Fatalf("connect INFO %q (%v)", info, err)
		}
	})
}
