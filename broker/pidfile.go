package broker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// writePidFile writes this process's id to path with no trailing newline, as
// nats-server does (its --signal reads the file untrimmed). It writes a
// temporary file in the same directory and renames it over path, so a reader
// never sees a partial pid. The file's mode is 0644. The file is left in place
// on shutdown, again as nats-server does.
func writePidFile(path string) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	name := tmp.Name()
	err = writeAndClose(tmp, []byte(strconv.Itoa(os.Getpid())))
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
}

// writeAndClose writes b to f, sets mode 0644 (CreateTemp makes 0600) and
// closes f, returning the first error.
func writeAndClose(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
