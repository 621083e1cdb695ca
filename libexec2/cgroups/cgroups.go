// Package cgroups is the cgroup layer of exec2-oci: it resolves
// linux.cgroupsPath, creates the container's group with its linux.resources
// limits, and later places, lists, signals, freezes, updates, measures and
// removes it. It is built on github.com/containerd/cgroups/v3 (cgroup1 on
// legacy and hybrid hosts, cgroup2 on unified ones) and corrects the
// conversions that library gets wrong (see convert.go).
package cgroups

import (
	"errors"
	"fmt"
	"slices"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ErrNotExist is wrapped by Load when the container's group is gone.
var ErrNotExist = errors.New("cgroup does not exist")

// v2Root is the unified hierarchy on a pure cgroup v2 host (a variable so
// tests can use the hybrid /sys/fs/cgroup/unified).
var v2Root = "/sys/fs/cgroup"

// How long KillAll waits for the group to empty and Delete retries a busy group.
var (
	killWait   = 5 * time.Second
	deleteWait = 2 * time.Second
	pollEvery  = 10 * time.Millisecond
)

// group is one cgroup version's implementation (v1Group, v2Group).
type group interface {
	apply(res *specs.LinuxResources, create bool) error
	cloneFD() (int, bool, error)
	add(pid int) error
	pids() ([]int, error)
	freeze() error
	thaw() error
	frozen() (bool, error)
	kill() error   // SIGKILL every process; does not wait
	remove() error // one attempt; nil when already gone
	exists() bool
	stats() (*Stats, error)
	oomKills() (uint64, error)
}

// Manager controls one container's cgroup.
type Manager struct {
	saved Saved
	g     group
}

// New creates the group s names (in every v1 controller, or the v2 directory
// with the controllers it needs enabled in its ancestors) and applies res.
// It refuses a group that already holds processes.
func New(s Saved, res *specs.LinuxResources) (*Manager, error) {
	if s.Driver == DriverSystemd && !systemdRunning() {
		return nil, ErrSystemdNotRunning
	}
	g, err := newGroup(s)
	if err != nil {
		return nil, err
	}
	if pids, err := g.pids(); err == nil && len(pids) > 0 {
		return nil, fmt.Errorf("create cgroup %s: group already has processes %v", s.Path, pids)
	}
	if s.Driver == DriverSystemd {
		if err := startScope(s); err != nil {
			return nil, err
		}
	}
	if err := g.apply(res, true); err != nil {
		_ = g.remove()
		if s.Driver == DriverSystemd {
			_ = stopScope(s)
		}
		return nil, fmt.Errorf("create cgroup %s: %w", s.Path, err)
	}
	return &Manager{saved: s, g: g}, nil
}

// Load opens the existing group s names; the error wraps ErrNotExist when it is gone.
func Load(s Saved) (*Manager, error) {
	g, err := newGroup(s)
	if err != nil {
		return nil, err
	}
	if !g.exists() {
		return nil, fmt.Errorf("load cgroup %s: %w", s.Path, ErrNotExist)
	}
	return &Manager{saved: s, g: g}, nil
}

func newGroup(s Saved) (group, error) {
	if err := checkSaved(s); err != nil {
		return nil, err
	}
	if s.Mode == ModeV2 {
		return newV2Group(v2Root, s.Path), nil
	}
	return newV1Group(s.Path), nil
}

func checkSaved(s Saved) error {
	if s.Driver != DriverCgroupfs && s.Driver != DriverSystemd {
		return fmt.Errorf("open cgroup %s: unknown driver %q", s.Path, s.Driver)
	}
	if s.Mode != ModeV1 && s.Mode != ModeV2 {
		return fmt.Errorf("open cgroup %s: unknown mode %q", s.Path, s.Mode)
	}
	if len(s.Path) < 2 || s.Path[0] != '/' {
		return fmt.Errorf("open cgroup %q: path must be absolute and not the root", s.Path)
	}
	return checkComponents(s.Path)
}

// Saved returns what to store in state.json.
func (m *Manager) Saved() Saved { return m.saved }

// CloneFD opens the v2 group directory for SysProcAttr.UseCgroupFD; the caller
// closes it. On v1 ok is false and the caller Adds the pid instead.
func (m *Manager) CloneFD() (fd int, ok bool, err error) { return m.g.cloneFD() }

// Add places pid in every controller of the group.
func (m *Manager) Add(pid int) error {
	if err := m.g.add(pid); err != nil {
		return fmt.Errorf("add pid %d to cgroup %s: %w", pid, m.saved.Path, err)
	}
	return nil
}

// Pids lists every process in the group and its descendants, sorted.
func (m *Manager) Pids() ([]int, error) {
	pids, err := m.g.pids()
	if err != nil {
		return nil, fmt.Errorf("list pids of cgroup %s: %w", m.saved.Path, err)
	}
	return pids, nil
}

// Signal sends sig to every process in the group (kill --all).
func (m *Manager) Signal(sig unix.Signal) error {
	pids, err := m.Pids()
	if err != nil {
		return err
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("signal pid %d in cgroup %s: %w", pid, m.saved.Path, err)
		}
	}
	return nil
}

