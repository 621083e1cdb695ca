package cgroups

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// This file holds the pure translation of linux.resources into what each
// cgroup version's kernel files expect. containerd/cgroups writes the parts it
// maps correctly; the rest becomes settings written by this package.

// setting is one value for one control file. When File does not exist in the
// group the write falls back to Alt (e.g. io.bfq.weight -> io.weight, whose
// scale differs); a setting with neither present is an error naming File,
// unless it is Optional (implied values the kernel may not support).
type setting struct {
	File     string
	Value    string
	Alt      *setting
	Optional bool
}

// controller is the controller a control file belongs to ("memory.max" -> "memory").
func (s setting) controller() string {
	c, _, _ := strings.Cut(s.File, ".")
	return c
}

// defaultCPUPeriod is the kernel's CFS period in µs (cgroup-v2.rst, cpu.max).
const defaultCPUPeriod = 100000

// v1Plan is linux.resources translated for cgroup v1.
type v1Plan struct {
	lib   *specs.LinuxResources // what cgroup1 writes itself
	extra []setting             // written afterwards, into the controller named by each file
}

// toV1 translates linux.resources for cgroup v1 hierarchies.
func toV1(res *specs.LinuxResources) (v1Plan, error) {
	if res == nil {
		return v1Plan{lib: &specs.LinuxResources{}}, nil
	}
	if keys := sortedKeys(res.Unified); len(keys) > 0 {
		return v1Plan{}, fmt.Errorf("convert linux.resources.unified key %q: unified resources need cgroup v2", keys[0])
	}
	lib := *res
	var extra []setting

	if m := res.Memory; m != nil {
		mem := *m
		// Kernel memory limits were removed from the kernel (v5.4 deprecated,
		// gone in v6.x); runc ignores them too.
		mem.Kernel = nil
		mem.Limit = nonZero(mem.Limit)
		mem.Swap = nonZero(mem.Swap)
		mem.Reservation = nonZero(mem.Reservation)
		if err := checkMemory(mem.Limit, mem.Swap); err != nil {
			return v1Plan{}, err
		}
		// The limit and memsw are written here, in an order that depends on the
		// current limit (orderMemsw): cgroup1 only orders them when both are
		// positive, so raising both to -1 (unlimited) fails there.
		if mem.Limit != nil {
			extra = append(extra, setting{File: "memory.limit_in_bytes", Value: strconv.FormatInt(*mem.Limit, 10)})
		}
		if mem.Swap != nil {
			extra = append(extra, setting{File: "memory.memsw.limit_in_bytes", Value: strconv.FormatInt(*mem.Swap, 10)})
		} else if mem.Limit != nil && *mem.Limit == -1 {
			// memsw must stay >= the memory limit: unlimited memory without an
			// explicit swap means unlimited swap too, where the kernel
			// accounts swap (runc does the same).
			extra = append(extra, setting{File: "memory.memsw.limit_in_bytes", Value: "-1", Optional: true})
		}
		mem.Limit, mem.Swap = nil, nil
		lib.Memory = &mem
	}

	if c := res.CPU; c != nil {
		cpu := *c
		cpu.Idle, cpu.Burst = nil, nil
		if cpu.Shares != nil && *cpu.Shares == 0 {
			cpu.Shares = nil
		}
		if cpu.Quota != nil && *cpu.Quota == 0 {
			cpu.Quota = nil
		}
		if cpu.Period != nil && *cpu.Period == 0 {
			cpu.Period = nil
		}
		if c.Idle != nil {
			extra = append(extra, setting{File: "cpu.idle", Value: strconv.FormatInt(*c.Idle, 10)})
		}
		if c.Burst != nil {
			extra = append(extra, setting{File: "cpu.cfs_burst_us", Value: strconv.FormatUint(*c.Burst, 10)})
		}
		lib.CPU = &cpu
	}

	// cgroup1 only writes pids.max for a positive limit, so lifting a limit
	// (0 or -1: unlimited) would silently keep the old one.
	if p := res.Pids; p != nil && p.Limit != nil {
		lib.Pids = nil
		extra = append(extra, setting{File: "pids.max", Value: pidsMax(*p.Limit)})
	}

	// The CFQ files cgroup1 writes (blkio.weight, blkio.weight_device) are
	// gone since v5.0; BFQ exposes blkio.bfq.weight{,_device} instead.
	if b := res.BlockIO; b != nil {
		bio := *b
		bio.Weight, bio.LeafWeight, bio.WeightDevice = nil, nil, nil
		if w := b.Weight; w != nil && *w != 0 {
			v := strconv.FormatUint(uint64(*w), 10)
			extra = append(extra, setting{File: "blkio.bfq.weight", Value: v, Alt: &setting{File: "blkio.weight", Value: v}})
		}
		if w := b.LeafWeight; w != nil && *w != 0 {
			extra = append(extra, setting{File: "blkio.leaf_weight", Value: strconv.FormatUint(uint64(*w), 10)})
		}
		for _, d := range b.WeightDevice {
			if d.Weight != nil {
				v := fmt.Sprintf("%d:%d %d", d.Major, d.Minor, *d.Weight)
				extra = append(extra, setting{File: "blkio.bfq.weight_device", Value: v, Alt: &setting{File: "blkio.weight_device", Value: v}})
			}
			if d.LeafWeight != nil {
				extra = append(extra, setting{File: "blkio.leaf_weight_device", Value: fmt.Sprintf("%d:%d %d", d.Major, d.Minor, *d.LeafWeight)})
			}
		}
		lib.BlockIO = &bio
	}

	// cgroup1's hugetlb controller has no Update, so limits are written here
	// for create and update alike.
	if len(res.HugepageLimits) > 0 {
		lib.HugepageLimits = nil
		for _, h := range res.HugepageLimits {
			extra = append(extra, setting{File: "hugetlb." + h.Pagesize + ".limit_in_bytes", Value: strconv.FormatUint(h.Limit, 10)})
		}
	}
	return v1Plan{lib: &lib, extra: extra}, nil
}

