package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3/cgroup1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// freezeWait bounds a freeze or thaw: cgroup1's own Freeze loops forever
// when a task cannot be frozen (e.g. stuck in uninterruptible sleep).
var freezeWait = 2 * time.Second

// v1Group is a group in every mounted cgroup v1 hierarchy (including
// name=systemd), at the same absolute path in each. On a hybrid host the
// group also exists in the v2 hierarchy at hybridRoot, which holds the
// controllers v1 lacks there (hugetlb on the development machines).
type v1Group struct {
	path    string
	unified string // hybridRoot when it is a cgroup2 mount, else ""
}

// hybridRoot is where hybrid hosts mount the cgroup v2 hierarchy.
var hybridRoot = "/sys/fs/cgroup/unified"

// unifiedName keys the hybrid v2 hierarchy in v1Group.dirs.
const unifiedName cgroup1.Name = "unified"

func newV1Group(p string) *v1Group {
	g := &v1Group{path: p}
	var st unix.Statfs_t
	if err := unix.Statfs(hybridRoot, &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		g.unified = hybridRoot
	}
	return g
}

// pather is the part of cgroup1's subsystems that locates a group.
type pather interface {
	Path(path string) string
}

// dirs maps each mounted hierarchy's name to the group's directory in it.
func (g *v1Group) dirs() (map[cgroup1.Name]string, error) {
	subs, err := cgroup1.Default()
	if err != nil {
		return nil, fmt.Errorf("list cgroup v1 hierarchies: %w", err)
	}
	out := map[cgroup1.Name]string{}
	for _, s := range subs {
		if p, ok := s.(pather); ok {
			out[s.Name()] = p.Path(g.path)
		}
	}
	if g.unified != "" {
		out[unifiedName] = filepath.Join(g.unified, g.path)
	}
	return out, nil
}

// dir is the group's directory in the hierarchy of one controller.
func (g *v1Group) dir(c cgroup1.Name) (string, error) {
	dirs, err := g.dirs()
	if err != nil {
		return "", err
	}
	d, ok := dirs[c]
	if !ok {
		return "", fmt.Errorf("cgroup v1 controller %s is not mounted", c)
	}
	return d, nil
}

func (g *v1Group) load() (cgroup1.Cgroup, error) {
	cg, err := cgroup1.Load(cgroup1.StaticPath(g.path))
	if errors.Is(err, cgroup1.ErrCgroupDeleted) {
		return nil, ErrNotExist
	}
	return cg, err
}

func (g *v1Group) apply(res *specs.LinuxResources, create bool) error {
	plan, err := toV1(res)
	if err != nil {
		return err
	}
	if create {
		if _, err := cgroup1.New(cgroup1.StaticPath(g.path), plan.lib); err != nil {
			return err
		}
		if g.unified != "" {
			if err := os.MkdirAll(filepath.Join(g.unified, g.path), 0o755); err != nil {
				return err
			}
		}
	} else {
		cg, err := g.load()
		if err != nil {
			return err
		}
		if d, err := g.dir(cgroup1.Memory); err == nil {
			if err := checkBeforeUpdate(res, filepath.Join(d, "memory.usage_in_bytes")); err != nil {
				return err
			}
		}
		if err := cg.Update(plan.lib); err != nil {
			return err
		}
	}
	extra := plan.extra
	if memDir, err := g.dir(cgroup1.Memory); err == nil {
		if cur, err := readString(filepath.Join(memDir, "memory.limit_in_bytes")); err == nil {
			n, _ := strconv.ParseUint(cur, 10, 64)
			extra = orderMemsw(extra, n)
		}
	}
	for _, s := range extra {
		d, err := g.dir(cgroup1.Name(s.controller()))
		if err != nil && s.controller() == string(cgroup1.Hugetlb) && g.unified != "" {
			err = g.setUnifiedHugetlb(s)
		} else if err == nil {
			err = writeSetting(d, s)
		}
		if err != nil {
			return fmt.Errorf("set %s: %w", s.File, err)
		}
	}
	return nil
}

