package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Registry is the set of installed instances, kept on disk under a home
// directory:
//
//	<home>/<name>/instance.json   the entry: name and broker flags (0600)
//	<home>/<name>/<name>.pid      default pid file, written by the broker
//	<home>/<name>/<name>.log      default log file
//	<home>/<name>/data/           data directory
//
// Directories are created 0700 and entries 0600: flags may hold secrets.
// Entries are replaced atomically (temporary file, then rename), so a
// reader sees the old entry or the new one, never a mix. The registry is
// not locked between processes: two installs racing for one port can both
// pass CheckPorts.
type Registry struct {
	home string
}

// entryFormat versions the entry file's layout.
const entryFormat = 1

// entry is the registry file of one instance, written as indented JSON.
type entry struct {
	Format int      `json:"format"`
	Name   string   `json:"name"`
	Args   []string `json:"args"`
}

// OpenRegistry returns the registry under home, an absolute path. It
// creates nothing: the home directory appears with the first Put.
func OpenRegistry(home string) (*Registry, error) {
	if !filepath.IsAbs(home) {
		return nil, fmt.Errorf("registry home %q is not an absolute path", home)
	}
	return &Registry{home: filepath.Clean(home)}, nil
}

// Home is the registry's home directory.
func (r *Registry) Home() string { return r.home }

// New is the package-level New with the registry's home.
func (r *Registry) New(name, cwd string, args []string) (*Instance, error) {
	return New(r.home, name, cwd, args)
}

// Get returns the instance name. The error wraps ErrInvalidName or
// ErrNotFound, or says why the entry could not be read.
func (r *Registry) Get(name string) (*Instance, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	path := filepath.Join(r.home, name, entryFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, r.notFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("instance %q: %w", name, err)
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("instance %q: %s: %w", name, path, err)
	}
	if e.Name != name { // a case-insensitive file system found another's
		return nil, fmt.Errorf("%w (did you mean %q?)", r.notFound(name), e.Name)
	}
	return &Instance{Name: e.Name, Args: e.Args, Home: r.home}, nil
}

func (r *Registry) notFound(name string) error {
	return fmt.Errorf("instance %q: %w in %s; natsvisor list shows the installed ones", name, ErrNotFound, r.home)
}

// List returns every registered instance, sorted by name; none when the
// home directory does not exist.
func (r *Registry) List() ([]*Instance, error) {
	des, err := os.ReadDir(r.home)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	var out []*Instance
	for _, de := range des {
		if !de.IsDir() || ValidateName(de.Name()) != nil {
			continue
		}
		inst, err := r.Get(de.Name())
		if errors.Is(err, ErrNotFound) {
			continue // a directory left by uninstall: logs and data only
		}
		if err != nil {
			return nil, err
		}
		out = append(out, inst)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Put saves inst, creating or replacing its entry, and reports whether the
// entry changed: putting what is already there writes nothing. It refuses
// an instance of another home, a name that differs only in case from a
// registered one (ErrNameTaken), and a port another instance uses
// (ErrPortInUse); a refused Put changes nothing.
func (r *Registry) Put(inst *Instance) (changed bool, err error) {
	err = r.locked(func() error {
		changed, err = r.put(inst)
		return err
	})
	return changed, err
}

// put is Put under the registry lock.
func (r *Registry) put(inst *Instance) (bool, error) {
	if err := ValidateName(inst.Name); err != nil {
		return false, err
	}
	if filepath.Clean(inst.Home) != r.home {
		return false, fmt.Errorf("instance %q: home %s is not the registry's %s", inst.Name, inst.Home, r.home)
	}
	if err := r.checkName(inst.Name); err != nil {
		return false, err
	}
	if err := r.CheckPorts(inst); err != nil {
		return false, err
	}
	data, err := encodeEntry(inst)
	if err != nil {
		return false, err
	}
	path := filepath.Join(inst.Dir(), entryFile)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.MkdirAll(inst.Dir(), 0o700); err != nil {
		return false, fmt.Errorf("instance %q: %w", inst.Name, err)
	}
	if err := writeFileAtomic(path, data, 0o600); err != nil {
		return false, fmt.Errorf("instance %q: %w", inst.Name, err)
	}
	return true, nil
}

// checkName refuses name when a registered instance's name equals it but
// for case.
func (r *Registry) checkName(name string) error {
	all, err := r.List()
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.Name != name && strings.EqualFold(o.Name, name) {
			return fmt.Errorf("instance %q: %w %q (names that differ only in case clash on Windows); choose another name",
				name, ErrNameTaken, o.Name)
		}
	}
	return nil
}

func encodeEntry(inst *Instance) ([]byte, error) {
	args := inst.Args
	if args == nil {
		args = []string{}
	}
	b, err := json.MarshalIndent(entry{Format: entryFormat, Name: inst.Name, Args: args}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Delete removes the instance's entry, and its directory when nothing else
// is left there; logs and data stay. The error wraps ErrNotFound when there
// is no such entry.
func (r *Registry) Delete(name string) error {
	return r.locked(func() error { return r.delete(name) })
}

// delete is Delete under the registry lock.
func (r *Registry) delete(name string) error {
	inst, err := r.Get(name)
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(inst.Dir(), entryFile)); err != nil {
		return fmt.Errorf("instance %q: %w", name, err)
	}
	_ = os.Remove(inst.Dir()) // fails, as it should, when logs or data remain
	return nil
}

// Purge removes the instance's directory and everything in it: its entry,
// and the default pid file, log file and data directory. Files named by
// its flags outside that directory (the -c file, say) are never touched.
// The error wraps ErrNotFound when the directory does not exist.
func (r *Registry) Purge(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	dir := filepath.Join(r.home, name)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return r.notFound(name)
	}
	if err := removeTree(dir); err != nil {
		return fmt.Errorf("instance %q: %w", name, err)
	}
	return nil
}

// removeTree is os.RemoveAll, falling back to removing each entry, deepest
// first, with os.Remove: RemoveAll's Windows implementation uses calls that
// some emulations (wine) lack.
func removeTree(dir string) error {
	err := os.RemoveAll(dir)
	if err == nil {
		return nil
	}
	var paths []string
	if werr := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	}); werr != nil {
		return err
	}
	for i := len(paths) - 1; i >= 0; i-- {
		if rerr := os.Remove(paths[i]); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// writeFileAtomic replaces path with data: written to a temporary file in
// the same directory, synced, then renamed over path.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
