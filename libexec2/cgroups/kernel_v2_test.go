package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// useV2Root points the package at a cgroup v2 hierarchy for the test: the host's
// /sys/fs/cgroup on a unified host (full is true: every controller), else the
// hybrid /sys/fs/cgroup/unified, where only core files and hugetlb exist.
func useV2Root(t *testing.T) (full bool) {
	t.Helper()
	requireRoot(t)
	root := "/sys/fs/cgroup"
	if m, err := detectMode(); err != nil || m != ModeV2 {
		root = "/sys/fs/cgroup/unified"
	}
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		t.Skip("requires a cgroup v2 hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified")
	}
	old := v2Root
	v2Root = root
	t.Cleanup(func() { v2Root = old })
	return root == "/sys/fs/cgroup"
}

func TestV2Lifecycle(t *testing.T) {
	full := useV2Root(t)
	parent := testParent(t)
	s := Saved{Driver: DriverCgroupfs, Mode: ModeV2, Path: parent + "/c1"}
	dir := filepath.Join(v2Root, s.Path)

	res := &specs.LinuxResources{Unified: map[string]string{"cgroup.max.descendants": "3"}}
	if full {
		res.Memory = &specs.LinuxMemory{Limit: ptr(int64(64 * mib)), Swap: ptr(int64(96 * mib)), Reservation: ptr(int64(8 * mib))}
		res.Pids = &specs.LinuxPids{Limit: ptr(int64(20))}
		res.CPU = &specs.LinuxCPU{Quota: ptr(int64(50000)), Shares: ptr(uint64(1024)), Cpus: "0", Mems: "0"}
		if _, err := os.Stat("/sys/kernel/mm/hugepages/hugepages-2048kB"); err == nil {
			res.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mib}}
		}
	}
	m, err := New(s, res)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = m.KillAll(); _ = m.Delete() })
	want := map[string]string{"cgroup.max.descendants": "3"}
	if full {
		want["memory.max"] = "67108864"
		want["memory.swap.max"] = "33554432"
		want["pids.max"] = "20"
		want["cpu.max"] = "50000 100000"
		want["cpu.weight"] = "100"
		want["cpuset.cpus"] = "0"
		want["cpuset.mems"] = "0"
		want["memory.low"] = "8388608"
		if res.HugepageLimits != nil {
			want["hugetlb.2MB.max"] = "4194304"
		}
	}
	for f, v := range want {
		if got := readFileT(t, filepath.Join(dir, f)); got != v {
			t.Errorf("%s = %q, want %q", f, got, v)
		}
	}

	fd, ok, err := m.CloneFD()
	if err != nil || !ok {
		t.Fatalf("CloneFD = %d, %v, %v", fd, ok, err)
	}
	c := startSleep(t, &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd})
	unix.Close(fd)
	pid := c.Process.Pid
	if pids, err := m.Pids(); err != nil || !slices.Equal(pids, []int{pid}) {
		t.Fatalf("Pids = %v, %v; want [%d]", pids, err, pid)
	}
	if cg, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup"); !strings.Contains(string(cg), "0::"+s.Path+"\n") {
		t.Errorf("/proc/pid/cgroup = %s", cg)
	}
	other := startSleep(t, nil)
	if err := m.Add(other.Process.Pid); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if _, err := New(s, nil); err == nil || !strings.Contains(err.Error(), "already has processes") {
		t.Errorf("New on a populated group: err = %v", err)
	}

	if err := m.Freeze(); err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	if f, err := m.Frozen(); err != nil || !f {
		t.Errorf("Frozen after Freeze = %v, %v", f, err)
	}
	if err := m.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	if f, err := m.Frozen(); err != nil || f {
		t.Errorf("Frozen after Thaw = %v, %v", f, err)
	}

	if err := m.Signal(unix.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitState(t, pid, "T")
	if err := m.Signal(unix.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitState(t, pid, "S")

	upd := &specs.LinuxResources{Unified: map[string]string{"cgroup.max.descendants": "5"}}
	if full {
		upd.Memory = &specs.LinuxMemory{Limit: ptr(int64(32 * mib))}
	}
	if err := m.Update(upd); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := readFileT(t, filepath.Join(dir, "cgroup.max.descendants")); got != "5" {
		t.Errorf("cgroup.max.descendants after Update = %q", got)
	}
	if full {
		if got := readFileT(t, filepath.Join(dir, "memory.max")); got != "33554432" {
			t.Errorf("memory.max after Update = %q", got)
		}
		if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(4096)), CheckBeforeUpdate: ptr(true)}}); err == nil || !strings.Contains(err.Error(), "below the current usage") {
			t.Errorf("Update below usage with checkBeforeUpdate: err = %v", err)
		}
		// -1 must reach the kernel as "max" (cgroup2 would write "-1").
		if err := m.Update(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1))}, Pids: &specs.LinuxPids{Limit: ptr(int64(-1))}}); err != nil {
			t.Fatalf("Update to unlimited: %v", err)
		}
		for _, f := range []string{"memory.max", "memory.swap.max", "pids.max"} {
			if got := readFileT(t, filepath.Join(dir, f)); got != "max" {
				t.Errorf("%s after Update to unlimited = %q", f, got)
			}
		}
	}
	if _, err := m.Stats(); err != nil {
		t.Errorf("Stats: %v", err)
	}
	if n, err := m.OOMKillCount(); err != nil || n != 0 {
		t.Errorf("OOMKillCount = %d, %v", n, err)
	}

	if err := m.KillAll(); err != nil {
		t.Fatalf("KillAll: %v", err)
	}
	if err := c.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("sleep exit = %v, want killed", err)
	}
	if err := m.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s left after Delete", dir)
	}
	if _, err := Load(s); !errors.Is(err, ErrNotExist) {
		t.Errorf("Load after Delete: err = %v, want ErrNotExist", err)
	}
	if _, err := m.Pids(); !errors.Is(err, ErrNotExist) {
		t.Errorf("Pids after Delete: err = %v, want ErrNotExist", err)
	}
	if _, err := m.Stats(); !errors.Is(err, ErrNotExist) {
		t.Errorf("Stats after Delete: err = %v, want ErrNotExist", err)
	}
	if err := m.KillAll(); err != nil {
		t.Errorf("KillAll after Delete: %v", err)
	}
}

func TestV2MissingController(t *testing.T) {
	if useV2Root(t) {
		t.Skip("requires a v2 hierarchy without the memory controller (hybrid host)")
	}
	parent := testParent(t)
	s := Saved{Driver: DriverCgroupfs, Mode: ModeV2, Path: parent + "/c1"}
	_, err := New(s, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(mib))}})
	if err == nil || !strings.Contains(err.Error(), "controller memory is not available") {
		t.Fatalf("New with memory on a memory-less hierarchy: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(v2Root, s.Path)); err == nil {
		t.Errorf("group left after a failed New")
	}
}
