package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// v2Group is a group in a cgroup v2 hierarchy mounted at root (/sys/fs/cgroup
// on unified hosts; the tests also use the hybrid /sys/fs/cgroup/unified).
type v2Group struct {
	root string
	path string
	dir  string
}

func newV2Group(root, p string) *v2Group {
	return &v2Group{root: root, path: p, dir: filepath.Join(root, p)}
}

func (g *v2Group) manager() (*cgroup2.Manager, error) {
	return cgroup2.Load(g.path, cgroup2.WithMountpoint(g.root))
}

func (g *v2Group) apply(res *specs.LinuxResources, create bool) error {
	plan, err := toV2(res)
	if err != nil {
		return err
	}
	if create {
		if err := os.MkdirAll(g.dir, 0o755); err != nil {
			return err
		}
	} else {
		if !g.exists() {
			return ErrNotExist
		}
		if err := checkBeforeUpdate(res, filepath.Join(g.dir, "memory.current")); err != nil {
			return err
		}
		// Each device program cgroup2 attaches adds to the previous ones
		// rather than replacing them, so device rules stay as created.
		plan.lib.Devices = nil
	}
	if err := g.enable(plan.controllers()); err != nil {
		return err
	}
	m, err := g.manager()
	if err != nil {
		return err
	}
	if err := m.Update(plan.lib); err != nil {
		return err
	}
	for _, s := range plan.extra {
		if err := writeSetting(g.dir, s); err != nil {
			return err
		}
	}
	return nil
}

// enable turns on the needed controllers in the subtree_control of every
// ancestor, from the root down, naming the first ancestor that does not offer
// one. cgroup2's own ToggleControllers reports only the last ancestor's error.
func (g *v2Group) enable(needed []string) error {
	if len(needed) == 0 {
		return nil
	}
	rel := strings.Split(strings.Trim(g.path, "/"), "/")
	anc := g.root
	for _, part := range rel {
		available, err := readFields(filepath.Join(anc, "cgroup.controllers"))
		if err != nil {
			return err
		}
		enabled, err := readFields(filepath.Join(anc, "cgroup.subtree_control"))
		if err != nil {
			return err
		}
		for _, c := range needed {
			if slices.Contains(enabled, c) {
				continue
			}
			if !slices.Contains(available, c) {
				return fmt.Errorf("cgroup v2 controller %s is not available in %s", c, anc)
			}
			if err := writeFile(filepath.Join(anc, "cgroup.subtree_control"), "+"+c); err != nil {
				return fmt.Errorf("enable controller %s: %w", c, err)
			}
		}
		anc = filepath.Join(anc, part)
	}
	return nil
}

func readFields(path string) ([]string, error) {
	s, err := readString(path)
	return strings.Fields(s), err
}

func (g *v2Group) cloneFD() (int, bool, error) {
	fd, err := unix.Open(g.dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, false, fmt.Errorf("open %s: %w", g.dir, err)
	}
	return fd, true, nil
}

func (g *v2Group) add(pid int) error {
	m, err := g.manager()
	if err != nil {
		return err
	}
	return m.AddProc(uint64(pid))
}

func (g *v2Group) pids() ([]int, error) {
	pids, err := treePids(g.dir)
	if errors.Is(err, fs.ErrNotExist) && !g.exists() {
		return nil, ErrNotExist
	}
	return pids, err
}

// setFreeze writes cgroup.freeze and waits (bounded, unlike cgroup2's own
// Freeze) for cgroup.events to report the state.
func (g *v2Group) setFreeze(v string) error {
	if err := writeFile(filepath.Join(g.dir, "cgroup.freeze"), v); err != nil {
		return err
	}
	events := filepath.Join(g.dir, "cgroup.events")
	for deadline := time.Now().Add(freezeWait); ; time.Sleep(time.Millisecond) {
		kv, err := readKV(events)
		if err != nil {
			return err
		}
		if fmt.Sprint(kv["frozen"]) == v {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: frozen is not %s after %s", events, v, freezeWait)
		}
	}
}

func (g *v2Group) freeze() error {
	if err := g.setFreeze("1"); err != nil {
		_ = g.setFreeze("0") // do not leave it half frozen
		return err
	}
	return nil
}

func (g *v2Group) thaw() error { return g.setFreeze("0") }

func (g *v2Group) frozen() (bool, error) {
	s, err := readString(filepath.Join(g.dir, "cgroup.freeze"))
	if err != nil {
		return false, err
	}
	return s == "1", nil
}

// kill writes cgroup.kill (Linux 5.14+); older kernels get freeze, SIGKILL
// every process, thaw. cgroup2's Kill has the same fallback but logs and
// reaps the processes, which belong to the caller.
func (g *v2Group) kill() error {
	if !g.exists() {
		return nil
	}
	err := writeFile(filepath.Join(g.dir, "cgroup.kill"), "1")
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !g.exists() {
		return err
	}
	frozeErr := g.freeze()
	pids, err := g.pids()
	if err == nil {
		for _, pid := range pids {
			if kerr := unix.Kill(pid, unix.SIGKILL); kerr != nil && !errors.Is(kerr, unix.ESRCH) {
				err = fmt.Errorf("kill pid %d: %w", pid, kerr)
				break
			}
		}
	}
	if frozeErr == nil {
		if terr := g.thaw(); terr != nil && err == nil {
			err = terr
		}
	}
	return err
}

func (g *v2Group) remove() error { return rmdirTree(g.dir) }

func (g *v2Group) exists() bool {
	_, err := os.Lstat(g.dir)
	return err == nil
}

func (g *v2Group) oomKills() (uint64, error) {
	kv, err := readKV(filepath.Join(g.dir, "memory.events"))
	if errors.Is(err, fs.ErrNotExist) && g.exists() {
		return 0, nil // no memory controller here: nothing was OOM-killed by it
	}
	if err != nil {
		return 0, err
	}
	return kv["oom_kill"], nil
}
