package logrotate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stressLine is writer g's line n: its padding varies so that rotations
// fall at every offset.
func stressLine(g, n int) string {
	return fmt.Sprintf("g%02d n%05d %s\n", g, n, strings.Repeat("x", (n*7+g)%41))
}

var stressLineRE = regexp.MustCompile(`^g(\d\d) n(\d{5}) (x*)\n$`)

// Many goroutines write numbered lines while the file rotates by size and,
// concurrently, is renamed away and reopened as logrotate(8) does. Every
// line must then be in exactly one file, whole, and no file may pass the
// size limit.
func TestStressRotateAndReopen(t *testing.T) {
	const (
		writers = 8
		lines   = 1000
		maxSize = 2048
	)
	dir := t.TempDir()
	path := filepath.Join(dir, "n.log")
	w, err := New(Config{Path: path, MaxSize: maxSize})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	var writing atomic.Int32
	writing.Store(writers)
	for g := range writers {
		wg.Go(func() {
			defer writing.Add(-1)
			for n := range lines {
				if _, err := w.Write([]byte(stressLine(g, n))); err != nil {
					t.Errorf("write g%d n%d: %v", g, n, err)
					return
				}
			}
		})
	}
	moves := 0
	for writing.Load() > 0 { // the external rotator
		moves++
		if err := os.Rename(path, fmt.Sprintf("%s.%d", path, moves)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err := w.Reopen(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // let some lines land between moves
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	seen := make(map[string]int)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	rotated, moved := 0, 0
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasPrefix(name, "n-"):
			rotated++
		case strings.HasPrefix(name, "n.log."):
			moved++
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxSize {
			t.Errorf("%s has %d bytes, past the limit %d", e.Name(), len(b), maxSize)
		}
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if l == "" {
				continue
			}
			m := stressLineRE.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("%s: torn line %q", e.Name(), l)
			}
			g, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			if l != stressLine(g, n) {
				t.Fatalf("%s: corrupt line %q", e.Name(), l)
			}
			seen[l]++
		}
	}
	for g := range writers {
		for n := range lines {
			if c := seen[stressLine(g, n)]; c != 1 {
				t.Errorf("g%d n%d found %d times", g, n, c)
			}
		}
	}
	if len(seen) != writers*lines {
		t.Errorf("%d distinct lines, want %d", len(seen), writers*lines)
	}
	if rotated == 0 || moved == 0 {
		t.Errorf("%d rotated and %d moved files: the test did not exercise both", rotated, moved)
	}
	t.Logf("%d lines in %d rotated, %d moved files and the current one", len(seen), rotated, moved)
}
