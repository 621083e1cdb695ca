package cgroups

import (
	"reflect"
	"strings"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

const mib = 1 << 20

// files renders settings as file -> value (the first choice; Alt as "|file=value").
func files(ss []setting) map[string]string {
	out := map[string]string{}
	for _, s := range ss {
		v := s.Value
		if s.Optional {
			v += "?"
		}
		for a := s.Alt; a != nil; a = a.Alt {
			v += "|" + a.File + "=" + a.Value
		}
		if old, ok := out[s.File]; ok {
			v = old + ";" + v
		}
		out[s.File] = v
	}
	return out
}

func TestToV2(t *testing.T) {
	tests := []struct {
		name    string
		res     specs.LinuxResources
		want    map[string]string // extra settings
		check   func(t *testing.T, lib *cgroup2.Resources)
		ctrls   []string
		wantErr string
	}{
		{
			// cgroup2.ToResources writes OCI swap (memory+swap) as is.
			name:  "swap is memory+swap minus limit",
			res:   specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(100 * mib)), Swap: ptr(int64(300 * mib))}},
			want:  map[string]string{"memory.max": "104857600", "memory.swap.max": "209715200"},
			ctrls: []string{"memory"},
		},
		{
			name: "swap equal to limit means no swap",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(100 * mib)), Swap: ptr(int64(100 * mib))}},
			want: map[string]string{"memory.max": "104857600", "memory.swap.max": "0"},
		},
		{
			// The kernel takes only "max" for no limit, cgroup2 would write "-1".
			name: "unlimited is max",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1)), Swap: ptr(int64(-1)), Reservation: ptr(int64(-1))}},
			want: map[string]string{"memory.max": "max", "memory.swap.max": "max", "memory.low": "max"},
		},
		{
			name: "unlimited memory without swap lifts swap too",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1))}},
			want: map[string]string{"memory.max": "max", "memory.swap.max": "max?"},
		},
		{
			name: "limit alone leaves swap alone",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(64 * mib))}},
			want: map[string]string{"memory.max": "67108864"},
		},
		{
			name: "reservation is memory.low",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Reservation: ptr(int64(32 * mib))}},
			want: map[string]string{"memory.low": "33554432"},
		},
		{
			name:    "swap without limit",
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr(int64(300 * mib))}},
			wantErr: "needs a memory limit",
		},
		{
			name:    "swap below limit",
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(300 * mib)), Swap: ptr(int64(100 * mib))}},
			wantErr: "must be >= limit",
		},
		{
			name:    "negative memory",
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-5))}},
			wantErr: "invalid value -5",
		},
		{
			name: "zero memory values are unset",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(0)), Swap: ptr(int64(0)), Reservation: ptr(int64(0))}},
			want: map[string]string{},
		},
		{
			// cgroup2.ToResources drops a quota given without a period.
			name: "quota without period",
			res:  specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr(int64(50000))}},
			want: map[string]string{},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.CPU.Max != "50000" {
					t.Errorf("cpu.max = %q, want %q (period stays at its 100000 default)", lib.CPU.Max, "50000")
				}
			},
			ctrls: []string{"cpu"},
		},
		{
			name: "quota and period",
			res:  specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr(int64(20000)), Period: ptr(uint64(50000))}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.CPU.Max != "20000 50000" {
					t.Errorf("cpu.max = %q", lib.CPU.Max)
				}
			},
		},
		{
			name: "unlimited quota with period",
			res:  specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr(int64(-1)), Period: ptr(uint64(100000))}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.CPU.Max != "max 100000" {
					t.Errorf("cpu.max = %q", lib.CPU.Max)
				}
			},
		},
		{
			name: "shares to weight",
			res:  specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr(uint64(1024)), Cpus: "0-1", Mems: "0", Idle: ptr(int64(1)), Burst: ptr(uint64(1000))}},
			want: map[string]string{"cpu.idle": "1", "cpu.max.burst": "1000"},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.CPU.Weight == nil || *lib.CPU.Weight != 100 {
					t.Errorf("cpu.weight = %v, want 100", lib.CPU.Weight)
				}
				if lib.CPU.Cpus != "0-1" || lib.CPU.Mems != "0" || lib.CPU.Max != "" {
					t.Errorf("cpu = %+v", lib.CPU)
				}
			},
			ctrls: []string{"cpu", "cpuset"},
		},
		{
			name:    "realtime",
			res:     specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr(int64(950000))}},
			wantErr: "realtime",
		},
		{
			name: "pids",
			res:  specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(10))}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.Pids.Max != 10 {
					t.Errorf("pids = %+v", lib.Pids)
				}
			},
			ctrls: []string{"pids"},
		},
		{
			// cgroup2.Pids writes nothing for 0, so 0 could not lift a limit.
			name: "pids zero is unlimited",
			res:  specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(0))}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.Pids.Max != -1 {
					t.Errorf("pids = %+v, want -1 (max)", lib.Pids)
				}
			},
		},
		{
			// cgroup2.ToResources puts the 1..10000 scale into io.bfq.weight (1..1000).
			name: "blkio weight",
			res: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight:       ptr(uint16(500)),
				WeightDevice: []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr(uint16(10))}},
			}},
			want:  map[string]string{"io.bfq.weight": "500|io.weight=default 4950;8:0 10|io.weight=8:0 1"},
			ctrls: []string{"io"},
		},
		{
			name: "blkio throttles",
			res: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1000}},
				ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 16}, Rate: 50}},
			}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				want := []cgroup2.Entry{{Type: cgroup2.ReadBPS, Major: 8, Minor: 0, Rate: 1000}, {Type: cgroup2.WriteIOPS, Major: 8, Minor: 16, Rate: 50}}
				if lib.IO == nil || !reflect.DeepEqual(lib.IO.Max, want) || lib.IO.BFQ.Weight != 0 {
					t.Errorf("io = %+v", lib.IO)
				}
			},
			ctrls: []string{"io"},
		},
		{
			name: "hugepages",
			res:  specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 * mib}}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				if lib.HugeTlb == nil || !reflect.DeepEqual(*lib.HugeTlb, cgroup2.HugeTlb{{HugePageSize: "2MB", Limit: 4 * mib}}) {
					t.Errorf("hugetlb = %+v", lib.HugeTlb)
				}
			},
			ctrls: []string{"hugetlb"},
		},
		{
			name: "unified after converted values",
			res: specs.LinuxResources{
				Memory:  &specs.LinuxMemory{Limit: ptr(int64(mib))},
				Unified: map[string]string{"memory.high": "524288", "cgroup.freeze": "0"},
			},
			want:  map[string]string{"memory.max": "1048576", "memory.high": "524288", "cgroup.freeze": "0"},
			ctrls: []string{"memory"},
		},
		{
			name: "device wildcards spelled out",
			res: specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
				{Allow: false, Access: "rwm"},
				{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(3)), Access: "rwm"},
			}},
			check: func(t *testing.T, lib *cgroup2.Resources) {
				d := lib.Devices
				if len(d) != 2 || d[0].Type != "a" || *d[0].Major != -1 || *d[0].Minor != -1 ||
					d[1].Type != "c" || *d[1].Major != 1 || *d[1].Minor != 3 {
					t.Errorf("devices = %+v", d)
				}
			},
		},
		{
			name:    "unified key with slash",
			res:     specs.LinuxResources{Unified: map[string]string{"../memory.max": "1"}},
			wantErr: `"../memory.max"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := toV2(&tt.res)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("toV2 err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && !reflect.DeepEqual(files(plan.extra), tt.want) {
				t.Errorf("settings = %v, want %v", files(plan.extra), tt.want)
			}
			if tt.check != nil {
				tt.check(t, plan.lib)
			}
			if tt.ctrls != nil && !reflect.DeepEqual(plan.controllers(), tt.ctrls) {
				t.Errorf("controllers = %v, want %v", plan.controllers(), tt.ctrls)
			}
		})
	}
}

func TestToV2UnifiedLast(t *testing.T) {
	plan, err := toV2(&specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: ptr(int64(mib))},
		Unified: map[string]string{"memory.max": "2097152"},
	})
	if err != nil {
		t.Fatal(err)
	}
	last := plan.extra[len(plan.extra)-1]
	if last.File != "memory.max" || last.Value != "2097152" {
		t.Fatalf("last setting = %+v, want the unified memory.max", last)
	}
}

func TestToV1(t *testing.T) {
	tests := []struct {
		name    string
		res     specs.LinuxResources
		want    map[string]string
		check   func(t *testing.T, lib *specs.LinuxResources)
		wantErr string
	}{
		{
			name:    "unified is v2 only",
			res:     specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}},
			wantErr: `"memory.high"`,
		},
		{
			name: "memory limit and memsw written here",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(100 * mib)), Swap: ptr(int64(200 * mib)), Reservation: ptr(int64(mib)), Kernel: ptr(int64(mib))}},
			want: map[string]string{"memory.limit_in_bytes": "104857600", "memory.memsw.limit_in_bytes": "209715200"},
			check: func(t *testing.T, lib *specs.LinuxResources) {
				m := lib.Memory
				if m.Limit != nil || m.Swap != nil || m.Kernel != nil || m.Reservation == nil || *m.Reservation != mib {
					t.Errorf("library memory = %+v", m)
				}
			},
		},
		{
			name: "unlimited memory lifts memsw",
			res:  specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1))}},
			want: map[string]string{"memory.limit_in_bytes": "-1", "memory.memsw.limit_in_bytes": "-1?"},
		},
		{
			name:    "swap below limit",
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(300 * mib)), Swap: ptr(int64(100 * mib))}},
			wantErr: "must be >= limit",
		},
		{
			// cgroup1 writes pids.max only for positive limits.
			name: "pids unlimited",
			res:  specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(-1))}},
			want: map[string]string{"pids.max": "max"},
			check: func(t *testing.T, lib *specs.LinuxResources) {
				if lib.Pids != nil {
					t.Errorf("library pids = %+v", lib.Pids)
				}
			},
		},
		{
			name: "pids limit",
			res:  specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(7))}},
			want: map[string]string{"pids.max": "7"},
		},
		{
			name: "cpu",
			res:  specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr(uint64(0)), Quota: ptr(int64(50000)), Idle: ptr(int64(0)), Burst: ptr(uint64(10))}},
			want: map[string]string{"cpu.idle": "0", "cpu.cfs_burst_us": "10"},
			check: func(t *testing.T, lib *specs.LinuxResources) {
				c := lib.CPU
				if c.Shares != nil || c.Quota == nil || *c.Quota != 50000 || c.Idle != nil || c.Burst != nil {
					t.Errorf("library cpu = %+v", c)
				}
			},
		},
		{
			// CFQ's blkio.weight is gone since Linux 5.0; BFQ has blkio.bfq.weight.
			name: "blkio weight",
			res: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight:                ptr(uint16(300)),
				ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8}, Rate: 1}},
			}},
			want: map[string]string{"blkio.bfq.weight": "300|blkio.weight=300"},
			check: func(t *testing.T, lib *specs.LinuxResources) {
				if lib.BlockIO.Weight != nil || len(lib.BlockIO.ThrottleReadBpsDevice) != 1 {
					t.Errorf("library blkio = %+v", lib.BlockIO)
				}
			},
		},
		{
			name: "hugepages",
			res:  specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 2 * mib}}},
			want: map[string]string{"hugetlb.2MB.limit_in_bytes": "2097152"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := tt.res
			plan, err := toV1(&tt.res)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("toV1 err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && !reflect.DeepEqual(files(plan.extra), tt.want) {
				t.Errorf("settings = %v, want %v", files(plan.extra), tt.want)
			}
			if tt.check != nil {
				tt.check(t, plan.lib)
			}
			if !reflect.DeepEqual(orig, tt.res) {
				t.Errorf("toV1 changed its input")
			}
		})
	}
}

func TestIOWeight(t *testing.T) {
	for in, want := range map[uint16]uint64{10: 1, 1000: 10000, 100: 910, 0: 1} {
		if got := ioWeight(in); got != want {
			t.Errorf("ioWeight(%d) = %d, want %d", in, got, want)
		}
	}
}
