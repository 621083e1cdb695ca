package cgroups

import (
	"errors"
	"os"
	"testing"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func propMap(props []sdbus.Property) map[string]any {
	out := map[string]any{}
	for _, p := range props {
		out[p.Name] = p.Value.Value()
	}
	return out
}

func TestUnitProperties(t *testing.T) {
	scope := propMap(unitProperties(Saved{Driver: DriverSystemd, Mode: ModeV2, Path: "/a.slice/a-b.slice/p-n.scope"}, 42))
	if scope["Slice"] != "a-b.slice" || scope["Delegate"] != true || scope["IOAccounting"] != true || scope["DefaultDependencies"] != false {
		t.Errorf("scope properties = %v", scope)
	}
	if pids, ok := scope["PIDs"].([]uint32); !ok || len(pids) != 1 || pids[0] != 42 {
		t.Errorf("scope PIDs = %v", scope["PIDs"])
	}

	slice := propMap(unitProperties(Saved{Driver: DriverSystemd, Mode: ModeV1, Path: "/a.slice/a-c.slice"}, 42))
	if _, ok := slice["PIDs"]; ok {
		t.Errorf("slice unit got PIDs: %v", slice)
	}
	if slice["Slice"] != "a.slice" || slice["BlockIOAccounting"] != true {
		t.Errorf("slice properties = %v", slice)
	}

	root := propMap(unitProperties(Saved{Driver: DriverSystemd, Mode: ModeV2, Path: "/p-n.scope"}, 1))
	if root["Slice"] != "-.slice" {
		t.Errorf("root scope slice = %v", root["Slice"])
	}
}

func TestSystemdWithoutSystemd(t *testing.T) {
	old := systemdRunning
	t.Cleanup(func() { systemdRunning = old })
	mode, err := detectMode()
	if err != nil {
		t.Skip("requires a cgroup hierarchy")
	}
	s := Saved{Driver: DriverSystemd, Mode: mode, Path: "/exec2-oci-test-nosystemd.slice/p-n.scope"}

	systemdRunning = func() bool { return false }
	if _, err := New(s, nil); !errors.Is(err, ErrSystemdNotRunning) {
		t.Fatalf("New: err = %v, want ErrSystemdNotRunning", err)
	}

	// systemd claimed but unreachable: New defers to Add, which must fail
	// cleanly and create nothing.
	systemdRunning = func() bool { return true }
	if _, err := os.Stat("/run/systemd/private"); err == nil {
		t.Skip("requires a host where systemd is not reachable")
	}
	if _, err := New(s, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-7))}}); err == nil {
		t.Errorf("New with invalid resources: want error")
	}
	m, err := New(s, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, ok, err := m.CloneFD(); ok || err != nil {
		t.Errorf("CloneFD before the unit exists = ok %v, err %v", ok, err)
	}
	if err := m.Add(os.Getpid()); err == nil {
		t.Fatal("Add without a reachable systemd succeeded")
	}
	if left := leftovers("/exec2-oci-test-nosystemd.slice"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if err := m.Delete(); err != nil {
		t.Errorf("Delete: %v", err)
	}
}
