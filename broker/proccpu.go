package broker

import (
	"sync"
	"time"
)

// cpuSampler turns the process's CPU time into the percentage /varz
// reports: CPU used over wall time since the previous sample (at least a
// second apart, as nats-server samples every second), one decimal.
type cpuSampler struct {
	mu       sync.Mutex
	lastWall time.Time
	lastCPU  time.Duration
	pct      float64
}

// percent returns the CPU percentage; the first call measures since start.
func (c *cpuSampler) percent(start time.Time) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	now, used := time.Now(), processCPU()
	if c.lastWall.IsZero() {
		c.lastWall = start
	}
	if wall := now.Sub(c.lastWall); wall >= time.Second || c.pct == 0 {
		if wall > 0 {
			c.pct = float64(int64(float64(used-c.lastCPU)/float64(wall)*1000)) / 10
		}
		c.lastWall, c.lastCPU = now, used
	}
	return c.pct
}
