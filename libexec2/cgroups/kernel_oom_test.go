package cgroups

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// testOOM runs a 64 MiB allocation in a group limited to 16 MiB (no swap)
// and expects the kernel to kill it and OOMKillCount to say so.
func testOOM(t *testing.T, s Saved) {
	t.Helper()
	mem := &specs.LinuxMemory{Limit: ptr(int64(16 * mib))}
	if s.Mode == ModeV2 {
		mem.Swap = ptr(int64(16 * mib))
	} else if _, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"); err == nil {
		mem.Swap = ptr(int64(16 * mib))
	}
	m, err := New(s, &specs.LinuxResources{Memory: mem})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = m.KillAll(); _ = m.Delete() })

	// The shell waits for a line, so the allocation starts inside the group.
	cmd := exec.Command("sh", "-c", "read x; exec dd if=/dev/zero of=/dev/null bs=64M count=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Kill(cmd.Process.Pid, unix.SIGKILL); _ = cmd.Wait() })
	if err := m.Add(cmd.Process.Pid); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if _, err := io.WriteString(in, "go\n"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("dd still running after 20s under a 16 MiB limit")
	}
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("dd exit = %v, want killed by the OOM killer", err)
	}
	if n, err := m.OOMKillCount(); err != nil || n != 1 {
		t.Errorf("OOMKillCount = %d, %v; want 1", n, err)
	}
	if err := m.Delete(); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

func TestV1OOMKill(t *testing.T) {
	requireV1(t)
	testOOM(t, Saved{Driver: DriverCgroupfs, Mode: ModeV1, Path: testParent(t) + "/oom"})
}

func TestV2OOMKill(t *testing.T) {
	if !useV2Root(t) {
		t.Skip("requires the memory controller in cgroup v2 (unified host)")
	}
	testOOM(t, Saved{Driver: DriverCgroupfs, Mode: ModeV2, Path: testParent(t) + "/oom"})
}
