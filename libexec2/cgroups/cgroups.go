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

	// With the systemd driver, New only records the limits: the unit (and
	// so the group) is created by the first Add, which has a pid to give it.
	pending    bool
	pendingRes *specs.LinuxResources
}

// New creates the group s names (in every v1 controller, or the v2 directory
// with the controllers it needs enabled in its ancestors) and applies res.
// It refuses a group that already holds processes. With the systemd driver
// the group is created by the first Add instead (CloneFD reports ok=false).
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
		// Check the resources now rather than after the unit exists.
		if err := checkResources(s.Mode, res); err != nil {
			return nil, fmt.Errorf("create cgroup %s: %w", s.Path, err)
		}
		return &Manager{saved: s, g: g, pending: true, pendingRes: res}, nil
	}
	if err := g.apply(res, true); err != nil {
		_ = g.remove()
		return nil, fmt.Errorf("create cgroup %s: %w", s.Path, err)
	}
	return &Manager{saved: s, g: g}, nil
}

// checkResources validates res for the given mode.
func checkResources(mode string, res *specs.LinuxResources) error {
	var err error
	if mode == ModeV2 {
		_, err = toV2(res)
	} else {
		_, err = toV1(res)
	}
	return err
}

// startPending starts the systemd unit with pid in it, then creates the
// rest of the group and applies the recorded limits.
func (m *Manager) startPending(pid int) error {
	if err := startUnit(m.saved, pid); err != nil {
		return err
	}
	err := m.g.apply(m.pendingRes, true)
	if err == nil {
		err = m.g.add(pid) // hierarchies systemd does not manage
	}
	if err != nil {
		_ = stopUnit(m.saved)
		_ = m.g.remove()
		return err
	}
	m.pending, m.pendingRes = false, nil
	return nil
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
func (m *Manager) CloneFD() (fd int, ok bool, err error) {
	if m.pending {
		return -1, false, nil
	}
	return m.g.cloneFD()
}

// Add places pid in every controller of the group.
func (m *Manager) Add(pid int) error {
	add := m.g.add
	if m.pending {
		add = m.startPending
	}
	if err := add(pid); err != nil {
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
	var unitErr error
	if m.saved.Driver == DriverSystemd && !m.pending {
		// Stopping the unit removes the group where systemd manages it;
		// the rest goes below either way.
		unitErr = stopUnit(m.saved)
	}
	for deadline := time.Now().Add(deleteWait); ; time.Sleep(pollEvery) {
		err := m.g.remove()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("delete cgroup %s: %w", m.saved.Path, errors.Join(unitErr, err))
		}
	}
	if unitErr != nil {
		return fmt.Errorf("delete cgroup %s: %w", m.saved.Path, unitErr)
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
