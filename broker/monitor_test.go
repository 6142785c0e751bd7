package broker_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
)

// startMonitored runs a broker with the HTTP monitor on a random port.
func startMonitored(t *testing.T, opts *broker.Options) (*broker.Server, string) {
	t.Helper()
	o := &broker.Options{}
	if opts != nil {
		o = opts.Clone()
	}
	o.HTTPPort = broker.RandomPort
	o.HTTPHost = "127.0.0.1"
	s := startServer(t, o)
	u := s.MonitorURL()
	if u == "" {
		t.Fatal("no monitor URL")
	}
	return s, u
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// getJSON fetches url, checks nats-server's headers and decodes the body.
func getJSON(t *testing.T, url string, v any) []byte {
	t.Helper()
	code, h, b := get(t, url)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", url, code, b)
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET %s: headers %v", url, h)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, b)
	}
	return b
}

// keys lists a JSON object's keys in their order.
func keys(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var out []string
	for d.More() {
		k, _ := d.Token()
		out = append(out, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// golden reads a field list from testdata/monitor, without skip.
func golden(t *testing.T, name string, skip ...string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "monitor", name+".fields"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") || contains(skip, l) {
			continue
		}
		out = append(out, l)
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func checkFields(t *testing.T, what string, b []byte, want []string) {
	t.Helper()
	if got := keys(t, b); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s fields:\n got %v\nwant %v", what, got, want)
	}
}

type connzResp struct {
	ID       string `json:"server_id"`
	NumConns int    `json:"num_connections"`
	Total    int    `json:"total"`
	Offset   int    `json:"offset"`
	Limit    int    `json:"limit"`
	Conns    []struct {
		Cid        uint64   `json:"cid"`
		Name       string   `json:"name"`
		Lang       string   `json:"lang"`
		InMsgs     int64    `json:"in_msgs"`
		OutMsgs    int64    `json:"out_msgs"`
		InBytes    int64    `json:"in_bytes"`
		OutBytes   int64    `json:"out_bytes"`
		NumSubs    int      `json:"subscriptions"`
		Reason     string   `json:"reason"`
		Stop       string   `json:"stop"`
		Subs       []string `json:"subscriptions_list"`
		SubsDetail []struct {
			Subject string `json:"subject"`
			Queue   string `json:"qgroup"`
			Sid     string `json:"sid"`
			Msgs    int64  `json:"msgs"`
		} `json:"subscriptions_list_detail"`
		NameTag string `json:"name_tag"`
	} `json:"connections"`
}

func connectNamed(t *testing.T, s *broker.Server, name string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL(), nats.Name(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func TestMonitorCountersAndShapes(t *testing.T) {
	s, u := startMonitored(t, nil)
	sub := connectNamed(t, s, "sub")
	pub := connectNamed(t, s, "pub")
	if _, err := sub.SubscribeSync("foo"); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.QueueSubscribeSync("bar", "q"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := pub.Publish("foo", []byte(fmt.Sprintf("msg-%d", i))); err != nil { // 5 bytes each
			t.Fatal(err)
		}
	}
	if err := pub.Publish("nobody", []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}

	var v struct {
		Connections      int               `json:"connections"`
		TotalConnections int               `json:"total_connections"`
		InMsgs           int64             `json:"in_msgs"`
		InBytes          int64             `json:"in_bytes"`
		OutMsgs          int64             `json:"out_msgs"`
		OutBytes         int64             `json:"out_bytes"`
		Subscriptions    int               `json:"subscriptions"`
		PingInterval     int64             `json:"ping_interval"`
		Uptime           string            `json:"uptime"`
		HTTPReqStats     map[string]uint64 `json:"http_req_stats"`
	}
	b := getJSON(t, u+"/varz", &v)
	checkFields(t, "varz", b, golden(t, "varz", "system_account"))
	if v.Connections != 2 || v.TotalConnections != 2 || v.InMsgs != 11 || v.InBytes != 53 ||
		v.OutMsgs != 10 || v.OutBytes != 50 || v.Subscriptions != 2 {
		t.Errorf("varz counters: %+v", v)
	}
	if v.PingInterval != int64(2*time.Minute) || v.Uptime != "0s" || v.HTTPReqStats["/varz"] != 1 {
		t.Errorf("varz units: %+v", v)
	}
	if !bytes.Contains(b, []byte("{\n  \"server_id\": ")) {
		t.Errorf("varz is not indented by two spaces:\n%s", b[:40])
	}

	var cz connzResp
	b = getJSON(t, u+"/connz?subs=detail", &cz)
	checkFields(t, "connz", b, golden(t, "connz"))
	if cz.ID != s.ID() || cz.NumConns != 2 || cz.Total != 2 || cz.Limit != 1024 {
		t.Fatalf("connz: %+v", cz)
	}
	var raw struct{ Connections []json.RawMessage }
	_ = json.Unmarshal(b, &raw)
	checkFields(t, "conninfo", raw.Connections[0], golden(t, "conninfo_open"))
	c0, c1 := cz.Conns[0], cz.Conns[1]
	if c0.Name != "sub" || c0.Lang != "go" || c0.NumSubs != 2 || c0.OutMsgs != 10 || c0.OutBytes != 50 || c0.InMsgs != 0 {
		t.Errorf("sub conn: %+v", c0)
	}
	if len(c0.SubsDetail) != 2 || c0.SubsDetail[0].Subject != "foo" || c0.SubsDetail[0].Msgs != 10 ||
		c0.SubsDetail[1].Queue != "q" {
		t.Errorf("sub detail: %+v", c0.SubsDetail)
	}
	if c1.Name != "pub" || c1.InMsgs != 11 || c1.InBytes != 53 || c1.OutMsgs != 0 {
		t.Errorf("pub conn: %+v", c1)
	}

	var sz struct {
		NumSubs int `json:"num_subscriptions"`
		Total   int `json:"total"`
		Subs    []struct {
			Subject string `json:"subject"`
		} `json:"subscriptions_list"`
	}
	b = getJSON(t, u+"/subsz?subs=1&test=foo", &sz)
	checkFields(t, "subsz", b, golden(t, "subsz"))
	if sz.NumSubs != 2 || sz.Total != 1 || sz.Subs[0].Subject != "foo" {
		t.Errorf("subsz: %+v", sz)
	}
	var sraw struct{ Subscriptions_list []json.RawMessage } //nolint:revive
	_ = json.Unmarshal(b, &sraw)
	checkFields(t, "subdetail", sraw.Subscriptions_list[0], golden(t, "subdetail"))

	b = getJSON(t, u+"/routez", &struct{}{})
	checkFields(t, "routez", b, golden(t, "routez"))
	if !bytes.Contains(b, []byte(`"routes": []`)) {
		t.Errorf("routez: %s", b)
	}
	_, _, b = get(t, u+"/healthz")
	if string(b) != `{"status":"ok"}` {
		t.Errorf("healthz: %s", b)
	}

	// A closed connection's counts stay in the totals.
	sub.Close()
	waitFor(t, 2*time.Second, func() error {
		getJSON(t, u+"/varz", &v)
		if v.Connections != 1 || v.OutMsgs != 10 || v.OutBytes != 50 || v.InMsgs != 11 || v.Subscriptions != 0 {
			return fmt.Errorf("varz after close: %+v", v)
		}
		return nil
	})
}

func TestMonitorBadParams(t *testing.T) {
	_, u := startMonitored(t, nil)
	for _, tc := range []struct{ q, want string }{
		{"/connz?subs=x", `Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid syntax`},
		{"/connz?sort=bogus", "invalid sorting option: bogus"},
		{"/connz?state=foo", "Error decoding state for foo"},
		{"/connz?limit=x", `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax`},
		{"/connz?offset=x", `Error decoding int for 'offset': strconv.Atoi: parsing "x": invalid syntax`},
		{"/connz?cid=x", `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "x": invalid syntax`},
		{"/connz?auth=x", `Error decoding boolean for 'auth': strconv.ParseBool: parsing "x": invalid syntax`},
		{"/connz?sort=stop", "sort by stop only valid on closed connections"},
		{"/connz?sort=reason", "sort by reason only valid on closed connections"},
		{"/subsz?subs=x", `Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid syntax`},
		{"/subsz?test=foo.*", "invalid test subject, must be valid publish subject: foo.*"},
		{"/healthz?js-enabled-only=x", `Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing "x": invalid syntax`},
	} {
		code, _, b := get(t, u+tc.q)
		if code != 400 || string(b) != tc.want {
			t.Errorf("%s: %d %q, want 400 %q", tc.q, code, b, tc.want)
		}
	}
}

// firstCID is the cid of a server's first client, as in nats-server.
const firstCID = 5

func TestMonitorConnzSortPageAndClosed(t *testing.T) {
	s, u := startMonitored(t, &broker.Options{MaxClosedClients: 3})
	var conns []*nats.Conn
	for i := range 5 {
		nc := connectNamed(t, s, fmt.Sprintf("c%d", i))
		for range i {
			if err := nc.Publish("x", []byte("ab")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := nc.SubscribeSync(fmt.Sprintf("s.%d", i)); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, nc)
	}
	names := func(q string) string {
		var cz connzResp
		getJSON(t, u+"/connz?"+q, &cz)
		var n []string
		for _, c := range cz.Conns {
			n = append(n, c.Name)
		}
		return strings.Join(n, ",")
	}
	for q, want := range map[string]string{
		"":                           "c0,c1,c2,c3,c4",
		"sort=cid":                   "c0,c1,c2,c3,c4",
		"sort=start":                 "c0,c1,c2,c3,c4",
		"sort=msgs_from":             "c4,c3,c2,c1,c0",
		"sort=bytes_from":            "c4,c3,c2,c1,c0",
		"sort=uptime":                "c4,c3,c2,c1,c0",
		"sort=msgs_from&limit=2":     "c4,c3",
		"sort=msgs_from&offset=3":    "c1,c0",
		"offset=10":                  "",
		"sort=subs&limit=1&offset=1": "c1",
	} {
		if got := names(q); got != want {
			t.Errorf("connz?%s: %s, want %s", q, got, want)
		}
	}
	for _, q := range []string{"msgs_to", "bytes_to", "pending", "last", "idle", "rtt"} {
		if got := names("sort=" + q); len(strings.Split(got, ",")) != 5 {
			t.Errorf("sort=%s: %s", q, got)
		}
	}
	var cz connzResp
	getJSON(t, u+fmt.Sprintf("/connz?cid=%d&auth=1&subs=1", firstCID+1), &cz)
	if cz.NumConns != 1 || cz.Conns[0].Name != "c1" || cz.Conns[0].NameTag != "$G" ||
		len(cz.Conns[0].Subs) != 1 || cz.Conns[0].Subs[0] != "s.1" {
		t.Errorf("second cid: %+v", cz)
	}

	for i, nc := range conns { // one at a time, so the ring's order is known
		nc.Close()
		waitFor(t, 2*time.Second, func() error {
			var cz connzResp
			getJSON(t, u+"/connz", &cz)
			if cz.Total != len(conns)-i-1 {
				return fmt.Errorf("%d still open", cz.Total)
			}
			return nil
		})
	}
	code, _, b := get(t, u+"/connz?state=closed&subs=1&sort=reason")
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var raw struct{ Connections []json.RawMessage }
	_ = json.Unmarshal(b, &raw)
	checkFields(t, "closed conninfo", raw.Connections[0], append(golden(t, "conninfo_closed"), "name", "lang", "version", "subscriptions_list"))
	_ = json.Unmarshal(b, &cz)
	if cz.Total != 3 {
		t.Errorf("closed total %d, want 3", cz.Total)
	}
	if got := names("state=closed"); got != "c2,c3,c4" {
		t.Errorf("closed ring kept %s", got)
	}
	if got := names("state=closed&sort=stop"); got != "c4,c3,c2" {
		t.Errorf("sort=stop: %s", got)
	}
	for _, c := range cz.Conns {
		if c.Reason != "Client Closed" || c.Stop == "" || c.InMsgs != int64(c.Cid-firstCID) {
			t.Errorf("closed conn: %+v", c)
		}
	}
	// A closed connection's subscriptions keep their account, as
	// nats-server's do; it has no name tag in $G.
	_, _, b = get(t, u+"/connz?state=closed&subs=detail&auth=1&limit=1")
	if !bytes.Contains(b, []byte(`"account": "$G"`)) || bytes.Contains(b, []byte("name_tag")) {
		t.Errorf("closed detail:\n%s", b)
	}
	if got := names("state=all"); got != "c2,c3,c4" {
		t.Errorf("state=all: %s", got)
	}
}

func TestMonitorBasePathAndShutdown(t *testing.T) {
	dir := t.TempDir()
	s, u := startMonitored(t, &broker.Options{HTTPBasePath: "/mon", PortsFileDir: dir})
	if !strings.HasSuffix(u, "/mon") {
		t.Fatalf("url %s", u)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ports"))
	if len(files) != 1 {
		t.Fatalf("ports files: %v", files)
	}
	pb, _ := os.ReadFile(files[0])
	var ports struct{ Monitoring []string }
	if err := json.Unmarshal(pb, &ports); err != nil || len(ports.Monitoring) != 1 ||
		ports.Monitoring[0] != strings.TrimSuffix(u, "/mon") {
		t.Fatalf("ports file %s: %v", pb, err)
	}
	if code, _, b := get(t, u+"/healthz"); code != 200 || string(b) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", code, b)
	}
	s.Shutdown()
	if _, err := http.Get(u + "/healthz"); err == nil {
		t.Fatal("monitor still answers after Shutdown")
	}
}

// Only the base path itself is the index page; any other path no handler
// takes is 404, as in nats-server. A base path without its leading slash
// is served rooted.
func TestMonitorRootAndUnknownPaths(t *testing.T) {
	for _, c := range []struct {
		base string
		want map[string]int
	}{
		{"", map[string]int{"/": 200, "/foo": 404, "/varz/": 404, "/varz": 200, "/accountz": 404}},
		{"mon", map[string]int{"/mon": 200, "/mon/": 404, "/mon/varz": 200, "/mon/foo": 404, "/": 404, "/varz": 404}},
	} {
		t.Run("base="+c.base, func(t *testing.T) {
			s, _ := startMonitored(t, &broker.Options{HTTPBasePath: c.base})
			root := strings.TrimSuffix(s.MonitorURL(), "/"+c.base)
			for p, code := range c.want {
				if got, _, _ := get(t, root+p); got != code {
					t.Errorf("GET %s: %d, want %d", p, got, code)
				}
			}
		})
	}
}

// /subsz lists subscriptions as nats-server walks its index: depth first,
// at each level the literal tokens before * and >.
func TestMonitorSubszOrder(t *testing.T) {
	s, u := startMonitored(t, nil)
	nc := connectNamed(t, s, "subs")
	for _, subj := range []string{"foo.*", "foo.bar", ">"} {
		if _, err := nc.SubscribeSync(subj); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	var sz struct {
		Subs []struct{ Subject string } `json:"subscriptions_list"`
	}
	getJSON(t, u+"/subsz?subs=1", &sz)
	var got []string
	for _, x := range sz.Subs {
		got = append(got, x.Subject)
	}
	if strings.Join(got, " ") != "foo.bar foo.* >" {
		t.Fatalf("subsz order %v, want [foo.bar foo.* >]", got)
	}
}

// /healthz checks its JetStream parameters as nats-server does, even with
// no JetStream: a stream needs an account, a consumer a stream.
func TestMonitorHealthzParams(t *testing.T) {
	_, u := startMonitored(t, nil)
	for _, c := range []struct {
		q    string
		code int
		body string
	}{
		{"", 200, `{"status":"ok"}`},
		{"?details=true", 200, `{"status":"ok"}`},
		{"?account=a&stream=s&consumer=c", 200, `{"status":"ok"}`},
		{"?stream=x", 400, `{"status":"error","error":"\"account\" must not be empty when checking stream health"}`},
		{"?account=a&consumer=c", 400, `{"status":"error","error":"\"stream\" must not be empty when checking consumer health"}`},
		{"?stream=x&details=true", 400, `{"status":"error","errors":[{"type":"BAD_REQUEST","error":"\"account\" must not be empty when checking stream health"}]}`},
	} {
		code, _, b := get(t, u+"/healthz"+c.q)
		if code != c.code || string(b) != c.body {
			t.Errorf("/healthz%s: %d %s, want %d %s", c.q, code, b, c.code, c.body)
		}
	}
}