// setUnifiedHugetlb writes a v1 hugetlb limit into the hybrid v2 hierarchy
// (hugetlb.<size>.limit_in_bytes -> hugetlb.<size>.max).
func (g *v1Group) setUnifiedHugetlb(s setting) error {
	u := newV2Group(g.unified, g.path)
	if err := u.enable([]string{string(cgroup1.Hugetlb)}); err != nil {
		return err
	}
	return writeSetting(u.dir, setting{File: strings.TrimSuffix(s.File, ".limit_in_bytes") + ".max", Value: s.Value})
}

func (g *v1Group) cloneFD() (int, bool, error) { return -1, false, nil }

func (g *v1Group) add(pid int) error {
	cg, err := g.load()
	if err != nil {
		return err
	}
	if err := cg.AddProc(uint64(pid)); err != nil {
		return err
	}
	if g.unified != "" {
		return writeFile(filepath.Join(g.unified, g.path, "cgroup.procs"), strconv.Itoa(pid))
	}
	return nil
}

// pids is the union over every hierarchy, so a process placed in only some
// of them is still seen (and killed).
func (g *v1Group) pids() ([]int, error) {
	dirs, err := g.dirs()
	if err != nil {
		return nil, err
	}
	var all []int
	found := false
	for _, d := range dirs {
		pids, err := treePids(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
		all = append(all, pids...)
	}
	if !found {
		return nil, ErrNotExist
	}
	return sortedUnique(all), nil
}

func (g *v1Group) freezerState(state string) error {
	d, err := g.dir(cgroup1.Freezer)
	if err != nil {
		return err
	}
	file := filepath.Join(d, "freezer.state")
	cur := ""
	for deadline := time.Now().Add(freezeWait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		// Rewriting retries the tasks a previous attempt could not freeze.
		if err := writeFile(file, state); err != nil {
			return err
		}
		if cur, err = readString(file); err != nil {
			return err
		}
		if cur == state {
			return nil
		}
	}
	return fmt.Errorf("%s still %s after %s", file, cur, freezeWait)
}

func (g *v1Group) freeze() error {
	if err := g.freezerState("FROZEN"); err != nil {
		_ = g.freezerState("THAWED") // do not leave it half frozen
		return err
	}
	return nil
}

func (g *v1Group) thaw() error { return g.freezerState("THAWED") }

func (g *v1Group) frozen() (bool, error) {
	d, err := g.dir(cgroup1.Freezer)
	if err != nil {
		return false, err
	}
	s, err := readString(filepath.Join(d, "freezer.state"))
	if err != nil {
		return false, err
	}
	return s == "FROZEN", nil
}

// kill freezes the group so nothing forks while it is being killed, SIGKILLs
// every process, then thaws so the signals are delivered.
func (g *v1Group) kill() error {
	if !g.exists() {
		return nil
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

func (g *v1Group) remove() error {
	dirs, err := g.dirs()
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range dirs {
		if err := rmdirTree(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (g *v1Group) exists() bool {
	dirs, err := g.dirs()
	if err != nil {
		return false
	}
	for _, d := range dirs {
		if _, err := os.Lstat(d); err == nil {
			return true
		}
	}
	return false
}

func (g *v1Group) oomKills() (uint64, error) {
	d, err := g.dir(cgroup1.Memory)
	if err != nil {
		return 0, err
	}
	kv, err := readKV(filepath.Join(d, "memory.oom_control"))
	if err != nil {
		return 0, err
	}
	return kv["oom_kill"], nil
}

// orderMemsw orders the v1 memory limit and memory+swap limit writes so that
// limit <= memsw holds after each one, given the current memory limit: the
// kernel refuses any write that breaks it.
func orderMemsw(extra []setting, currentLimit uint64) []setting {
	li, si := -1, -1
	for i, s := range extra {
		switch s.File {
		case "memory.limit_in_bytes":
			li = i
		case "memory.memsw.limit_in_bytes":
			si = i
		}
	}
	if li < 0 || si < 0 {
		return extra
	}
	swapFirst := extra[si].Value == "-1"
	if !swapFirst {
		n, err := strconv.ParseUint(extra[si].Value, 10, 64)
		swapFirst = err == nil && n >= currentLimit
	}
	if swapFirst == (si < li) {
		return extra
	}
	out := append([]setting(nil), extra...)
	out[li], out[si] = out[si], out[li]
	return out
}
