package broker_test

import (
	"crypto/tls"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/internal/testkit"
)

// TestTLSCertsAndMinVersion: with certs, the client's server name picks
// the certificate; min_version "1.3" refuses a TLS 1.2 client. Both as
// nats-server.
func TestTLSCertsAndMinVersion(t *testing.T) {
	dir := t.TempDir()
	ca := testkit.NewCA(t, "Test CA")
	caFile := testkit.WriteCert(t, filepath.Join(dir, "ca.pem"), ca.Cert)
	pair := func(name string) string {
		c, k := ca.IssueFor(t, name, name)
		cf := testkit.WriteCert(t, filepath.Join(dir, name+".pem"), c)
		kf := testkit.WriteKey(t, filepath.Join(dir, name+"-key.pem"), k)
		return `{cert_file: "` + cf + `", key_file: "` + kf + `"}`
	}
	conf := "tls { certs: [" + pair("a.example") + ", " + pair("b.example") + "], min_version: \"1.3\" }\n"
	bothServers(t, conf, func(t *testing.T, addr string) {
		url := "tls://" + addr
		for _, name := range []string{"a.example", "b.example"} {
			nc := mustConnect(t, url, nats.RootCAs(caFile), nats.Secure(&tls.Config{ServerName: name}))
			st, err := nc.TLSConnectionState()
			if err != nil {
				t.Fatal(err)
			}
			if cn := st.PeerCertificates[0].Subject.CommonName; cn != name || st.Version != tls.VersionTLS13 {
				t.Errorf("server name %s: served %s over %s", name, cn, tls.VersionName(st.Version))
			}
			nc.Close()
		}
		nc, err := nats.Connect(url, nats.NoReconnect(), nats.RootCAs(caFile),
			nats.Secure(&tls.Config{ServerName: "a.example", MaxVersion: tls.VersionTLS12}))
		if err == nil {
			nc.Close()
			t.Fatal("a TLS 1.2 client connected under min_version 1.3")
		}
	})
}
