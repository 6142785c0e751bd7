//go:build !windows

package main

import "errors"

// watchStart watches the Windows SCM only.
func watchStart(string) error {
	return errors.New("watch-start: only on Windows")
}
