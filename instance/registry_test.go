package instance

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// snapshot maps every file and directory under dir to its mode and bytes,
// to check that an operation left a tree exactly as it was.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var b []byte
		if !d.IsDir() {
			if b, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		out[p] = fi.Mode().String() + " " + fi.ModTime().String() + " " + string(b)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func newRegistry(t *testing.T) *Registry {
	t.Helper()
	r, err := OpenRegistry(filepath.Join(t.TempDir(), "home"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustNew(t *testing.T, r *Registry, name string, args ...string) *Instance {
	t.Helper()
	inst, err := r.New(name, t.TempDir(), args)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func mustPut(t *testing.T, r *Registry, inst *Instance) {
	t.Helper()
	if _, err := r.Put(inst); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryRoundTrip(t *testing.T) {
	r := newRegistry(t)
	if _, err := os.Stat(r.Home()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenRegistry created its home: %v", err)
	}
	if all, err := r.List(); err != nil || len(all) != 0 {
		t.Fatalf("List of a new registry: %v, %v", all, err)
	}
	west := mustNew(t, r, "west", "-p", "4223")
	east := mustNew(t, r, "east", "-p", "4222", "-D")
	for _, inst := range []*Instance{west, east} {
		if changed, err := r.Put(inst); err != nil || !changed {
			t.Fatalf("Put(%s) = %v, %v", inst.Name, changed, err)
		}
	}
	got, err := r.Get("east")
	if err != nil || !got.Equal(east) {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, east)
	}
	all, err := r.List()
	if err != nil || len(all) != 2 || all[0].Name != "east" || all[1].Name != "west" {
		t.Fatalf("List = %v, %v", all, err)
	}
	b, err := os.ReadFile(filepath.Join(r.Home(), "east", "instance.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"format\": 1,\n  \"name\": \"east\",\n  \"args\": [\n    \"-p\",\n    \"4222\",\n    \"-D\"\n  ]\n}\n"
	if string(b) != want {
		t.Fatalf("entry file:\n%s\nwant:\n%s", b, want)
	}
	if runtime.GOOS != "windows" {
		for path, mode := range map[string]fs.FileMode{r.Home(): 0o700 | fs.ModeDir, east.Dir(): 0o700 | fs.ModeDir, east.Paths().Entry: 0o600} {
			if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
				t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode(), err, mode)
			}
		}
	}
	entries, _ := os.ReadDir(east.Dir())
	if len(entries) != 1 {
		t.Fatalf("instance directory holds %v, want only the entry (no temporary files)", entries)
	}
}

// Putting the same instance again writes nothing; a change replaces the
// entry whole.
func TestRegistryPutIdempotent(t *testing.T) {
	r := newRegistry(t)
	east := mustNew(t, r, "east", "-p", "4222")
	mustPut(t, r, east)
	before := snapshot(t, r.Home())
	again := mustNew(t, r, "east", "-p", "4222")
	if changed, err := r.Put(again); err != nil || changed {
		t.Fatalf("Put of the same instance = %v, %v; want false, nil", changed, err)
	}
	if after := snapshot(t, r.Home()); !mapsEqual(before, after) {
		t.Fatalf("an unchanged Put touched the registry:\n%v\n%v", before, after)
	}
	changed := mustNew(t, r, "east", "-p", "4225")
	if ok, err := r.Put(changed); err != nil || !ok {
		t.Fatalf("Put of changed args = %v, %v", ok, err)
	}
	if got, _ := r.Get("east"); !slices.Equal(got.Args, []string{"-p", "4225"}) {
		t.Fatalf("args after update: %q", got.Args)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRegistryErrors(t *testing.T) {
	r := newRegistry(t)
	mustPut(t, r, mustNew(t, r, "east", "-p", "4222"))
	if _, err := r.Get("west"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "natsvisor list") {
		t.Fatalf("Get(west) = %v", err)
	}
	if _, err := r.Get("../east"); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("Get(../east) = %v", err)
	}
	if err := r.Delete("west"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete(west) = %v", err)
	}
	if err := r.Purge("west"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Purge(west) = %v", err)
	}
	if _, err := OpenRegistry("rel/home"); err == nil {
		t.Fatal("OpenRegistry accepted a relative home")
	}
	other, _ := OpenRegistry(t.TempDir())
	if _, err := r.Put(mustNew(t, other, "west")); err == nil {
		t.Fatal("Put accepted an instance of another home")
	}
	if err := os.WriteFile(filepath.Join(r.Home(), "east", "instance.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.List(); err == nil || !strings.Contains(err.Error(), "instance.json") {
		t.Fatalf("List with a corrupt entry: %v", err)
	}
}

// Every refused Put leaves the registry exactly as it was.
func TestRegistryPutRefused(t *testing.T) {
	r := newRegistry(t)
	mustPut(t, r, mustNew(t, r, "east", "-p", "4222", "-a", "127.0.0.1"))
	before := snapshot(t, r.Home())
	tests := []struct {
		name string
		inst *Instance
		is   error
	}{
		{"same port", mustNew(t, r, "west", "-p", "4222"), ErrPortInUse},
		{"case clash", mustNew(t, r, "EAST", "-p", "4300"), ErrNameTaken},
		{"bad name", &Instance{Name: "a b", Home: r.Home()}, ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.Put(tt.inst); !errors.Is(err, tt.is) {
				t.Fatalf("Put = %v, want %v", err, tt.is)
			}
			if after := snapshot(t, r.Home()); !mapsEqual(before, after) {
				t.Fatalf("refused Put changed the registry")
			}
		})
	}
}

func TestRegistryDeleteAndPurge(t *testing.T) {
	r := newRegistry(t)
	east := mustNew(t, r, "east", "-p", "4222")
	west := mustNew(t, r, "west", "-p", "4223")
	mustPut(t, r, east)
	mustPut(t, r, west)
	// east has a log; west has nothing but its entry.
	if err := os.WriteFile(east.Paths().LogFile, []byte("line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"east", "west"} {
		if err := r.Delete(name); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Get(name); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get(%s) after Delete: %v", name, err)
		}
	}
	if _, err := os.Stat(east.Paths().LogFile); err != nil {
		t.Fatalf("Delete lost the log: %v", err)
	}
	if _, err := os.Stat(west.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Delete left west's empty directory: %v", err)
	}
	if all, _ := r.List(); len(all) != 0 {
		t.Fatalf("List after Delete: %v", all)
	}
	if err := r.Purge("east"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(east.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Purge left %s: %v", east.Dir(), err)
	}
}
