package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/natsvisor/natsvisor/instance"
)

// monitorTimeout bounds each request to an instance's HTTP monitor.
const monitorTimeout = 2 * time.Second

// monitorClient reads a local instance's monitor. An https monitor's
// certificate is not checked: it is asked for at a loopback address its
// certificate need not name, nothing secret is sent, and only counters are
// read back.
var monitorClient = &http.Client{Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see above
}}

// monitorReport is what an instance's HTTP monitor says; list and status
// show it, and their -o json carries it as "monitor".
type monitorReport struct {
	// Enabled is false when the instance has no monitoring port (-m,
	// http_port); nothing else is then reported.
	Enabled bool `json:"enabled"`
	// URL is the monitor's address, when its port is known.
	URL string `json:"url,omitempty"`
	// Health is /healthz's status ("ok"), or its error.
	Health string `json:"health,omitempty"`
	// Error says why the monitor could not be read.
	Error string `json:"error,omitempty"`
	// Stats are /varz's counters; absent when Error is set.
	Stats *monitorStats `json:"stats,omitempty"`
}

// monitorStats are the /varz counters list and status show.
type monitorStats struct {
	Connections   int   `json:"connections"`
	Subscriptions int   `json:"subscriptions"`
	InMsgs        int64 `json:"in_msgs"`
	OutMsgs       int64 `json:"out_msgs"`
	InBytes       int64 `json:"in_bytes"`
	OutBytes      int64 `json:"out_bytes"`
	SlowConsumers int64 `json:"slow_consumers"`
}

// queryMonitor reads the monitor among ports; running says whether the
// broker should be up (a stopped one is not asked).
func queryMonitor(ctx context.Context, ports []instance.Listener, running bool) *monitorReport {
	var mon *instance.Listener
	for i := range ports {
		if ports[i].Kind == "monitor" {
			mon = &ports[i]
		}
	}
	if mon == nil {
		return &monitorReport{}
	}
	r := &monitorReport{Enabled: true}
	if mon.Port <= 0 {
		r.Error = "monitoring port is random: its address is unknown"
		return r
	}
	host := strings.Trim(mon.Host, "[]")
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	scheme := "http"
	if mon.TLS {
		scheme = "https"
	}
	r.URL = scheme + "://" + net.JoinHostPort(host, strconv.Itoa(mon.Port))
	if !running {
		r.Error = "not running"
		return r
	}
	var health struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if err := getMonitorJSON(ctx, r.URL+"/healthz", &health); err != nil && health.Status == "" {
		r.Error = err.Error()
		return r
	}
	r.Health = health.Status
	if health.Error != "" {
		r.Health = health.Error
	}
	var st monitorStats
	if err := getMonitorJSON(ctx, r.URL+"/varz", &st); err != nil {
		r.Error = err.Error()
		return r
	}
	r.Stats = &st
	return r
}

// getMonitorJSON decodes url's JSON into v; a non-200 answer is an error,
// but its JSON (healthz's) is still decoded.
func getMonitorJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, monitorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := monitorClient.Do(req)
	if err != nil {
		return fmt.Errorf("monitor unreachable: %w", err)
	}
	defer resp.Body.Close()
	derr := json.NewDecoder(resp.Body).Decode(v)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return derr
}

// monitorText is the MONITOR column and status line: "off", the error, or
// "2 conns, 3 subs, msgs in 10 out 20, health ok".
func (m *monitorReport) text() string {
	switch {
	case m == nil:
		return "-"
	case !m.Enabled:
		return "off"
	case m.Error != "":
		return m.Error
	}
	return fmt.Sprintf("%d conns, %d subs, msgs in %d out %d, health %s",
		m.Stats.Connections, m.Stats.Subscriptions, m.Stats.InMsgs, m.Stats.OutMsgs, m.Health)
}
