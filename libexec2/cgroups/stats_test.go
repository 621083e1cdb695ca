package cgroups

import (
	"math"
	"reflect"
	"testing"

	v1stats "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2stats "github.com/containerd/cgroups/v3/cgroup2/stats"
)

func TestFromV2(t *testing.T) {
	tests := []struct {
		name string
		in   *v2stats.Metrics
		want *Stats
	}{
		{
			name: "empty",
			in:   &v2stats.Metrics{},
			want: &Stats{Hugetlb: map[string]Hugetlb{}},
		},
		{
			name: "limited",
			in: &v2stats.Metrics{
				CPU:     &v2stats.CPUStat{UsageUsec: 3, UserUsec: 2, SystemUsec: 1, NrPeriods: 10, NrThrottled: 4, ThrottledUsec: 7},
				Memory:  &v2stats.MemoryStat{File: 5, Usage: 100, UsageLimit: 1000, MaxUsage: 200, SwapUsage: 10, SwapLimit: 500},
				Pids:    &v2stats.PidsStat{Current: 3, Limit: 20},
				Io:      &v2stats.IOStat{Usage: []*v2stats.IOEntry{{Major: 8, Minor: 0, Rbytes: 1, Wbytes: 2, Rios: 3, Wios: 4}}},
				Hugetlb: []*v2stats.HugeTlbStat{{Pagesize: "2MB", Current: 4096, Max: 8192, Failcnt: 1}},
			},
			want: &Stats{
				CPU: CPU{
					Usage:      CPUUsage{Total: 3000, User: 2000, Kernel: 1000},
					Throttling: Throttling{Periods: 10, ThrottledPeriods: 4, ThrottledTime: 7000},
				},
				Memory: Memory{
					Cache: 5,
					Usage: MemoryEntry{Limit: 1000, Usage: 100, Max: 200},
					Swap:  MemoryEntry{Limit: 1500, Usage: 110},
				},
				Pids: Pids{Current: 3, Limit: 20},
				Blkio: Blkio{
					IoServiceBytesRecursive: []BlkioEntry{{Major: 8, Op: "Read", Value: 1}, {Major: 8, Op: "Write", Value: 2}},
					IoServicedRecursive:     []BlkioEntry{{Major: 8, Op: "Read", Value: 3}, {Major: 8, Op: "Write", Value: 4}},
				},
				Hugetlb: map[string]Hugetlb{"2MB": {Usage: 4096, Failcnt: 1}},
			},
		},
		{
			name: "unlimited",
			in: &v2stats.Metrics{
				Memory: &v2stats.MemoryStat{Usage: 100, UsageLimit: math.MaxUint64, SwapLimit: math.MaxUint64},
				Pids:   &v2stats.PidsStat{Current: 1, Limit: math.MaxUint64},
			},
			want: &Stats{
				Memory:  Memory{Usage: MemoryEntry{Limit: math.MaxUint64, Usage: 100}, Swap: MemoryEntry{Limit: math.MaxUint64, Usage: 100}},
				Pids:    Pids{Current: 1},
				Hugetlb: map[string]Hugetlb{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromV2(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fromV2 = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromV1(t *testing.T) {
	in := &v1stats.Metrics{
		CPU: &v1stats.CPUStat{
			Usage:      &v1stats.CPUUsage{Total: 30, Kernel: 10, User: 20, PerCPU: []uint64{15, 15}},
			Throttling: &v1stats.Throttle{Periods: 5, ThrottledPeriods: 1, ThrottledTime: 99},
		},
		Memory: &v1stats.MemoryStat{
			Cache: 7,
			Usage: &v1stats.MemoryEntry{Limit: 1000, Usage: 100, Max: 150, Failcnt: 2},
			Swap:  &v1stats.MemoryEntry{Limit: 2000, Usage: 120},
		},
		Pids:    &v1stats.PidsStat{Current: 2, Limit: 10},
		Blkio:   &v1stats.BlkIOStat{IoServicedRecursive: []*v1stats.BlkIOEntry{{Op: "Read", Major: 8, Value: 6}}},
		Hugetlb: []*v1stats.HugetlbStat{{Pagesize: "2MB", Usage: 1, Max: 2, Failcnt: 3}},
	}
	want := &Stats{
		CPU: CPU{
			Usage:      CPUUsage{Total: 30, Kernel: 10, User: 20, Percpu: []uint64{15, 15}},
			Throttling: Throttling{Periods: 5, ThrottledPeriods: 1, ThrottledTime: 99},
		},
		Memory: Memory{
			Cache: 7,
			Usage: MemoryEntry{Limit: 1000, Usage: 100, Max: 150, Failcnt: 2},
			Swap:  MemoryEntry{Limit: 2000, Usage: 120},
		},
		Pids:    Pids{Current: 2, Limit: 10},
		Blkio:   Blkio{IoServicedRecursive: []BlkioEntry{{Op: "Read", Major: 8, Value: 6}}},
		Hugetlb: map[string]Hugetlb{"2MB": {Usage: 1, Max: 2, Failcnt: 3}},
	}
	if got := fromV1(in); !reflect.DeepEqual(got, want) {
		t.Errorf("fromV1 = %+v\nwant %+v", got, want)
	}
}
