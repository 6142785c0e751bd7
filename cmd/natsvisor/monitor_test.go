package main

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/natsvisor/natsvisor/broker"
)

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestListAndStatusMonitor(t *testing.T) {
	mport := freePort(t)
	s, err := broker.New(&broker.Options{Host: "127.0.0.1", Port: broker.RandomPort, HTTPPort: mport, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.SubscribeSync("a"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_ = nc.Publish("a", []byte("hi"))
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	c := newCLI(t)
	ms := strconv.Itoa(mport)
	c.ok("install", "--name", "mon", "--start", "--", "-p", "-1", "-a", "127.0.0.1", "-m", ms)
	c.ok("install", "--name", "stopped", "--", "-p", "-1", "-m", strconv.Itoa(freePort(t)))

	out := c.ok("list")
	contains(t, "list", out, "monitor "+ms, "1 conns, 1 subs, msgs in 3 out 3, health ok", "not running")
	var rows []struct {
		Name    string        `json:"name"`
		Monitor monitorReport `json:"monitor"`
	}
	if err := json.Unmarshal([]byte(c.ok("list", "-o", "json")), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("list -o json: %v %v", rows, err)
	}
	m := rows[0].Monitor
	if !m.Enabled || m.Health != "ok" || m.Stats == nil || m.Stats.Connections != 1 || m.Stats.Subscriptions != 1 ||
		m.Stats.InMsgs != 3 || m.Stats.OutMsgs != 3 || m.Stats.InBytes != 6 || m.URL != "http://127.0.0.1:"+ms {
		t.Fatalf("mon: %+v %+v", m, m.Stats)
	}
	if m := rows[1].Monitor; !m.Enabled || m.Stats != nil || m.Error != "not running" {
		t.Fatalf("stopped: %+v", m)
	}
	out = c.ok("status", "mon")
	if !strings.Contains(out, "monitor:") || !strings.Contains(out, "health ok") || !strings.Contains(out, "http://127.0.0.1:"+ms) {
		t.Fatalf("status:\n%s", out)
	}
}
