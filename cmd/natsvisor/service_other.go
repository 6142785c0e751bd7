//go:build !windows

package main

// checkService refuses --service: only the Windows SCM starts a process
// that must speak its protocol; systemd runs `natsvisor run` as is.
func checkService() error {
	return usagef("--service is only for the Windows service manager")
}
