package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	cgroupsv3 "github.com/containerd/cgroups/v3"
)

// Driver and mode names stored in Saved.
const (
	DriverCgroupfs = "cgroupfs"
	DriverSystemd  = "systemd"
	ModeV1         = "v1"
	ModeV2         = "v2"
)

// Parent is the group that relative and empty cgroupsPaths are placed under.
const Parent = "/exec2-oci"

// scopePrefix names the transient scope of a container when linux.cgroupsPath
// is empty under --systemd-cgroup ("exec2-oci-<id>.scope").
const scopePrefix = "exec2-oci"

// defaultSlice is where systemd-form paths with an empty slice go, as in runc.
const defaultSlice = "system.slice"

// ErrNoCgroups is returned when the host has no cgroup hierarchy mounted at /sys/fs/cgroup.
var ErrNoCgroups = errors.New("no cgroup hierarchy mounted at /sys/fs/cgroup")

// ErrSystemdNotRunning is returned for --systemd-cgroup on a host without systemd.
var ErrSystemdNotRunning = errors.New("systemd cgroup driver requested but systemd is not running (no /run/systemd/system)")

// Saved is stored in the container's state.json at create and reused by every later command
// (kill/delete/update/pause arrive without --systemd-cgroup).
type Saved struct {
	Driver string `json:"driver"` // "cgroupfs" or "systemd"
	Mode   string `json:"mode"`   // "v1" or "v2" (hybrid hosts use "v1")
	Path   string `json:"path"`   // absolute cgroup path relative to the hierarchy root, e.g. "/exec2-oci/c1"
}

// Test seams: the host's cgroup mode and whether systemd runs.
var (
	hostMode       = detectMode
	systemdRunning = func() bool {
		fi, err := os.Lstat("/run/systemd/system")
		return err == nil && fi.IsDir()
	}
)

func detectMode() (string, error) {
	switch cgroupsv3.Mode() {
	case cgroupsv3.Unified:
		return ModeV2, nil
	case cgroupsv3.Legacy, cgroupsv3.Hybrid:
		return ModeV1, nil
	default:
		return "", ErrNoCgroups
	}
}

// Resolve turns linux.cgroupsPath into a Saved. It is pure apart from detecting the
// host's cgroup mode and, for the systemd driver, whether systemd runs.
//
//	""                 -> /exec2-oci/<id>
//	"/a/b"             -> /a/b
//	"a/b"              -> /exec2-oci/a/b
//	"slice:prefix:name" -> /<expanded slice>/<prefix>-<name>.scope (both drivers; with
//	                      systemd=true the scope is a transient systemd unit)
func Resolve(cgroupsPath, id string, systemd bool) (Saved, error) {
	p, err := resolvePath(cgroupsPath, id, systemd)
	if err != nil {
		return Saved{}, err
	}
	mode, err := hostMode()
	if err != nil {
		return Saved{}, err
	}
	s := Saved{Driver: DriverCgroupfs, Mode: mode, Path: p}
	if systemd {
		if !systemdRunning() {
			return Saved{}, ErrSystemdNotRunning
		}
		s.Driver = DriverSystemd
	}
	return s, nil
}

// resolvePath is the pure part of Resolve.
func resolvePath(cgroupsPath, id string, systemd bool) (string, error) {
	if id == "" || strings.ContainsAny(id, "/:") || id == "." || id == ".." {
		return "", fmt.Errorf("resolve cgroup path: invalid container id %q", id)
	}
	if systemd {
		if cgroupsPath == "" {
			cgroupsPath = defaultSlice + ":" + scopePrefix + ":" + id
		}
		parts := strings.Split(cgroupsPath, ":")
		if len(parts) != 3 {
			return "", fmt.Errorf("resolve cgroup path %q: systemd cgroupsPath must have the form slice:prefix:name", cgroupsPath)
		}
		return systemdPath(cgroupsPath, parts[0], parts[1], parts[2])
	}
	if cgroupsPath == "" {
		return path.Join(Parent, id), nil
	}
	if !strings.HasPrefix(cgroupsPath, "/") {
		if parts := strings.Split(cgroupsPath, ":"); len(parts) == 3 {
			return systemdPath(cgroupsPath, parts[0], parts[1], parts[2])
		}
	}
	if err := checkComponents(cgroupsPath); err != nil {
		return "", err
	}
	p := cgroupsPath
	if !strings.HasPrefix(p, "/") {
		p = path.Join(Parent, p)
	}
	p = path.Clean(p)
	if p == "/" {
		return "", fmt.Errorf("resolve cgroup path %q: the root cgroup cannot hold a container", cgroupsPath)
	}
	return p, nil
}

// checkComponents refuses paths that climb out of their parent.
func checkComponents(p string) error {
	for _, c := range strings.Split(p, "/") {
		if c == ".." || c == "." {
			return fmt.Errorf("resolve cgroup path %q: component %q is not allowed", p, c)
		}
	}
	return nil
}

// systemdPath maps slice:prefix:name to the cgroup path systemd gives that unit.
func systemdPath(orig, slice, prefix, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("resolve cgroup path %q: empty unit name", orig)
	}
	if strings.Contains(prefix, "/") || strings.Contains(name, "/") || name == "." || name == ".." {
		return "", fmt.Errorf("resolve cgroup path %q: unit name must not contain '/'", orig)
	}
	if slice == "" {
		slice = defaultSlice
	}
	parent, err := ExpandSlice(slice)
	if err != nil {
		return "", fmt.Errorf("resolve cgroup path %q: %w", orig, err)
	}
	unit := name
	if !strings.HasSuffix(name, ".slice") {
		if prefix == "" {
			unit = name + ".scope"
		} else {
			unit = prefix + "-" + name + ".scope"
		}
	}
	return path.Join(parent, unit), nil
}

// ExpandSlice turns a systemd slice name into its cgroup path:
// "a-b.slice" -> "/a.slice/a-b.slice", "-.slice" and "-" -> "/".
func ExpandSlice(slice string) (string, error) {
	if slice == "-" || slice == "-.slice" {
		return "/", nil
	}
	base, ok := strings.CutSuffix(slice, ".slice")
	if !ok || base == "" || strings.Contains(slice, "/") {
		return "", fmt.Errorf("invalid slice name %q", slice)
	}
	var (
		out    strings.Builder
		prefix string
	)
	for _, part := range strings.Split(base, "-") {
		if part == "" {
			return "", fmt.Errorf("invalid slice name %q: empty component", slice)
		}
		prefix += part
		out.WriteString("/" + prefix + ".slice")
		prefix += "-"
	}
	return out.String(), nil
}

// unitName is the systemd unit a Saved path names (its last element).
func unitName(p string) string {
	return path.Base(p)
}

// sliceOf is the slice unit that holds the unit at p ("-.slice" for the root).
func sliceOf(p string) string {
	d := path.Base(path.Dir(p))
	if d == "/" || d == "." {
		return "-.slice"
	}
	return d
}
