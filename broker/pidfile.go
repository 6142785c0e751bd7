package broker

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// writePidFile writes this process's id to path with no trailing newline, as
// nats-server does (its --signal reads the file untrimmed). It writes a
// temporary file in the same directory and renames it over path, so a reader
// never sees a partial pid. The file's mode is 0644. The file is left in place
// on shutdown, again as nats-server does. Errors are *fs.PathError naming
// path, not the temporary file.
func writePidFile(path string) error {
	return writeFileAtomic(path, []byte(strconv.Itoa(os.Getpid())), 0o644)
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so a reader sees the old content or the new, never
// a part. Errors name path, not the temporary file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return pathError("open", path, err)
	}
	name := tmp.Name()
	if err := writeAndClose(tmp, data, mode); err != nil {
		_ = os.Remove(name)
		return pathError("write", path, err)
	}
	if err := rename(name, path); err != nil {
		_ = os.Remove(name)
		return pathError("rename", path, err)
	}
	return nil
}

// pathError reports err against path, dropping the temporary file's name.
func pathError(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}

// writeAndClose writes b to f, sets its mode (CreateTemp makes 0600) and
// closes f, returning the first error.
func writeAndClose(f *os.File, b []byte, mode os.FileMode) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
