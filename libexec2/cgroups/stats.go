package cgroups

import (
	"math"
	"path/filepath"

	"github.com/containerd/cgroups/v3/cgroup1"
	v1stats "github.com/containerd/cgroups/v3/cgroup1/stats"
	"github.com/containerd/cgroups/v3/cgroup2"
	v2stats "github.com/containerd/cgroups/v3/cgroup2/stats"
)

// Stats is a group's usage and limits, shaped (names and JSON) after the
// "stats" data of runc's events command.
type Stats struct {
	CPU     CPU                `json:"cpu"`
	Memory  Memory             `json:"memory"`
	Pids    Pids               `json:"pids"`
	Blkio   Blkio              `json:"blkio"`
	Hugetlb map[string]Hugetlb `json:"hugetlb"`
}

// CPU usage and throttling.
type CPU struct {
	Usage      CPUUsage   `json:"usage,omitempty"`
	Throttling Throttling `json:"throttling,omitempty"`
}

// CPUUsage is in nanoseconds.
type CPUUsage struct {
	Total  uint64   `json:"total,omitempty"`
	Percpu []uint64 `json:"percpu,omitempty"`
	Kernel uint64   `json:"kernel"`
	User   uint64   `json:"user"`
}

// Throttling counts CFS periods; ThrottledTime is in nanoseconds.
type Throttling struct {
	Periods          uint64 `json:"periods,omitempty"`
	ThrottledPeriods uint64 `json:"throttledPeriods,omitempty"`
	ThrottledTime    uint64 `json:"throttledTime,omitempty"`
}

// Memory usage. On v2, Swap is memory+swap (as v1 reports it), and an
// unlimited limit reads as math.MaxUint64.
type Memory struct {
	Cache     uint64            `json:"cache,omitempty"`
	Usage     MemoryEntry       `json:"usage,omitempty"`
	Swap      MemoryEntry       `json:"swap,omitempty"`
	Kernel    MemoryEntry       `json:"kernel,omitempty"`
	KernelTCP MemoryEntry       `json:"kernelTCP,omitempty"`
	Raw       map[string]uint64 `json:"raw,omitempty"`
}

