package broker

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestWritePidFile(t *testing.T) {
	dir := t.TempDir()
	want := strconv.Itoa(os.Getpid())
	tests := []struct {
		name    string
		path    string
		before  string // existing content; empty means no file
		wantErr bool
	}{
		{name: "new file", path: filepath.Join(dir, "a.pid")},
		{name: "replaces a stale file", path: filepath.Join(dir, "b.pid"), before: "99999\n"},
		{name: "missing directory", path: filepath.Join(dir, "nope", "c.pid"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != "" {
				if err := os.WriteFile(tt.path, []byte(tt.before), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := writePidFile(tt.path)
			if tt.wantErr {
				want := "open " + tt.path + ": "
				if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("err = %v, want %q... and fs.ErrNotExist", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Fatalf("content %q, want %q (no newline)", got, want)
			}
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
				t.Fatalf("mode %v, want 0644", fi.Mode().Perm())
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 { // a.pid and b.pid; no temporary file left behind
		t.Fatalf("directory holds %q, want only the two pid files", names)
	}
}

func TestWritePidFileRelative(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := writePidFile("rel.pid"); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile("rel.pid"); err != nil || string(got) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("got %q, %v", got, err)
	}
}
