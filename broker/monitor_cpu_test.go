package broker_test

import (
	"testing"
	"time"

	"github.com/natsvisor/natsvisor/broker"
)

// /varz reports the CPU the process used and the timeouts in force.
func TestVarzCPUAndTimeouts(t *testing.T) {
	o := &broker.Options{Host: "127.0.0.1", Port: broker.RandomPort, NoLog: true}
	o.AuthTimeout = 3 * time.Second
	s, base := startMonitored(t, o)
	nc := connectNamed(t, s, "cpu")
	payload := make([]byte, 512)
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); {
		for range 1000 {
			_ = nc.Publish("burn", payload)
		}
		_ = nc.Flush()
	}
	var v struct {
		CPU         float64 `json:"cpu"`
		AuthTimeout float64 `json:"auth_timeout"`
		TLSTimeout  float64 `json:"tls_timeout"`
	}
	getJSON(t, base+"/varz", &v)
	if v.CPU <= 0 {
		t.Fatalf("cpu %v after a burst of publishing, want > 0", v.CPU)
	}
	if v.AuthTimeout != 3 || v.TLSTimeout != 2 {
		t.Fatalf("auth_timeout %v, tls_timeout %v; want 3 and 2", v.AuthTimeout, v.TLSTimeout)
	}
}
