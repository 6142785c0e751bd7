//go:build !windows

package broker

import "os"

// rename is os.Rename: replacing a file others hold open is fine on Unix.
func rename(from, to string) error { return os.Rename(from, to) }
