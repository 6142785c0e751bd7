package broker_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

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
