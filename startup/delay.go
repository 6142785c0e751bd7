package startup

import (
	"fmt"
	"os"
	"time"
)

// DelayEnv names the variable that bounds the wait for readiness, as
// nats-server's Windows service reads it.
const DelayEnv = "NATS_STARTUP_DELAY"

// DefaultDelay is the wait when DelayEnv is unset or invalid.
const DefaultDelay = 10 * time.Second

// Delay reads DelayEnv as a Go duration. Unset gives DefaultDelay; a value
// that does not parse (or is not positive) gives DefaultDelay and an error
// to log, as nats-server does.
func Delay() (time.Duration, error) {
	v, ok := os.LookupEnv(DelayEnv)
	if !ok || v == "" {
		return DefaultDelay, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return DefaultDelay, fmt.Errorf("invalid %s value %q, using the default of %v", DelayEnv, v, DefaultDelay)
	}
	return d, nil
}
