// Package logrotate is the per-instance log writer: a file that rotates by
// size, keeps a bounded number of rotated files, and is reopened at its path
// after an external tool such as logrotate(8) has moved it away. It is safe
// for concurrent use, and one Write is one record: a record is never split
// across two files, so a line is never torn by a rotation or a reopen.
//
// # Rotated files
//
// lumberjack names and cleans up the rotated files: the file is renamed to
// its base name, a dash, the rotation time in UTC with milliseconds, then its
// extension. A rotation of /var/log/east.log at 2026-11-21 10:08:16.123 UTC
// leaves /var/log/east-2026-11-21T10-08-16.123.log; a path with no extension
// gets the stamp at the end (east → east-2026-11-21T10-08-16.123). nats-server
// names its own backups differently (<file>.YYYY.MM.DD.HH.MM.SS.NNNNNNNNN):
// lumberjack's names keep the extension, sort by time, and are the ones its
// cleanup recognises. Files an external tool renamed (east.log.1) are never
// touched.
//
// # What lumberjack does and does not do here
//
// lumberjack's own size limit counts megabytes (nats-server's
// logfile_size_limit counts bytes), treats 0 as 100 MB and refuses a record
// larger than the limit. So Writer counts bytes itself, sets lumberjack's
// limit out of reach, and calls lumberjack's Rotate when the next record
// would pass Config.MaxSize. lumberjack keeps the renaming, the backup names
// and the cleanup of old backups, which runs in its own goroutine shortly
// after a rotation. Its backup names have millisecond resolution and a rename
// replaces an existing file, so Writer never rotates twice within one
// millisecond: a second rotation waits for the next one rather than lose the
// first backup.
package logrotate

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Mode is the permission of a log file the Writer creates (before the
// umask), as nats-server's: the owner writes, the group reads, others
// nothing, since trace lines carry message payloads. A rotation keeps the
// mode of the file it rotates.
const Mode fs.FileMode = 0o640

// Config says where a Writer writes and when it rotates.
type Config struct {
	// Path is the log file; it is appended to if it exists. Its directory
	// must exist: New fails otherwise, rather than create directories that
	// a typo named.
	Path string
	// MaxSize is the size limit in bytes: a record that would take the file
	// past it is written to a new file after the old one is rotated, so no
	// file grows past MaxSize unless one record alone is larger (that record
	// is then a file of its own). 0 or less never rotates. Default 0.
	MaxSize int64
	// MaxBackups is how many rotated files are kept; after a rotation the
	// oldest of the others are removed. 0 keeps all of them; a negative
	// value keeps none: a rotation removes the full file, as nats-server's
	// logfile_max_num of 1 does. Default 0.
	MaxBackups int
}

// Writer writes records to the log file of its Config. It is an
// io.WriteCloser; the zero value is not usable, call New.
type Writer struct {
	mu  sync.Mutex
	cfg Config
	lj  *lumberjack.Logger
	// open says that size counts the file at the path that lumberjack has
	// open, or opens on its next write. A reopen or a rotation clears it.
	open bool
	size int64
	// limit is the size that triggers the next rotation: MaxSize, doubled
	// after a rotation failed, as nats-server does, so a failing rename is
	// not retried for every record.
	limit int64
	// lastMilli is the Unix millisecond of the last rotation: the next
	// one waits for a later millisecond, which gives it a new backup name.
	lastMilli int64
	closed    bool
}

// ErrClosed is returned by Write and Reopen after Close.
var ErrClosed = errors.New("logrotate: writer closed")

// New returns a Writer for c after checking that the file can be opened
// for appending (and creating it with Mode if it does not exist). The error
// is the one opening the file returned, naming the path.
func New(c Config) (*Writer, error) {
	w := &Writer{cfg: c, limit: c.MaxSize}
	w.lj = &lumberjack.Logger{
		Filename: c.Path,
		// Out of lumberjack's reach: Writer decides when to rotate.
		MaxSize:    math.MaxInt64 / (1 << 20),
		MaxBackups: max(c.MaxBackups, 0),
	}
	if err := w.ensureOpen(); err != nil {
		return nil, err
	}
	return w, nil
}

// Write writes p to the file as one record, rotating the file first when p
// would take it past MaxSize. If the rotation fails, p is still written, to
// the current file, and the error says why the rotation failed; the next
// attempt comes at twice the size.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	if err := w.ensureOpen(); err != nil {
		return 0, err
	}
	var rerr error
	if w.limit > 0 && w.size > 0 && w.size+int64(len(p)) > w.limit {
		if rerr = w.rotate(); rerr != nil {
			w.limit *= 2
		} else {
			w.limit = w.cfg.MaxSize
		}
		if err := w.ensureOpen(); err != nil {
			return 0, errors.Join(rerr, err)
		}
	}
	n, err := w.lj.Write(p)
	w.size += int64(n)
	if err != nil {
		return n, err
	}
	return n, rerr
}

