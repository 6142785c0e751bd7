package broker

import (
	"net/http"
	"runtime"
	"time"
)

// The paths of features this broker does not have (gateways, leafnodes)
// answer as nats-server answers when they are not configured, so the
// tools that poll them (the Prometheus exporter's -gatewayz and -leafz)
// work; /stacksz dumps the goroutines, as there.
const (
	gatewayzPath = "/gatewayz"
	leafzPath    = "/leafz"
	stackszPath  = "/stacksz"
)

// gatewayz is /gatewayz's answer with no gateway configured.
type gatewayz struct {
	ID       string              `json:"server_id"`
	Now      time.Time           `json:"now"`
	Outbound map[string]struct{} `json:"outbound_gateways"`
	Inbound  map[string]struct{} `json:"inbound_gateways"`
}

func (s *Server) handleGatewayz(w http.ResponseWriter, r *http.Request) {
	s.countRequest(gatewayzPath)
	if _, _, err := decodeSubs(w, r); err != nil {
		return
	}
	if _, err := decodeBool(w, r, "accs"); err != nil {
		return
	}
	s.writeJSON(w, http.StatusOK, gatewayz{ID: s.id, Now: time.Now().UTC(), Outbound: map[string]struct{}{}, Inbound: map[string]struct{}{}})
}

// leafz is /leafz's answer with no leafnode connections.
type leafz struct {
	ID       string     `json:"server_id"`
	Now      time.Time  `json:"now"`
	NumLeafs int        `json:"leafnodes"`
	Leafs    []struct{} `json:"leafs"`
}

func (s *Server) handleLeafz(w http.ResponseWriter, r *http.Request) {
	s.countRequest(leafzPath)
	if _, err := decodeBool(w, r, "subs"); err != nil {
		return
	}
	s.writeJSON(w, http.StatusOK, leafz{ID: s.id, Now: time.Now().UTC(), Leafs: []struct{}{}})
}

// handleStacksz writes every goroutine's stack. It takes no lock, so it
// works even if something is stuck holding one. (nats-server neither
// counts it in http_req_stats nor changes its JSON content type.)
func (s *Server) handleStacksz(w http.ResponseWriter, _ *http.Request) {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(buf)
}