// v2Plan is linux.resources translated for the cgroup v2 unified hierarchy.
type v2Plan struct {
	lib   *cgroup2.Resources // what cgroup2 writes itself
	extra []setting          // written afterwards, in order (unified keys last)
}

// controllers lists the v2 controllers the plan needs enabled in the group.
func (p v2Plan) controllers() []string {
	out := p.lib.EnabledControllers()
	for _, s := range p.extra {
		if c := s.controller(); slices.Contains(v2Controllers, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// v2Controllers are the controllers a control-file prefix can name (cgroup-v2.rst).
var v2Controllers = []string{"cpu", "cpuset", "hugetlb", "io", "memory", "misc", "pids", "rdma"}

// toV2 translates linux.resources for cgroup v2.
func toV2(res *specs.LinuxResources) (v2Plan, error) {
	lib := &cgroup2.Resources{}
	if res == nil {
		return v2Plan{lib: lib}, nil
	}
	var extra []setting
	// OCI leaves type, major and minor unset to mean "all"; cgroup2's device
	// filter rejects an empty type and dereferences nil major/minor (cgroup1
	// handles both), so spell the wildcards out.
	for _, d := range res.Devices {
		if d.Type == "" {
			d.Type = "a"
		}
		if d.Major == nil {
			d.Major = ptr(int64(-1))
		}
		if d.Minor == nil {
			d.Minor = ptr(int64(-1))
		}
		lib.Devices = append(lib.Devices, d)
	}

	if c := res.CPU; c != nil {
		if (c.RealtimeRuntime != nil && *c.RealtimeRuntime != 0) || (c.RealtimePeriod != nil && *c.RealtimePeriod != 0) {
			return v2Plan{}, fmt.Errorf("convert linux.resources.cpu: realtimeRuntime/realtimePeriod are not supported on cgroup v2")
		}
		cpu := &cgroup2.CPU{Cpus: c.Cpus, Mems: c.Mems}
		if c.Shares != nil && *c.Shares != 0 {
			w := cgroup2.ConvertCPUSharesToCgroupV2Value(*c.Shares)
			cpu.Weight = &w
		}
		cpu.Max = cpuMax(c.Quota, c.Period)
		lib.CPU = cpu
		if c.Idle != nil {
			extra = append(extra, setting{File: "cpu.idle", Value: strconv.FormatInt(*c.Idle, 10)})
		}
		if c.Burst != nil {
			extra = append(extra, setting{File: "cpu.max.burst", Value: strconv.FormatUint(*c.Burst, 10)})
		}
	}

	// Memory values are written here: cgroup2.Memory formats -1 as "-1",
	// which memory.{max,low,swap.max} reject (they only take "max"), and
	// OCI's swap is memory+swap while memory.swap.max is swap alone.
	if m := res.Memory; m != nil {
		limit, swap, low := nonZero(m.Limit), nonZero(m.Swap), nonZero(m.Reservation)
		if err := checkMemory(limit, swap); err != nil {
			return v2Plan{}, err
		}
		if limit != nil {
			extra = append(extra, setting{File: "memory.max", Value: memValue(*limit)})
		}
		if v, ok, err := swapV2(swap, limit); err != nil {
			return v2Plan{}, err
		} else if ok {
			// Implied (not asked for) when swap is nil: skipped where the
			// kernel does not account swap.
			extra = append(extra, setting{File: "memory.swap.max", Value: v, Optional: swap == nil})
		}
		if low != nil {
			extra = append(extra, setting{File: "memory.low", Value: memValue(*low)})
		}
	}

	if p := res.Pids; p != nil && p.Limit != nil {
		max := *p.Limit
		if max <= 0 {
			max = -1 // cgroup2.Pids writes "max" for negatives and nothing for 0
		}
		lib.Pids = &cgroup2.Pids{Max: max}
	}

	if b := res.BlockIO; b != nil {
		var io cgroup2.IO
		// cgroup2.ToResources scales the weight to 1..10000 and writes it to
		// io.bfq.weight, whose range is 1..1000 like OCI's 10..1000: BFQ takes
		// the weight as is, io.weight (iocost) takes the scaled one.
		if w := b.Weight; w != nil && *w != 0 {
			extra = append(extra, setting{
				File: "io.bfq.weight", Value: strconv.FormatUint(uint64(*w), 10),
				Alt: &setting{File: "io.weight", Value: "default " + strconv.FormatUint(ioWeight(*w), 10)},
			})
		}
		for _, d := range b.WeightDevice {
			if d.Weight == nil {
				continue
			}
			dev := fmt.Sprintf("%d:%d ", d.Major, d.Minor)
			extra = append(extra, setting{
				File: "io.bfq.weight", Value: dev + strconv.FormatUint(uint64(*d.Weight), 10),
				Alt: &setting{File: "io.weight", Value: dev + strconv.FormatUint(ioWeight(*d.Weight), 10)},
			})
		}
		for _, t := range []struct {
			typ  cgroup2.IOType
			list []specs.LinuxThrottleDevice
		}{
			{cgroup2.ReadBPS, b.ThrottleReadBpsDevice},
			{cgroup2.WriteBPS, b.ThrottleWriteBpsDevice},
			{cgroup2.ReadIOPS, b.ThrottleReadIOPSDevice},
			{cgroup2.WriteIOPS, b.ThrottleWriteIOPSDevice},
		} {
			for _, d := range t.list {
				io.Max = append(io.Max, cgroup2.Entry{Type: t.typ, Major: d.Major, Minor: d.Minor, Rate: d.Rate})
			}
		}
		if len(io.Max) > 0 {
			lib.IO = &io
		}
	}

	if len(res.HugepageLimits) > 0 {
		h := cgroup2.HugeTlb{}
		for _, l := range res.HugepageLimits {
			h = append(h, cgroup2.HugeTlbEntry{HugePageSize: l.Pagesize, Limit: l.Limit})
		}
		lib.HugeTlb = &h
	}

	if len(res.Rdma) > 0 {
		r := &cgroup2.RDMA{}
		for _, dev := range sortedKeys(res.Rdma) {
			// rdma.max takes both limits in one line; like cgroup2.ToResources,
			// a device needs both.
			if v := res.Rdma[dev]; v.HcaHandles != nil && v.HcaObjects != nil {
				r.Limit = append(r.Limit, cgroup2.RDMAEntry{Device: dev, HcaHandles: *v.HcaHandles, HcaObjects: *v.HcaObjects})
			}
		}
		lib.RDMA = r
	}

	for _, k := range sortedKeys(res.Unified) {
		if k == "" || strings.Contains(k, "/") || k == "." || k == ".." {
			return v2Plan{}, fmt.Errorf("convert linux.resources.unified key %q: not a cgroup file name", k)
		}
		extra = append(extra, setting{File: k, Value: res.Unified[k]})
	}
	return v2Plan{lib: lib, extra: extra}, nil
}

// cpuMax is the cpu.max value for an OCI quota and period. cgroup2.ToResources
// drops a quota given without a period; like runc, a lone quota writes only
// $MAX, which leaves the period at its current value (100000 µs by default).
func cpuMax(quota *int64, period *uint64) cgroup2.CPUMax {
	q := quota != nil && *quota != 0
	p := period != nil && *period != 0
	if !q && !p {
		return ""
	}
	max := "max"
	if q && *quota > 0 {
		max = strconv.FormatInt(*quota, 10)
	}
	if p {
		return cgroup2.CPUMax(max + " " + strconv.FormatUint(*period, 10))
	}
	return cgroup2.CPUMax(max)
}

// swapV2 converts OCI memory.swap (memory+swap) to memory.swap.max (swap
// only). It reports ok=false when nothing is to be written.
func swapV2(swap, limit *int64) (string, bool, error) {
	switch {
	case swap == nil && limit != nil && *limit == -1:
		// Unlimited memory without an explicit swap: unlimited swap too, as on v1.
		return "max", true, nil
	case swap == nil:
		return "", false, nil
	case *swap == -1:
		return "max", true, nil
	case limit == nil || *limit == -1:
		return "", false, fmt.Errorf("convert linux.resources.memory: swap limit %d needs a memory limit", *swap)
	}
	return strconv.FormatInt(*swap-*limit, 10), true, nil
}

// checkMemory validates limit and memory+swap the way both versions need them.
func checkMemory(limit, swap *int64) error {
	for _, v := range []*int64{limit, swap} {
		if v != nil && *v < -1 {
			return fmt.Errorf("convert linux.resources.memory: invalid value %d", *v)
		}
	}
	if limit != nil && swap != nil && *limit > 0 && *swap > 0 && *swap < *limit {
		return fmt.Errorf("convert linux.resources.memory: swap (memory+swap) %d must be >= limit %d", *swap, *limit)
	}
	return nil
}

// memValue formats a v2 memory value: -1 is "max".
func memValue(v int64) string {
	if v == -1 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

// pidsMax formats pids.max: 0 and negatives mean no limit (runc's convention).
func pidsMax(v int64) string {
	if v <= 0 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

// ioWeight scales a blkio weight (10..1000) to io.weight (1..10000) the way runc does.
func ioWeight(w uint16) uint64 {
	if w < 10 {
		return 1
	}
	return 1 + (uint64(w)-10)*9999/990
}

func nonZero(v *int64) *int64 {
	if v == nil || *v == 0 {
		return nil
	}
	return v
}

func ptr[T any](v T) *T { return &v }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
