package libexec2

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestMergeResources(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	old := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: i64(100), Swap: i64(200)},
		Pids:   &specs.LinuxPids{Limit: i64(5)},
		CPU:    &specs.LinuxCPU{Cpus: "0-1"},
	}
	got := MergeResources(old, &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: i64(300)},
		CPU:     &specs.LinuxCPU{Quota: i64(20000)},
		Unified: map[string]string{"memory.high": "1000"},
	})
	if *got.Memory.Limit != 300 || *got.Memory.Swap != 200 {
		t.Errorf("memory = %+v", got.Memory)
	}
	if *got.Pids.Limit != 5 || got.CPU.Cpus != "0-1" || *got.CPU.Quota != 20000 || got.Unified["memory.high"] != "1000" {
		t.Errorf("merged = %+v", got)
	}
	if *old.Memory.Limit != 100 {
		t.Error("merge changed its input")
	}
}