// Reopen closes the file; the next Write opens the path again, appending
// to the file there or creating it. After an external tool renamed the
// file, records written before Reopen went to the renamed file and records
// written after it go to a new file at the path: none is lost.
func (w *Writer) Reopen() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.open = false
	return w.lj.Close()
}

// Close closes the file; later Writes and Reopens return ErrClosed.
// lumberjack's cleanup goroutine for this Writer stays parked (lumberjack
// offers no way to stop it); it holds no file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return w.lj.Close()
}

// ensureOpen makes sure the file at the path exists with Mode, and learns
// its size, when lumberjack is about to open it. lumberjack would create a
// missing file with mode 0600 and a missing directory too.
func (w *Writer) ensureOpen() error {
	if w.open {
		return nil
	}
	f, err := os.OpenFile(w.cfg.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, Mode)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	_ = f.Close()
	if err != nil {
		return err
	}
	w.size, w.open = fi.Size(), true
	return nil
}

// rotate moves the full file aside (or removes it when no backup is kept);
// the caller's ensureOpen then creates the new one. A file that is no
// longer at the path was moved away by someone else: that is a rotation
// too.
func (w *Writer) rotate() error {
	w.open = false
	if w.cfg.MaxBackups < 0 {
		err := w.lj.Close()
		if rerr := os.Remove(w.cfg.Path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
		return err
	}
	w.waitForBackupName()
	err := w.lj.Rotate()
	w.lastMilli = time.Now().UnixMilli()
	if err != nil {
		if _, serr := os.Lstat(w.cfg.Path); errors.Is(serr, fs.ErrNotExist) {
			err = nil // moved away meanwhile
		}
	}
	// Rotate left the new file open without O_APPEND; the next write
	// reopens it in append mode, so a copytruncate by logrotate(8) works.
	if cerr := w.lj.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("logrotate: rotate %s: %w", w.cfg.Path, err)
	}
	return nil
}

// waitForBackupName waits, at most a few milliseconds, until the backup
// name lumberjack is about to use is free: a millisecond later than the
// last rotation, and no file of that name (the clock may have stepped back).
func (w *Writer) waitForBackupName() {
	for range 100 {
		now := time.Now()
		if now.UnixMilli() > w.lastMilli {
			if _, err := os.Lstat(BackupName(w.cfg.Path, now)); errors.Is(err, fs.ErrNotExist) {
				return
			}
		}
		time.Sleep(time.Until(now.Truncate(time.Millisecond).Add(time.Millisecond)))
	}
}

// BackupName is the name a rotation at t gives the file at path (see the
// package comment).
func BackupName(path string, t time.Time) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	return filepath.Join(dir, base[:len(base)-len(ext)]+"-"+t.UTC().Format(backupTimeFormat)+ext)
}

// backupTimeFormat is lumberjack's.
const backupTimeFormat = "2006-01-02T15-04-05.000"