// MemoryEntry is one memory counter with its limit, peak and failure count.
type MemoryEntry struct {
	Limit   uint64 `json:"limit"`
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

// Pids counts tasks; Limit 0 means no limit.
type Pids struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

// Blkio holds per-device I/O counters.
type Blkio struct {
	IoServiceBytesRecursive []BlkioEntry `json:"ioServiceBytesRecursive,omitempty"`
	IoServicedRecursive     []BlkioEntry `json:"ioServicedRecursive,omitempty"`
}

// BlkioEntry is one device's counter for one operation ("Read", "Write", ...).
type BlkioEntry struct {
	Major uint64 `json:"major,omitempty"`
	Minor uint64 `json:"minor,omitempty"`
	Op    string `json:"op,omitempty"`
	Value uint64 `json:"value,omitempty"`
}

// Hugetlb is the usage of one page size.
type Hugetlb struct {
	Usage   uint64 `json:"usage,omitempty"`
	Max     uint64 `json:"max,omitempty"`
	Failcnt uint64 `json:"failcnt"`
}

func (g *v1Group) stats() (*Stats, error) {
	cg, err := g.load()
	if err != nil {
		return nil, err
	}
	// Files a kernel lacks (memsw without swap accounting, kmem, ...) are skipped.
	m, err := cg.Stat(cgroup1.IgnoreNotExist)
	if err != nil {
		return nil, err
	}
	s := fromV1(m)
	if _, err := g.dir(cgroup1.Hugetlb); err != nil && g.unified != "" {
		// Hybrid host: hugetlb lives in the v2 hierarchy.
		if u, err := cgroup2.Load(g.path, cgroup2.WithMountpoint(g.unified)); err == nil {
			if um, err := u.StatFiltered(cgroup2.StatHugetlb); err == nil {
				s.Hugetlb = fromV2(um).Hugetlb
			}
		}
	}
	if d, err := g.dir(cgroup1.Memory); err == nil {
		if raw, err := readKV(filepath.Join(d, "memory.stat")); err == nil {
			s.Memory.Raw = raw
			s.Memory.Cache = raw["cache"]
		}
	}
	return s, nil
}

func (g *v2Group) stats() (*Stats, error) {
	if !g.exists() {
		return nil, ErrNotExist // cgroup2 reads a missing group as zeros
	}
	m, err := g.manager()
	if err != nil {
		return nil, err
	}
	mt, err := m.Stat()
	if err != nil {
		return nil, err
	}
	s := fromV2(mt)
	if raw, err := readKV(filepath.Join(g.dir, "memory.stat")); err == nil {
		s.Memory.Raw = raw
	}
	if ev, err := readKV(filepath.Join(g.dir, "memory.events")); err == nil {
		s.Memory.Usage.Failcnt = ev["max"]
	}
	return s, nil
}

// fromV1 maps cgroup1's metrics onto Stats.
func fromV1(m *v1stats.Metrics) *Stats {
	s := &Stats{Hugetlb: map[string]Hugetlb{}}
	if c := m.CPU; c != nil {
		if u := c.Usage; u != nil {
			s.CPU.Usage = CPUUsage{Total: u.Total, Percpu: u.PerCPU, Kernel: u.Kernel, User: u.User}
		}
		if t := c.Throttling; t != nil {
			s.CPU.Throttling = Throttling{Periods: t.Periods, ThrottledPeriods: t.ThrottledPeriods, ThrottledTime: t.ThrottledTime}
		}
	}
	if mem := m.Memory; mem != nil {
		s.Memory.Cache = mem.Cache
		s.Memory.Usage = v1Entry(mem.Usage)
		s.Memory.Swap = v1Entry(mem.Swap)
		s.Memory.Kernel = v1Entry(mem.Kernel)
		s.Memory.KernelTCP = v1Entry(mem.KernelTCP)
	}
	if p := m.Pids; p != nil {
		s.Pids = Pids{Current: p.Current, Limit: p.Limit}
	}
	if b := m.Blkio; b != nil {
		s.Blkio.IoServiceBytesRecursive = v1Blkio(b.IoServiceBytesRecursive)
		s.Blkio.IoServicedRecursive = v1Blkio(b.IoServicedRecursive)
	}
	for _, h := range m.Hugetlb {
		s.Hugetlb[h.Pagesize] = Hugetlb{Usage: h.Usage, Max: h.Max, Failcnt: h.Failcnt}
	}
	return s
}

func v1Entry(e *v1stats.MemoryEntry) MemoryEntry {
	if e == nil {
		return MemoryEntry{}
	}
	return MemoryEntry{Limit: e.Limit, Usage: e.Usage, Max: e.Max, Failcnt: e.Failcnt}
}

func v1Blkio(in []*v1stats.BlkIOEntry) []BlkioEntry {
	var out []BlkioEntry
	for _, e := range in {
		out = append(out, BlkioEntry{Major: e.Major, Minor: e.Minor, Op: e.Op, Value: e.Value})
	}
	return out
}

// fromV2 maps cgroup2's metrics onto Stats the way runc does for v2: µs
// become ns, and swap is reported as memory+swap like v1's memsw.
func fromV2(m *v2stats.Metrics) *Stats {
	s := &Stats{Hugetlb: map[string]Hugetlb{}}
	if c := m.CPU; c != nil {
		s.CPU.Usage = CPUUsage{Total: c.UsageUsec * 1000, Kernel: c.SystemUsec * 1000, User: c.UserUsec * 1000}
		s.CPU.Throttling = Throttling{Periods: c.NrPeriods, ThrottledPeriods: c.NrThrottled, ThrottledTime: c.ThrottledUsec * 1000}
	}
	if mem := m.Memory; mem != nil {
		s.Memory.Cache = mem.File
		s.Memory.Usage = MemoryEntry{Limit: mem.UsageLimit, Usage: mem.Usage, Max: mem.MaxUsage}
		s.Memory.Swap = MemoryEntry{Limit: addLimit(mem.SwapLimit, mem.UsageLimit), Usage: mem.SwapUsage + mem.Usage}
	}
	if p := m.Pids; p != nil {
		s.Pids = Pids{Current: p.Current, Limit: p.Limit}
		if p.Limit == math.MaxUint64 {
			s.Pids.Limit = 0
		}
	}
	if io := m.Io; io != nil {
		for _, e := range io.Usage {
			s.Blkio.IoServiceBytesRecursive = append(s.Blkio.IoServiceBytesRecursive,
				BlkioEntry{Major: e.Major, Minor: e.Minor, Op: "Read", Value: e.Rbytes},
				BlkioEntry{Major: e.Major, Minor: e.Minor, Op: "Write", Value: e.Wbytes})
			s.Blkio.IoServicedRecursive = append(s.Blkio.IoServicedRecursive,
				BlkioEntry{Major: e.Major, Minor: e.Minor, Op: "Read", Value: e.Rios},
				BlkioEntry{Major: e.Major, Minor: e.Minor, Op: "Write", Value: e.Wios})
		}
	}
	for _, h := range m.Hugetlb {
		s.Hugetlb[h.Pagesize] = Hugetlb{Usage: h.Current, Failcnt: h.Failcnt}
	}
	return s
}

// addLimit adds two limits where math.MaxUint64 means unlimited.
func addLimit(a, b uint64) uint64 {
	if a == math.MaxUint64 || b == math.MaxUint64 || a+b < a {
		return math.MaxUint64
	}
	return a + b
}
