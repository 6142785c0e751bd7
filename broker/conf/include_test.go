package conf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.conf": "port = 4222\ninclude auth.conf\ninclude 'sub/limits.conf'\n" +
			"cluster { include \"sub/cluster.conf\"; name = c1 }\nmax = $limit\n",
		"auth.conf":        "authorization { user = a, password = b }\n",
		"sub/limits.conf":  "limit = 1MB\ninclude more.conf\nport = 4223\n", // relative to sub/
		"sub/more.conf":    "max_payload = 2k\n",
		"sub/cluster.conf": "port = 6222\nroutes = [a, b]\n",
	})
	m, err := ParseFile(filepath.Join(dir, "main.conf"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"port": 4223, "authorization": {"user": "a", "password": "b"}, "limit": 1048576, "max_payload": 2000, ` +
		`"cluster": {"port": 6222, "routes": ["a", "b"], "name": "c1"}, "max": 1048576}`
	if got := render(m); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Included entries keep their own positions and are marked when used.
	e, _ := m.Get("limit")
	if e.KeyPos != (Pos{File: filepath.Join(dir, "sub/limits.conf"), Line: 1, Col: 1}) || !e.UsedAsVariable {
		t.Errorf("limit at %s, used %v", e.KeyPos, e.UsedAsVariable)
	}
	if e, _ := m.Get("port"); e.KeyPos.Line != 3 || !strings.HasSuffix(e.KeyPos.File, "limits.conf") {
		t.Errorf("port at %s", e.KeyPos)
	}
}

func TestIncludeKeyword(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.conf": "x = 1\n", "b c.conf": "y = 2\n"})
	cases := []struct{ src, want string }{
		{"INCLUDE a.conf", `{"x": 1}`},
		{"include\ta.conf", `{"x": 1}`},
		{"include a.conf; z = 3", `{"x": 1, "z": 3}`},
		{"include a.conf # c", `{"x": 1}`},
		{"include 'b c.conf'", `{"y": 2}`},
		{"include a.conf'", `{"x": 1}`},
		{"include /a.conf", `{"x": 1}`}, // joined to the directory even when absolute, as nats-server does
		{"{ include a.conf }", `{"x": 1}`},
		{"m { include a.conf }", `{"m": {"x": 1}}`},
		{"include= 5", `{"include": 5}`}, // "include = 5" would include a file named "="
		{`"include" a.conf`, `{"include": "a.conf"}`},
		{"x = 0\ninclude a.conf\nx2 = $x", `{"x": 1, "x2": 1}`},
	}
	for _, tc := range cases {
		writeFiles(t, dir, map[string]string{"main.conf": tc.src})
		m, err := ParseFile(filepath.Join(dir, "main.conf"))
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if got := render(m); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestParseIncludesFromWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"inc.conf": "x = 1\n"})
	t.Chdir(dir)
	m, err := Parse("elsewhere/t.conf", "include inc.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got := render(m); got != `{"x": 1}` {
		t.Errorf("got %s", got)
	}
}

func TestIncludeErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"self.conf":    "include self.conf\n",
		"a.conf":       "include b.conf\n",
		"b.conf":       "x = 1\ninclude a.conf\n",
		"bad.conf":     "x = 1\ny = [1 2]\n",
		"vars.conf":    "x = 1\ninclude usevar.conf\n",
		"usevar.conf":  "y = $x\n",
		"missing.conf": "a = 1\n  include nope.conf\n",
	})
	path := func(name string) string { return filepath.Join(dir, name) }
	cases := []struct{ file, want string }{
		// nats-server words include errors without their place.
		{"self.conf", "error parsing include file 'self.conf', include cycle: " +
			path("self.conf") + " -> " + path("self.conf")},
		{"a.conf", "error parsing include file 'b.conf', " +
			"error parsing include file 'a.conf', include cycle: " +
			path("a.conf") + " -> " + path("b.conf") + " -> " + path("a.conf")},
		{"vars.conf", "error parsing include file 'usevar.conf', " +
			"variable reference for 'x' on line 1 can not be found"},
		{"missing.conf", "error parsing include file 'nope.conf', open " +
			path("nope.conf") + ": no such file or directory"},
	}
	for _, tc := range cases {
		_, err := ParseFile(path(tc.file))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.file, err, tc.want)
		}
	}
	writeFiles(t, dir, map[string]string{"main.conf": "include bad.conf"})
	_, err := ParseFile(path("main.conf"))
	var e *Error
	if !errors.As(err, &e) || !errors.As(e.Err, &e) || e.Pos.String() != path("bad.conf")+":2:8" {
		t.Errorf("inner error %v", err)
	}
	_, err = ParseFile(path("missing.conf"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing include: %v does not wrap fs.ErrNotExist", err)
	}
	if _, err := ParseFile(path("nothere.conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.conf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ParseFile(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("got %v", err)
	}
}
