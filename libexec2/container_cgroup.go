package libexec2

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/exec2-oci/exec2-oci/libexec2/cgroups"
)

// cgroupFor is the container's cgroup for the verb op, refused unless op is
// legal in the container's status.
func (c *Container) cgroupFor(op string) (*cgroups.Manager, error) {
	if err := requireStatus(op, c.state.ID, c.Status()); err != nil {
		return nil, err
	}
	return c.cgroup()
}

// Pause freezes every process of the container.
func (c *Container) Pause() error {
	cg, err := c.cgroupFor("pause")
	if err != nil {
		return err
	}
	return cg.Freeze()
}

// Resume thaws a paused container.
func (c *Container) Resume() error {
	cg, err := c.cgroupFor("resume")
	if err != nil {
		return err
	}
	return cg.Thaw()
}

// Update applies new limits to the live cgroup and records them in state.
func (c *Container) Update(res *specs.LinuxResources) error {
	cg, err := c.cgroupFor("update")
	if err != nil {
		return err
	}
	if err := cg.Update(res); err != nil {
		return err
	}
	c.state.Resources = MergeResources(c.state.Resources, res)
	return c.save()
}

// Pids lists every process of the container (host pids).
func (c *Container) Pids() ([]int, error) {
	cg, err := c.cgroupFor("ps")
	if err != nil {
		return nil, err
	}
	return cg.Pids()
}

// Stats reads the container's cgroup usage and OOM kill count.
func (c *Container) Stats() (*cgroups.Stats, uint64, error) {
	cg, err := c.cgroupFor("events")
	if err != nil {
		return nil, 0, err
	}
	st, err := cg.Stats()
	if err != nil {
		return nil, 0, err
	}
	ooms, err := cg.OOMKillCount()
	if err != nil {
		return nil, 0, fmt.Errorf("read oom kills: %w", err)
	}
	return st, ooms, nil
}

// MergeResources overlays the fields set in upd on old, the way runc's
// update keeps what a call does not mention.
func MergeResources(old, upd *specs.LinuxResources) *specs.LinuxResources {
	if old == nil {
		old = &specs.LinuxResources{}
	}
	out := *old
	if upd == nil {
		return &out
	}
	if m := upd.Memory; m != nil {
		mem := specs.LinuxMemory{}
		if out.Memory != nil {
			mem = *out.Memory
		}
		setIf(&mem.Limit, m.Limit)
		setIf(&mem.Reservation, m.Reservation)
		setIf(&mem.Swap, m.Swap)
		out.Memory = &mem
	}
	if u := upd.CPU; u != nil {
		cpu := specs.LinuxCPU{}
		if out.CPU != nil {
			cpu = *out.CPU
		}
		setIf(&cpu.Shares, u.Shares)
		setIf(&cpu.Quota, u.Quota)
		setIf(&cpu.Period, u.Period)
		setIf(&cpu.RealtimeRuntime, u.RealtimeRuntime)
		setIf(&cpu.RealtimePeriod, u.RealtimePeriod)
		setIf(&cpu.Burst, u.Burst)
		setIf(&cpu.Idle, u.Idle)
		if u.Cpus != "" {
			cpu.Cpus = u.Cpus
		}
		if u.Mems != "" {
			cpu.Mems = u.Mems
		}
		out.CPU = &cpu
	}
	if upd.Pids != nil {
		p := *upd.Pids
		out.Pids = &p
	}
	if upd.BlockIO != nil {
		out.BlockIO = upd.BlockIO
	}
	if upd.HugepageLimits != nil {
		out.HugepageLimits = upd.HugepageLimits
	}
	if upd.Unified != nil {
		u := map[string]string{}
		for k, v := range out.Unified {
			u[k] = v
		}
		for k, v := range upd.Unified {
			u[k] = v
		}
		out.Unified = u
	}
	return &out
}

func setIf[T any](dst **T, v *T) {
	if v != nil {
		x := *v
		*dst = &x
	}
}

// OOMKills is how many of the container's processes the OOM killer took,
// readable until the container is deleted.
func (c *Container) OOMKills() (uint64, error) {
	cg, err := c.cgroup()
	if err != nil {
		return 0, err
	}
	return cg.OOMKillCount()
}
