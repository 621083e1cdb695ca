package hostcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// Run probes this host and judges it. Probes never fail the run: what
// cannot be read is reported as missing.
func Run(opts Options) *Report {
	r := &Report{
		Kernel:     kernel(),
		Landlock:   landlock(unveil.ABI()),
		Namespaces: namespaces("/proc/self/ns"),
		Tools:      tools(),
	}
	mounts, _ := os.ReadFile("/proc/self/mounts")
	r.Cgroups = parseCgroups(string(mounts), readControllers)
	_, err := os.Stat("/proc/self/exe")
	r.Procfs = err == nil
	r.Process = process(r.Kernel, r.Cgroups)
	judge(r, opts)
	return r
}

func kernel() Kernel {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return Kernel{}
	}
	k := Kernel{Release: unix.ByteSliceToString(u.Release[:]), Version: unix.ByteSliceToString(u.Version[:]), Machine: unix.ByteSliceToString(u.Machine[:])}
	k.Major, k.Minor = parseRelease(k.Release)
	return k
}

// parseRelease reads "6.18.44-fc-v769" as 6, 18; what it cannot read is 0.
func parseRelease(rel string) (major, minor int) {
	f := strings.FieldsFunc(rel, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) > 0 {
		major, _ = strconv.Atoi(f[0])
	}
	if len(f) > 1 && strings.HasPrefix(rel, f[0]+".") {
		minor, _ = strconv.Atoi(f[1])
	}
	return major, minor
}

func landlock(abi int, err error) Landlock {
	l := Landlock{Available: err == nil, ABI: abi}
	if err != nil {
		l.Error = err.Error()
	}
	for _, f := range unveil.ABIFeatures() {
		l.Features = append(l.Features, FeatureState{Feature: f, Available: err == nil && abi >= f.ABI})
	}
	return l
}

func namespaces(dir string) []Namespace {
	out := make([]Namespace, len(namespaceTypes))
	for i, t := range namespaceTypes {
		_, err := os.Lstat(filepath.Join(dir, t))
		out[i] = Namespace{Type: t, Available: err == nil}
	}
	return out
}

// v1Controllers are the cgroup v1 controller names that may appear among
// a hierarchy's mount options.
var v1Controllers = map[string]bool{
	"blkio": true, "cpu": true, "cpuacct": true, "cpuset": true, "devices": true, "freezer": true,
	"hugetlb": true, "memory": true, "misc": true, "net_cls": true, "net_prio": true,
	"perf_event": true, "pids": true, "rdma": true,
}

// parseCgroups reads the cgroup hierarchies from /proc/self/mounts text;
// readV2 lists a v2 hierarchy's controllers.
func parseCgroups(mounts string, readV2 func(path string) []string) Cgroups {
	c := Cgroups{Hierarchies: []Hierarchy{}}
	v2Root, v2Any, v1Ctrl := false, false, false
	for _, line := range strings.Split(mounts, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		path, typ := f[1], f[2]
		switch typ {
		case "cgroup2":
			c.Hierarchies = append(c.Hierarchies, Hierarchy{Version: 2, Path: path, Controllers: readV2(path)})
			v2Any = true
			v2Root = v2Root || path == "/sys/fs/cgroup"
		case "cgroup":
			h := Hierarchy{Version: 1, Path: path, Controllers: []string{}}
			for _, o := range strings.Split(f[3], ",") {
				if v1Controllers[o] {
					h.Controllers = append(h.Controllers, o)
				}
			}
			sort.Strings(h.Controllers)
			v1Ctrl = v1Ctrl || len(h.Controllers) > 0
			c.Hierarchies = append(c.Hierarchies, h)
		}
	}
	switch {
	case v2Root:
		c.Layout, c.RuntimeMode = "v2", "v2"
	case v1Ctrl && v2Any:
		c.Layout, c.RuntimeMode = "hybrid", "v1"
	case v1Ctrl:
		c.Layout, c.RuntimeMode = "v1", "v1"
	default:
		c.Layout = "none"
	}
	return c
}

func readControllers(path string) []string {
	data, err := os.ReadFile(filepath.Join(path, "cgroup.controllers"))
	if err != nil {
		return []string{}
	}
	return append([]string{}, strings.Fields(string(data))...)
}

// process probes pidfd_open and clone3 without creating a process:
// clone3 with no arguments fails with EINVAL where it exists.
func process(k Kernel, c Cgroups) Process {
	var p Process
	if fd, err := unix.PidfdOpen(os.Getpid(), 0); err == nil {
		p.Pidfd = true
		unix.Close(fd)
	}
	_, _, e := unix.Syscall(unix.SYS_CLONE3, 0, 0, 0)
	p.Clone3 = e != unix.ENOSYS
	p.CloneIntoCgroup = p.Clone3 && k.atLeast(5, 7) && c.RuntimeMode == "v2"
	return p
}

// tools: the runtime itself needs no external program; ps only serves
// exec2-oci ps.
func tools() []Tool {
	t := Tool{Name: "ps", UsedBy: "exec2-oci ps"}
	if p, err := exec.LookPath("ps"); err == nil {
		t.Path = p
	}
	return []Tool{t}
}
