package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exampleScript is the multi-instance example, whose commands these tests run.
var exampleScript = filepath.Join("..", "..", "examples", "multi-instance", "install.sh")

var (
	funcStart = regexp.MustCompile(`^(\w+)\(\) \{$`)
	// a natsvisor command in the script: "$natsvisor" args...
	scriptCmd = regexp.MustCompile(`^\s*"\$natsvisor" (.*)$`)
)

// scriptCommands returns the natsvisor commands of each shell function in
// the example script, in order, split at spaces.
func scriptCommands(t *testing.T) map[string][][]string {
	t.Helper()
	f, err := os.Open(exampleScript)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	fn := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		switch m := funcStart.FindStringSubmatch(line); {
		case m != nil:
			fn = m[1]
		case line == "}":
			fn = ""
		case fn != "":
			if c := scriptCmd.FindStringSubmatch(line); c != nil {
				out[fn] = append(out[fn], strings.Fields(c[1]))
			}
		}
	}
	return out
}

// The example's commands install three running instances, list them, and
// remove them with their directories.
func TestExampleMultiInstance(t *testing.T) {
	cmds := scriptCommands(t)
	if len(cmds["install"]) != 4 || len(cmds["uninstall"]) != 4 {
		t.Fatalf("the example's functions changed: %q", cmds)
	}
	c := newCLI(t)
	for _, args := range cmds["install"] {
		c.ok(args...)
	}
	var rows []report
	if err := json.Unmarshal([]byte(c.ok("list", "-o", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"east": 4222, "west": 4223, "north": 4224}
	for _, r := range rows {
		if !r.Ready || len(r.Ports) != 1 || r.Ports[0].Port != want[r.Name] {
			t.Errorf("instance %+v, want ready on port %d", r, want[r.Name])
		}
		delete(want, r.Name)
	}
	if len(want) != 0 || len(rows) != 3 {
		t.Fatalf("list: %+v", rows)
	}
	if code, _, stderr := c.run("install", "--name", "south", "--", "-p", "4223"); code != exitConflict || !strings.Contains(stderr, `is instance "west"'s`) {
		t.Fatalf("the README's port clash: exit %d, %s", code, stderr)
	}
	for _, args := range cmds["uninstall"] {
		c.ok(args...)
	}
	if names := c.mgr.Names(); len(names) != 0 {
		t.Fatalf("services left: %v", names)
	}
	if entries, err := os.ReadDir(c.home); err != nil || len(entries) != 1 || entries[0].Name() != ".lock" {
		t.Fatalf("home holds %v, %v; want only the registry's lock file", entries, err)
	}
}