// KillAll SIGKILLs every process in the group (v2 cgroup.kill, else freeze,
// kill, thaw) and waits up to 5s for the group to empty.
func (m *Manager) KillAll() error {
	if err := m.g.kill(); err != nil {
		if !m.g.exists() {
			return nil // it went away while being killed
		}
		return fmt.Errorf("kill cgroup %s: %w", m.saved.Path, err)
	}
	var pids []int
	for deadline := time.Now().Add(killWait); ; {
		var err error
		if pids, err = m.g.pids(); err != nil || len(pids) == 0 {
			return nil // a vanished group is empty
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(pollEvery)
	}
	return fmt.Errorf("kill cgroup %s: processes %v still present after %s", m.saved.Path, pids, killWait)
}

// Freeze stops every process in the group.
func (m *Manager) Freeze() error {
	if err := m.g.freeze(); err != nil {
		return fmt.Errorf("freeze cgroup %s: %w", m.saved.Path, err)
	}
	return nil
}

// Thaw resumes a frozen group.
func (m *Manager) Thaw() error {
	if err := m.g.thaw(); err != nil {
		return fmt.Errorf("thaw cgroup %s: %w", m.saved.Path, err)
	}
	return nil
}

// Frozen reports whether the group is frozen.
func (m *Manager) Frozen() (bool, error) {
	f, err := m.g.frozen()
	if err != nil {
		return false, fmt.Errorf("read freezer state of cgroup %s: %w", m.saved.Path, err)
	}
	return f, nil
}

// Update applies new limits to a live group.
func (m *Manager) Update(res *specs.LinuxResources) error {
	if err := m.g.apply(res, false); err != nil {
		return fmt.Errorf("update cgroup %s: %w", m.saved.Path, err)
	}
	return nil
}

// Delete removes the group everywhere it was created. It is nil when the group
// is already gone and retries briefly while exiting processes drain.
func (m *Manager) Delete() error {
	var err error
	for deadline := time.Now().Add(deleteWait); ; {
		if err = m.g.remove(); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("delete cgroup %s: %w", m.saved.Path, err)
		}
		time.Sleep(pollEvery)
	}
	if m.saved.Driver == DriverSystemd {
		if err := stopScope(m.saved); err != nil {
			return fmt.Errorf("delete cgroup %s: %w", m.saved.Path, err)
		}
	}
	return nil
}

// Stats reads the group's usage and limits, shaped after runc's events "stats".
func (m *Manager) Stats() (*Stats, error) {
	s, err := m.g.stats()
	if err != nil {
		return nil, fmt.Errorf("read stats of cgroup %s: %w", m.saved.Path, err)
	}
	return s, nil
}

// OOMKillCount is the number of processes the OOM killer killed in the group.
func (m *Manager) OOMKillCount() (uint64, error) {
	n, err := m.g.oomKills()
	if err != nil {
		return 0, fmt.Errorf("read oom kills of cgroup %s: %w", m.saved.Path, err)
	}
	return n, nil
}

// sortedUnique sorts pids and drops duplicates (threads of one process, or
// one pid seen in several hierarchies).
func sortedUnique(pids []int) []int {
	slices.Sort(pids)
	return slices.Compact(pids)
}
