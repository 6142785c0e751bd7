package broker

import (
	"crypto/tls"
	"encoding/json"
	"runtime"
)

// serverInfo is the INFO a client receives, field for field and in the order
// nats-server writes it (its JSON is matched byte for byte by clients' tests).
type serverInfo struct {
	ID            string   `json:"server_id"`
	Name          string   `json:"server_name"`
	Version       string   `json:"version"`
	Proto         int      `json:"proto"`
	GoVersion     string   `json:"go"`
	Host          string   `json:"host"`
	Port          int      `json:"port"`
	Headers       bool     `json:"headers"`
	AuthRequired  bool     `json:"auth_required,omitempty"`
	TLSRequired   bool     `json:"tls_required,omitempty"`
	TLSVerify     bool     `json:"tls_verify,omitempty"`
	TLSAvailable  bool     `json:"tls_available,omitempty"`
	MaxPayload    int32    `json:"max_payload"`
	CID           uint64   `json:"client_id,omitempty"`
	ClientIP      string   `json:"client_ip,omitempty"`
	Nonce         string   `json:"nonce,omitempty"`
	ConnectURLs   []string `json:"connect_urls,omitempty"`
	LameDuckMode  bool     `json:"ldm,omitempty"`
	ConnectInfo   bool     `json:"connect_info,omitempty"`
	RemoteAccount string   `json:"remote_account,omitempty"`
	IsSysAccount  bool     `json:"acc_is_sys,omitempty"`
	APILevel      int      `json:"api_lvl,omitempty"`
	XKey          string   `json:"xkey,omitempty"`
}

// jsAPILevel is the JetStream API level nats-server 2.15 advertises even with
// JetStream off; clients use it to pick features.
const jsAPILevel = 5

// globalAccount is the implicit account every client binds to.
const globalAccount = "$G"

// baseInfo is the INFO fields shared by every client of s.
func (s *Server) baseInfo() serverInfo {
	o := s.Options()
	host, port := o.Host, s.port
	if o.ClientAdvertise != "" {
		host, port = advertised(o.ClientAdvertise, s.port)
	}
	info := serverInfo{
		ID:         s.id,
		Name:       s.name,
		Version:    Version,
		Proto:      1,
		GoVersion:  runtime.Version(),
		Host:       host,
		Port:       port,
		Headers:    !o.NoHeaderSupport,
		MaxPayload: o.MaxPayload,
		APILevel:   jsAPILevel,
		XKey:       s.xkey,
	}
	// As nats-server's server-wide INFO, which its async INFOs (connect_info,
	// ldm) repeat; createClient adjusts them per connection.
	if a := s.authp.Load(); a != nil {
		info.AuthRequired = a.required
	}
	if tc := s.tlsp.Load(); tc != nil {
		info.TLSRequired, info.TLSAvailable = !o.AllowNonTLS, o.AllowNonTLS
		info.TLSVerify = tc.ClientAuth == tls.RequireAndVerifyClientCert
	}
	return info
}

// infoProto renders `INFO {json} \r\n`: nats-server puts a space before CRLF.
func infoProto(info *serverInfo) []byte {
	b, _ := json.Marshal(info) // cannot fail: only strings, numbers, bools
	out := make([]byte, 0, len(b)+8)
	out = append(out, "INFO "...)
	out = append(out, b...)
	return append(out, " \r\n"...)
}
