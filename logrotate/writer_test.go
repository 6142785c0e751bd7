package logrotate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// backups returns the contents of the rotated files of path, oldest first.
// A file lumberjack's cleanup removes meanwhile is left out.
func backups(t *testing.T, path string) []string {
	t.Helper()
	ext := filepath.Ext(path)
	names, err := filepath.Glob(strings.TrimSuffix(path, ext) + "-*" + ext)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names) // the stamp sorts by time
	out := make([]string, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, w *Writer, recs ...string) {
	t.Helper()
	for _, r := range recs {
		if n, err := w.Write([]byte(r)); err != nil || n != len(r) {
			t.Fatalf("Write(%q) = %d, %v", r, n, err)
		}
	}
}

func TestRotationBySize(t *testing.T) {
	tests := []struct {
		name        string
		existing    string // the file's content before New; "" for no file
		maxSize     int64
		recs        []string
		wantCurrent string
		wantBackups []string
	}{
		{name: "no limit", maxSize: 0, recs: []string{"aaaa\n", "bbbb\n", "cccc\n"},
			wantCurrent: "aaaa\nbbbb\ncccc\n"},
		{name: "negative is no limit", maxSize: -1, recs: []string{"aaaa\n", "bbbb\n"},
			wantCurrent: "aaaa\nbbbb\n"},
		{name: "exactly at the limit stays", maxSize: 10, recs: []string{"aaaa\n", "bbbb\n"},
			wantCurrent: "aaaa\nbbbb\n"},
		{name: "one byte over rotates first", maxSize: 10, recs: []string{"aaaa\n", "bbbb\n", "c\n"},
			wantCurrent: "c\n", wantBackups: []string{"aaaa\nbbbb\n"}},
		{name: "several rotations", maxSize: 6, recs: []string{"aaaa\n", "bbbb\n", "cccc\n"},
			wantCurrent: "cccc\n", wantBackups: []string{"aaaa\n", "bbbb\n"}},
		{name: "a record larger than the limit is a file of its own", maxSize: 4,
			recs:        []string{"a\n", "0123456789\n", "b\n"},
			wantCurrent: "b\n", wantBackups: []string{"a\n", "0123456789\n"}},
		{name: "a large first record is not rotated away", maxSize: 4, recs: []string{"0123456789\n"},
			wantCurrent: "0123456789\n"},
		{name: "appends to an existing file", existing: "old\n", maxSize: 10, recs: []string{"new\n"},
			wantCurrent: "old\nnew\n"},
		{name: "counts an existing file's size", existing: "0123456\n", maxSize: 10, recs: []string{"new\n"},
			wantCurrent: "new\n", wantBackups: []string{"0123456\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "n.log")
			if tt.existing != "" {
				if err := os.WriteFile(path, []byte(tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			w, err := New(Config{Path: path, MaxSize: tt.maxSize})
			if err != nil {
				t.Fatal(err)
			}
			write(t, w, tt.recs...)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != tt.wantCurrent {
				t.Errorf("current file %q, want %q", got, tt.wantCurrent)
			}
			if got := backups(t, path); strings.Join(got, "|") != strings.Join(tt.wantBackups, "|") {
				t.Errorf("backups %q, want %q", got, tt.wantBackups)
			}
		})
	}
}

func TestNewNeedsTheDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "n.log")
	_, err := New(Config{Path: path})
	var pe *fs.PathError
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want a not-exist error naming %s", err, path)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the directory was created: %v", err)
	}
}

func TestFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "n.log")
	w, err := New(Config{Path: path, MaxSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The first file, a rotated one and the file after a reopen.
	write(t, w, "aaaa\n", "bbbb\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	write(t, w, "cccc\n")
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*"))
	if len(names) != 3 {
		t.Fatalf("files %v, want 3", names)
	}
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		if p := fi.Mode().Perm(); p&0o007 != 0 || p&0o600 != 0o600 || p&^Mode != 0 {
			t.Errorf("%s has mode %v, want %v less the umask", n, p, Mode)
		}
	}
}

func TestMaxBackups(t *testing.T) {
	tests := []struct {
		name        string
		maxBackups  int
		wantBackups []string
	}{
		{name: "keep all", maxBackups: 0, wantBackups: []string{"r0\n", "r1\n", "r2\n", "r3\n"}},
		{name: "keep two", maxBackups: 2, wantBackups: []string{"r2\n", "r3\n"}},
		{name: "keep none", maxBackups: -1, wantBackups: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "n.log")
			w, err := New(Config{Path: path, MaxSize: 3, MaxBackups: tt.maxBackups})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			write(t, w, "r0\n", "r1\n", "r2\n", "r3\n", "r4\n")
			if got := readFile(t, path); got != "r4\n" {
				t.Fatalf("current file %q", got)
			}
			// lumberjack removes old backups in its own goroutine.
			want := strings.Join(tt.wantBackups, "|")
			deadline := time.Now().Add(5 * time.Second)
			for {
				got := strings.Join(backups(t, path), "|")
				if got == want {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("backups %q, want %q", got, want)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

func TestReopenAfterMove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "n.log")
	w, err := New(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write(t, w, "before\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, w, "still old\n") // the open file is the moved one until Reopen
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	if err := w.Reopen(); err != nil { // twice is harmless
		t.Fatal(err)
	}
	write(t, w, "after\n")
	if got := readFile(t, path+".1"); got != "before\nstill old\n" {
		t.Errorf("moved file %q", got)
	}
	if got := readFile(t, path); got != "after\n" {
		t.Errorf("new file %q", got)
	}
}

func TestReopenWithoutMoveAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.log")
	w, err := New(Config{Path: path, MaxSize: 12})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write(t, w, "aaaa\n")
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	write(t, w, "bbbb\n", "cccc\n") // the size survives the reopen: cccc rotates
	if got := readFile(t, path); got != "cccc\n" {
		t.Errorf("current file %q", got)
	}
	if got := backups(t, path); len(got) != 1 || got[0] != "aaaa\nbbbb\n" {
		t.Errorf("backups %q", got)
	}
}

func TestClosed(t *testing.T) {
	w, err := New(Config{Path: filepath.Join(t.TempDir(), "n.log")})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := w.Write([]byte("x\n")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if err := w.Reopen(); !errors.Is(err, ErrClosed) {
		t.Errorf("Reopen after Close: %v", err)
	}
}

func TestBackupName(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 8, 16, 123456789, time.FixedZone("X", 3600))
	tests := []struct{ path, want string }{
		{"/var/log/east.log", "/var/log/east-2026-11-21T09-08-16.123.log"},
		{"/var/log/east", "/var/log/east-2026-11-21T09-08-16.123"},
		{"east.x.log", "east.x-2026-11-21T09-08-16.123.log"},
	}
	for _, tt := range tests {
		want := filepath.FromSlash(tt.want)
		if got := BackupName(filepath.FromSlash(tt.path), at); got != want {
			t.Errorf("BackupName(%q) = %q, want %q", tt.path, got, want)
		}
	}
}

// lumberjack names backups to the millisecond and renames over an existing
// file: two rotations within one millisecond would lose the first backup.
func TestFastRotationsLoseNothing(t *testing.T) {
	const n = 100
	dir := t.TempDir()
	w, err := New(Config{Path: filepath.Join(dir, "n.log"), MaxSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		write(t, w, fmt.Sprintf("%03d\n", i)) // each record fills a file
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d files for %d records, one each expected", len(entries), n)
	}
}
