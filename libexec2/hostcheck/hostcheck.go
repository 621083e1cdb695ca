// Package hostcheck fingerprints the host for exec2-oci check: kernel,
// Landlock ABI and features, cgroup layout and controllers, namespaces,
// process interfaces and tools, and which hard requirements are missing.
package hostcheck

import (
	"fmt"
	"strings"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// Status of one check.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail" // a hard requirement is missing: containers cannot run
)

// Check is one line of the verdict.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
}

// Kernel is uname's view plus the parsed version.
type Kernel struct {
	Release string `json:"release"`
	Version string `json:"version"`
	Machine string `json:"machine"`
	Major   int    `json:"major"`
	Minor   int    `json:"minor"`
}

// atLeast reports whether the kernel is major.minor or newer.
func (k Kernel) atLeast(major, minor int) bool {
	return k.Major > major || (k.Major == major && k.Minor >= minor)
}

// FeatureState is a Landlock feature and whether this kernel has it.
type FeatureState struct {
	unveil.Feature
	Available bool `json:"available"`
}

// Landlock is the detected ABI; Error says why there is none.
type Landlock struct {
	Available bool           `json:"available"`
	ABI       int            `json:"abi"`
	Error     string         `json:"error,omitempty"`
	Features  []FeatureState `json:"features"`
}

// Hierarchy is one mounted cgroup hierarchy.
type Hierarchy struct {
	Version     int      `json:"version"` // 1 or 2
	Path        string   `json:"path"`
	Controllers []string `json:"controllers"`
}

// Cgroups is the cgroup layout: "v2" (unified at /sys/fs/cgroup), "hybrid"
// (v1 controllers and a v2 hierarchy elsewhere), "v1" or "none". The
// runtime drives v2 hosts through the unified hierarchy and v1 and hybrid
// hosts through the v1 controllers (RuntimeMode).
type Cgroups struct {
	Layout      string      `json:"layout"`
	RuntimeMode string      `json:"runtimeMode,omitempty"`
	Hierarchies []Hierarchy `json:"hierarchies"`
}

// Namespace is one /proc/self/ns entry the runtime may create or join.
type Namespace struct {
	Type      string `json:"type"`
	Available bool   `json:"available"`
}

// Process reports the process interfaces the runtime prefers.
type Process struct {
	Pidfd  bool `json:"pidfd"`  // pidfd_open (5.3)
	Clone3 bool `json:"clone3"` // clone3 (5.3)
	// CloneIntoCgroup: clone3 with CLONE_INTO_CGROUP (5.7) on a v2 host,
	// where create starts the init directly in the container's cgroup.
	CloneIntoCgroup bool `json:"cloneIntoCgroup"`
}

// Tool is a program the runtime may run.
type Tool struct {
	Name     string `json:"name"`
	Path     string `json:"path,omitempty"`
	Required bool   `json:"required"`
	UsedBy   string `json:"usedBy"`
}

// Report is everything check found, with the verdict in Checks.
type Report struct {
	Kernel     Kernel      `json:"kernel"`
	Landlock   Landlock    `json:"landlock"`
	Cgroups    Cgroups     `json:"cgroups"`
	Namespaces []Namespace `json:"namespaces"`
	Process    Process     `json:"process"`
	Procfs     bool        `json:"procfs"`
	Tools      []Tool      `json:"tools"`
	Checks     []Check     `json:"checks"`
}

// Options are the runtime settings that change the verdict.
type Options struct {
	AllowUnconfined bool // rtconfig allow_unconfined
}

// Failed returns the failing checks, one per missing hard requirement.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == Fail {
			out = append(out, c)
		}
	}
	return out
}

// Err names every missing hard requirement, nil when there is none.
func (r *Report) Err() error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	parts := make([]string, len(failed))
	for i, c := range failed {
		parts[i] = c.Name + ": " + c.Detail
	}
	return fmt.Errorf("host check: %s", strings.Join(parts, "; "))
}

// namespaceTypes are the namespaces a bundle may ask for, by their
// /proc/self/ns names; user and time are refused by the runtime anyway.
var namespaceTypes = []string{"cgroup", "ipc", "mnt", "net", "pid", "uts", "user", "time"}

// judge turns the facts into checks.
func judge(r *Report, opts Options) {
	add := func(name string, st Status, format string, args ...any) {
		r.Checks = append(r.Checks, Check{Name: name, Status: st, Detail: fmt.Sprintf(format, args...)})
	}
	add("kernel", OK, "Linux %s", r.Kernel.Release)

	switch l := r.Landlock; {
	case !l.Available && opts.AllowUnconfined:
		add("landlock", Warn, "not available (%s): containers run unconfined (allow_unconfined)", l.Error)
	case !l.Available:
		add("landlock", Fail, "not available (%s): set allow_unconfined in the runtime config to run containers unconfined", l.Error)
	default:
		var missing []string
		for _, f := range l.Features {
			if !f.Available && f.Name != "audit" {
				missing = append(missing, fmt.Sprintf("%s (ABI %d, Linux %s)", f.Name, f.ABI, f.Linux))
			}
		}
		if len(missing) == 0 {
			add("landlock", OK, "ABI %d", l.ABI)
		} else {
			add("landlock", Warn, "ABI %d, lacks %s", l.ABI, strings.Join(missing, ", "))
		}
	}

	if r.Cgroups.Layout == "none" {
		add("cgroups", Fail, "no cgroup hierarchy mounted at /sys/fs/cgroup")
	} else {
		add("cgroups", OK, "%s (runtime uses %s)", r.Cgroups.Layout, r.Cgroups.RuntimeMode)
	}

	if !r.Procfs {
		add("procfs", Fail, "/proc is not mounted: the runtime re-executes /proc/self/exe")
	}

	var nsMissing []string
	for _, ns := range r.Namespaces {
		if !ns.Available && ns.Type != "user" && ns.Type != "time" {
			nsMissing = append(nsMissing, ns.Type)
		}
	}
	if len(nsMissing) > 0 {
		add("namespaces", Warn, "missing %s: bundles asking for them fail", strings.Join(nsMissing, ", "))
	} else {
		add("namespaces", OK, "cgroup, ipc, mnt, net, pid, uts")
	}

	switch p := r.Process; {
	case p.CloneIntoCgroup:
		add("clone3", OK, "CLONE_INTO_CGROUP: the init starts in the container's cgroup")
	case r.Cgroups.RuntimeMode == "v2" && !r.Kernel.atLeast(5, 7):
		add("clone3", Warn, "no CLONE_INTO_CGROUP (Linux %s < 5.7): the runtime adds the init to its cgroup after clone", r.Kernel.Release)
	default:
		add("clone3", OK, "not used on cgroup v1: the runtime adds the init to its cgroups before it runs anything")
	}

	for _, t := range r.Tools {
		switch {
		case t.Path != "":
			add("tool "+t.Name, OK, "%s (%s)", t.Path, t.UsedBy)
		case t.Required:
			add("tool "+t.Name, Fail, "not found in PATH (%s)", t.UsedBy)
		default:
			add("tool "+t.Name, Warn, "not found in PATH: %s fails", t.UsedBy)
		}
	}
}
