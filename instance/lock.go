package instance

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockFile is the file in the home that registry writers lock, so two
// installs at once cannot both pass the port and name checks.
const lockFile = ".lock"

// locked runs f holding the registry's exclusive lock, which other
// natsvisor processes honour too (flock on Unix, LockFileEx on Windows).
func (r *Registry) locked(f func() error) error {
	if err := os.MkdirAll(r.home, 0o700); err != nil {
		return fmt.Errorf("registry %s: %w", r.home, err)
	}
	lf, err := os.OpenFile(filepath.Join(r.home, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("registry lock: %w", err)
	}
	defer lf.Close()
	if err := lockExclusive(lf); err != nil {
		return fmt.Errorf("registry lock %s: %w", lf.Name(), err)
	}
	defer unlock(lf)
	return f()
}

// RemoveHomeIfEmpty removes the home when it holds nothing but the lock
// file: what a refused first install leaves.
func (r *Registry) RemoveHomeIfEmpty() {
	des, err := os.ReadDir(r.home)
	if err != nil {
		return
	}
	for _, de := range des {
		if de.Name() != lockFile {
			return
		}
	}
	_ = os.Remove(filepath.Join(r.home, lockFile))
	_ = os.Remove(r.home)
}
