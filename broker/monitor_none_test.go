package broker_test

import (
	"regexp"
	"strings"
	"testing"
)

// volatile are the parts of a monitoring answer that differ between two
// servers started alike: the id and the time.
var volatile = regexp.MustCompile(`"(server_id|now)": "[^"]*"`)

// TestMonitorGatewayzLeafz: /gatewayz and /leafz answer as nats-server's
// do with no gateway or leafnode configured, 400s included, and count in
// /varz's http_req_stats; /stacksz dumps the goroutines.
func TestMonitorGatewayzLeafz(t *testing.T) {
	_, ours := startMonitored(t, nil)
	ref := ""
	if bin := referenceBinary(); bin != "" {
		ref = launchReference(t, bin, serverConfig{}, "-1", "-m", "-1").monitor
	}
	queries := []string{
		"/gatewayz", "/gatewayz?accs=1&subs=detail&gw_name=x&acc_name=y", "/gatewayz?subs=x", "/gatewayz?accs=maybe",
		"/leafz", "/leafz?subs=true&acc=A", "/leafz?subs=2",
	}
	for _, q := range queries {
		code, h, b := get(t, ours+q)
		body := volatile.ReplaceAllString(string(b), `"$1": "-"`)
		if code == 200 && (h.Get("Content-Type") != "application/json" || !strings.Contains(body, `"server_id": "-"`)) {
			t.Errorf("%s: %s %s", q, h.Get("Content-Type"), b)
		}
		if ref == "" {
			continue
		}
		rcode, rh, rb := get(t, ref+q)
		rbody := volatile.ReplaceAllString(string(rb), `"$1": "-"`)
		if code != rcode || body != rbody || h.Get("Content-Type") != rh.Get("Content-Type") {
			t.Errorf("%s:\nours %d %q %s\nnats-server %d %q %s", q, code, h.Get("Content-Type"), body, rcode, rh.Get("Content-Type"), rbody)
		}
	}
	var v struct {
		Stats map[string]int `json:"http_req_stats"`
	}
	getJSON(t, ours+"/varz", &v)
	if v.Stats["/gatewayz"] != 4 || v.Stats["/leafz"] != 3 {
		t.Errorf("http_req_stats: %v", v.Stats)
	}
	code, _, b := get(t, ours+"/stacksz")
	if code != 200 || !strings.Contains(string(b), "goroutine ") || !strings.Contains(string(b), "handleStacksz") {
		t.Errorf("/stacksz: %d %.200s", code, b)
	}
}
