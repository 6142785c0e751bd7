//go:build !linux

package startup

import "time"

// Notify does nothing: sd_notify exists on Linux only. (A Windows service
// reports readiness through supervisor.RunService's ready callback.)
func Notify(string) error { return nil }

// Ready does nothing on this OS.
func Ready() error { return nil }

// Status does nothing on this OS.
func Status(string) error { return nil }

// Reloading does nothing on this OS.
func Reloading() error { return nil }

// Stopping does nothing on this OS.
func Stopping() error { return nil }

// ExtendTimeout does nothing on this OS.
func ExtendTimeout(time.Duration) error { return nil }
