package broker

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// renameRetry bounds how long rename retries.
const renameRetry = time.Second

// rename is os.Rename, retried while another process has the target open:
// on Windows, replacing a file that anyone holds open (natsvisor polling a
// reload status, a monitoring agent, a virus scanner) fails with "Access
// is denied" or a sharing violation for as long as they hold it, which is
// briefly. cmd/go's robustio retries the same errors.
func rename(from, to string) error {
	deadline := time.Now().Add(renameRetry)
	for delay := time.Millisecond; ; delay = min(2*delay, 20*time.Millisecond) {
		err := os.Rename(from, to)
		if err == nil || !isSharingError(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
	}
}

// isSharingError reports the errors another process's open handle causes.
func isSharingError(err error) bool {
	const errSharingViolation syscall.Errno = 32 // ERROR_SHARING_VIOLATION
	return errors.Is(err, syscall.ERROR_ACCESS_DENIED) || errors.Is(err, errSharingViolation)
}
