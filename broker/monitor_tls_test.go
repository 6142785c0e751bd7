package broker_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
)

func TestMonitorHTTPS(t *testing.T) {
	p := newPKI(t)
	// verify: true asks clients for a certificate; the monitor does not.
	s, _, _ := confServer(t, "https: \"127.0.0.1:-1\"\ntls { cert_file: \""+p.cert+"\", key_file: \""+p.key+
		"\", ca_file: \""+p.ca+"\", verify: true }\n")
	u := s.MonitorURL()
	if !strings.HasPrefix(u, "https://127.0.0.1:") {
		t.Fatalf("monitor URL %q", u)
	}
	pem, err := os.ReadFile(p.ca)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := hc.Get(u + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != `{"status":"ok"}` {
		t.Fatalf("healthz over https: %d %s", resp.StatusCode, b)
	}
	var v struct {
		HTTPPort  int `json:"http_port"`
		HTTPSPort int `json:"https_port"`
	}
	resp, err = hc.Get(u + "/varz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.HTTPPort != 0 || v.HTTPSPort == 0 || !strings.HasSuffix(u, ":"+strconv.Itoa(v.HTTPSPort)) {
		t.Errorf("varz ports: %+v for %s", v, u)
	}
}

func TestMonitorStartErrors(t *testing.T) {
	for _, tc := range []struct {
		o    broker.Options
		want string
	}{
		{broker.Options{HTTPSPort: -1}, "TLS cert and key required for HTTPS"},
		{broker.Options{HTTPPort: -1, HTTPSPort: -1}, "can't specify both HTTP (-1) and HTTPs (-1) ports"},
	} {
		tc.o.Host, tc.o.Port, tc.o.NoLog = "127.0.0.1", broker.RandomPort, true
		s, err := broker.New(&tc.o)
		if err == nil {
			err = s.Start()
			s.Shutdown()
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
}

// /connz shows an open TLS connection's version and cipher, its client
// certificates with auth=1, and tls_first under handshake_first.
func TestMonitorConnzTLS(t *testing.T) {
	p := newPKI(t)
	for _, first := range []bool{false, true} {
		t.Run("handshake_first="+strconv.FormatBool(first), func(t *testing.T) {
			conf := "http: \"127.0.0.1:-1\"\ntls { cert_file: \"" + p.cert + "\", key_file: \"" + p.key +
				"\", ca_file: \"" + p.ca + "\", verify: true, handshake_first: " + strconv.FormatBool(first) + " }\n"
			s, _, _ := confServer(t, conf)
			opts := []nats.Option{nats.RootCAs(p.ca), nats.ClientCert(p.ccert, p.ckey)}
			if first {
				opts = append(opts, nats.TLSHandshakeFirst())
			}
			mustConnect(t, tlsURL(s), opts...)
			var cz struct {
				Connections []struct {
					TLSVersion string `json:"tls_version"`
					TLSCipher  string `json:"tls_cipher_suite"`
					TLSFirst   bool   `json:"tls_first"`
					PeerCerts  []struct {
						Subject, SPKI, Cert string
					} `json:"tls_peer_certs"`
				} `json:"connections"`
			}
			getJSON(t, s.MonitorURL()+"/connz", &cz)
			if len(cz.Connections) != 1 {
				t.Fatalf("connz: %+v", cz)
			}
			c := cz.Connections[0]
			if c.TLSVersion != "1.3" || c.TLSCipher == "" || c.TLSFirst != first || c.PeerCerts != nil {
				t.Errorf("connz without auth: %+v", c)
			}
			var doc map[string]any
			b := getJSON(t, s.MonitorURL()+"/connz?auth=1", &doc)
			cert := readCert(t, p.ccert)
			spki, raw := sha256.Sum256(cert.RawSubjectPublicKeyInfo), sha256.Sum256(cert.Raw)
			want := `"tls_peer_certs":[{"subject":"CN=client","spki_sha256":"` + hex.EncodeToString(spki[:]) +
				`","cert_sha256":"` + hex.EncodeToString(raw[:]) + `"}]`
			if !strings.Contains(strings.Join(strings.Fields(string(b)), ""), want) {
				t.Errorf("connz?auth=1 lacks %s:\n%s", want, b)
			}
		})
	}
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("no PEM in %s", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
