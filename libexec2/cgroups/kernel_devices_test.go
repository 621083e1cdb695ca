package cgroups

import (
	"io"
	"os/exec"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// testDevices denies every device but /dev/null (c 1:3) and checks that a
// process in the group can open /dev/null and not /dev/zero (c 1:5).
func testDevices(t *testing.T, s Saved) {
	t.Helper()
	m, err := New(s, &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(3)), Access: "rwm"},
	}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = m.KillAll(); _ = m.Delete() })
	run := func(dev string) (string, error) {
		cmd := exec.Command("sh", "-c", "read x; exec head -c 1 "+dev)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := m.Add(cmd.Process.Pid); err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("Add: %v", err)
		}
		_, _ = io.WriteString(in, "go\n")
		err = cmd.Wait()
		return out.String(), err
	}
	if out, err := run("/dev/null"); err != nil {
		t.Errorf("open /dev/null in the group: %v: %s", err, out)
	}
	if out, err := run("/dev/zero"); err == nil || !strings.Contains(out, "not permitted") {
		t.Errorf("open /dev/zero in the group = %v: %q; want operation not permitted", err, out)
	}
	if err := m.Delete(); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

func TestV1Devices(t *testing.T) {
	requireV1(t)
	testDevices(t, Saved{Driver: DriverCgroupfs, Mode: ModeV1, Path: testParent(t) + "/dev"})
}

func TestV2Devices(t *testing.T) {
	if !useV2Root(t) {
		t.Skip("requires a unified cgroup v2 host (device rules are eBPF programs on the container's v2 group)")
	}
	testDevices(t, Saved{Driver: DriverCgroupfs, Mode: ModeV2, Path: testParent(t) + "/dev"})
}
