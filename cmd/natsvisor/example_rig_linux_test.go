package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rigEnv names the systemd rig script (systemd-rig.sh) that
// TestExampleMultiInstanceSystemd boots; the test is skipped without it.
const rigEnv = "NATSVISOR_SYSTEMD_RIG"

// The example script itself, run against a real systemd: three services
// start and report ready, list shows them, uninstall removes them.
func TestExampleMultiInstanceSystemd(t *testing.T) {
	rig := os.Getenv(rigEnv)
	if rig == "" {
		t.Skipf("set %s to systemd-rig.sh to run the example against a real systemd", rigEnv)
	}
	bin := natsvisorBinary(t)
	examples, err := filepath.Abs(filepath.Dir(filepath.Dir(exampleScript)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(rig, "up", "--bind", filepath.Dir(bin)+":/opt/nv", "--bind", examples+":/opt/examples").Output()
	if err != nil {
		t.Fatalf("rig up: %v", err)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command(rig, "down", id).Run() })
	inRig := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(rig, append([]string{"exec", id, "env", "NATSVISOR=/opt/nv/natsvisor"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", args, err, out)
		}
		return string(out)
	}

	inRig("sh", "/opt/examples/multi-instance/install.sh", "install")
	var rows []report
	if err := json.Unmarshal([]byte(inRig("/opt/nv/natsvisor", "list", "-o", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("list: %+v", rows)
	}
	for _, r := range rows {
		if !r.Ready || r.PID == 0 || r.State != "active" {
			t.Errorf("instance %+v, want active and ready", r)
		}
	}
	out2 := inRig("sh", "/opt/examples/multi-instance/install.sh", "uninstall")
	if !strings.Contains(out2, "no instances installed") {
		t.Fatalf("after uninstall:\n%s", out2)
	}
	if units := inRig("sh", "-c", "ls /etc/systemd/system/ | grep -c -E '^(east|west|north)[.]service$' || true"); strings.TrimSpace(units) != "0" {
		t.Fatalf("unit files left: %s", units)
	}
}
