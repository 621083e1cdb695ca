package hostcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

func TestParseRelease(t *testing.T) {
	tests := []struct {
		rel          string
		major, minor int
	}{
		{"6.18.44-fc-v769", 6, 18},
		{"6.1.0-28-amd64", 6, 1},
		{"5.7", 5, 7},
		{"4", 4, 0},
		{"weird", 0, 0},
		{"", 0, 0},
	}
	for _, tt := range tests {
		if ma, mi := parseRelease(tt.rel); ma != tt.major || mi != tt.minor {
			t.Errorf("parseRelease(%q) = %d.%d, want %d.%d", tt.rel, ma, mi, tt.major, tt.minor)
		}
	}
}

const hybridMounts = `tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,relatime,memory 0 0
cgroup /sys/fs/cgroup/net_cls,net_prio cgroup rw,net_cls,net_prio 0 0
cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
`

func TestParseCgroups(t *testing.T) {
	v2 := func(path string) []string { return []string{"cpu", "memory"} }
	tests := []struct {
		name, mounts   string
		layout, mode   string
		hierarchies    int
		firstV1Ctrls   []string
		firstV2Ctrls   []string
		firstV2Path    string
		firstV1ctrlIdx int
	}{
		{name: "hybrid", mounts: hybridMounts, layout: "hybrid", mode: "v1", hierarchies: 5},
		{name: "pure v2", mounts: "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n", layout: "v2", mode: "v2", hierarchies: 1},
		{name: "v1", mounts: "cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n", layout: "v1", mode: "v1", hierarchies: 1},
		{name: "named v1 only", mounts: "cgroup /sys/fs/cgroup/systemd cgroup rw,name=systemd 0 0\n", layout: "none", hierarchies: 1},
		{name: "none", mounts: "proc /proc proc rw 0 0\n", layout: "none"},
	}
	for _, tt := range tests {
		c := parseCgroups(tt.mounts, v2)
		if c.Layout != tt.layout || c.RuntimeMode != tt.mode || len(c.Hierarchies) != tt.hierarchies {
			t.Errorf("%s: %+v", tt.name, c)
		}
	}
	c := parseCgroups(hybridMounts, v2)
	want := []Hierarchy{
		{Version: 1, Path: "/sys/fs/cgroup/cpu", Controllers: []string{"cpu"}},
		{Version: 1, Path: "/sys/fs/cgroup/memory", Controllers: []string{"memory"}},
		{Version: 1, Path: "/sys/fs/cgroup/net_cls,net_prio", Controllers: []string{"net_cls", "net_prio"}},
		{Version: 1, Path: "/sys/fs/cgroup/systemd", Controllers: []string{}},
		{Version: 2, Path: "/sys/fs/cgroup/unified", Controllers: []string{"cpu", "memory"}},
	}
	if !reflect.DeepEqual(c.Hierarchies, want) {
		t.Errorf("hierarchies\n got %+v\nwant %+v", c.Hierarchies, want)
	}
}

func TestNamespaces(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"mnt", "pid"} {
		if err := os.Symlink("mnt:[1]", filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]bool{}
	for _, ns := range namespaces(dir) {
		got[ns.Type] = ns.Available
	}
	if !got["mnt"] || !got["pid"] || got["net"] || len(got) != len(namespaceTypes) {
		t.Errorf("namespaces = %v", got)
	}
}

// base is a healthy host, for judge tests to break.
func base() *Report {
	r := &Report{
		Kernel:   Kernel{Release: "6.1.0", Major: 6, Minor: 1},
		Landlock: landlock(2, nil),
		Cgroups:  Cgroups{Layout: "v2", RuntimeMode: "v2"},
		Procfs:   true,
		Process:  Process{Pidfd: true, Clone3: true, CloneIntoCgroup: true},
		Tools:    []Tool{{Name: "ps", Path: "/bin/ps", UsedBy: "exec2-oci ps"}},
	}
	for _, t := range namespaceTypes {
		r.Namespaces = append(r.Namespaces, Namespace{Type: t, Available: true})
	}
	return r
}

func status(r *Report, name string) Status {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

func TestJudge(t *testing.T) {
	noLandlock := errors.New("landlock is not available on this kernel: operation not supported")
	tests := []struct {
		name   string
		edit   func(*Report)
		opts   Options
		check  string
		status Status
		err    string // substring of Err(), "" for nil
	}{
		{name: "healthy ABI 2 warns about newer features", edit: func(*Report) {}, check: "landlock", status: Warn},
		{name: "ABI 7", edit: func(r *Report) { r.Landlock = landlock(7, nil) }, check: "landlock", status: OK},
		{name: "no landlock", edit: func(r *Report) { r.Landlock = landlock(0, noLandlock) }, check: "landlock", status: Fail,
			err: "landlock: not available (landlock is not available on this kernel: operation not supported): set allow_unconfined"},
		{name: "no landlock, unconfined allowed", edit: func(r *Report) { r.Landlock = landlock(0, noLandlock) },
			opts: Options{AllowUnconfined: true}, check: "landlock", status: Warn},
		{name: "no cgroups", edit: func(r *Report) { r.Cgroups = Cgroups{Layout: "none"} }, check: "cgroups", status: Fail,
			err: "cgroups: no cgroup hierarchy mounted at /sys/fs/cgroup"},
		{name: "no procfs", edit: func(r *Report) { r.Procfs = false }, check: "procfs", status: Fail, err: "procfs: /proc is not mounted"},
		{name: "missing net namespace", edit: func(r *Report) { r.Namespaces[3].Available = false }, check: "namespaces", status: Warn},
		{name: "old kernel on v2", edit: func(r *Report) {
			r.Kernel = Kernel{Release: "5.4.0", Major: 5, Minor: 4}
			r.Process.CloneIntoCgroup = false
		}, check: "clone3", status: Warn},
		{name: "hybrid does not use clone3", edit: func(r *Report) {
			r.Cgroups = Cgroups{Layout: "hybrid", RuntimeMode: "v1"}
			r.Process.CloneIntoCgroup = false
		}, check: "clone3", status: OK},
		{name: "no ps", edit: func(r *Report) { r.Tools[0].Path = "" }, check: "tool ps", status: Warn},
	}
	for _, tt := range tests {
		r := base()
		tt.edit(r)
		judge(r, tt.opts)
		if got := status(r, tt.check); got != tt.status {
			t.Errorf("%s: %s is %q, want %q (%+v)", tt.name, tt.check, got, tt.status, r.Checks)
		}
		err := r.Err()
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: Err() = %v", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: Err() = %v, want %q", tt.name, err, tt.err)
		}
	}
}

// TestRun probes this host: it must produce a report that encodes and
// prints, whatever the host has.
func TestRun(t *testing.T) {
	r := Run(Options{})
	if r.Kernel.Release == "" || r.Kernel.Major == 0 {
		t.Errorf("kernel = %+v", r.Kernel)
	}
	if len(r.Landlock.Features) != len(unveil.ABIFeatures()) {
		t.Errorf("features = %+v", r.Landlock.Features)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "landlock") {
		t.Fatalf("text: %v\n%s", err, buf.String())
	}
	t.Logf("\n%s", buf.String())
}
