// Package plan turns an OCI runtime spec into the runtime's execution plan.
// It is pure: no file system or kernel access, so every decision about a
// bundle is unit-tested without root. The init stage receives the Plan as
// JSON and carries it out.
package plan

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// RootMode is how the container sees the file system.
type RootMode string

const (
	// HostRoot keeps the host's view and confines with Landlock only.
	HostRoot RootMode = "host"
	// Chroot chroots into root.path inside a private mount namespace.
	Chroot RootMode = "chroot"
)

// Namespace is one namespace to create (Path empty) or join (Path set).
type Namespace struct {
	Type specs.LinuxNamespaceType `json:"type"`
	Path string                   `json:"path,omitempty"`
}

// Mount is a mount the init performs under the rootfs (chroot mode only).
type Mount struct {
	Source      string  `json:"source"`
	Destination string  `json:"destination"`
	Type        string  `json:"type"`
	Flags       uintptr `json:"flags"`
	Propagation uintptr `json:"propagation,omitempty"`
	Data        string  `json:"data,omitempty"`
}

// Bind reports whether the mount is a bind mount.
func (m Mount) Bind() bool { return m.Flags&msBind != 0 }

// Rlimit is one resource limit of the process.
type Rlimit struct {
	Type int    `json:"type"`
	Hard uint64 `json:"hard"`
	Soft uint64 `json:"soft"`
}

// Process is the program the container runs.
type Process struct {
	Args            []string     `json:"args"`
	Env             []string     `json:"env"`
	Cwd             string       `json:"cwd"`
	UID             uint32       `json:"uid"`
	GID             uint32       `json:"gid"`
	AdditionalGids  []uint32     `json:"additionalGids,omitempty"`
	Umask           *uint32      `json:"umask,omitempty"`
	Terminal        bool         `json:"terminal,omitempty"`
	ConsoleSize     *specs.Box   `json:"consoleSize,omitempty"`
	Rlimits         []Rlimit     `json:"rlimits,omitempty"`
	OOMScoreAdj     *int         `json:"oomScoreAdj,omitempty"`
	NoNewPrivileges bool         `json:"noNewPrivileges,omitempty"`
	Hooks           []specs.Hook `json:"startContainerHooks,omitempty"`
}

// Plan is everything the init stage needs, decided before any process exists.
type Plan struct {
	ID            string                `json:"id"`
	Bundle        string                `json:"bundle"`
	Rootfs        string                `json:"rootfs"`
	Mode          RootMode              `json:"mode"`
	RootReadonly  bool                  `json:"rootReadonly,omitempty"`
	Namespaces    []Namespace           `json:"namespaces"`
	MountNS       bool                  `json:"mountNS"`
	MountProc     bool                  `json:"mountProc,omitempty"`
	Mounts        []Mount               `json:"mounts,omitempty"`
	Devices       []specs.LinuxDevice   `json:"devices,omitempty"`
	MaskedPaths   []string              `json:"maskedPaths,omitempty"`
	ReadonlyPaths []string              `json:"readonlyPaths,omitempty"`
	Hostname      string                `json:"hostname,omitempty"`
	Domainname    string                `json:"domainname,omitempty"`
	Sysctl        map[string]string     `json:"sysctl,omitempty"`
	Process       Process               `json:"process"`
	Unveil        unveil.Policy         `json:"unveil"`
	Hooks         *specs.Hooks          `json:"hooks,omitempty"`
	CgroupsPath   string                `json:"cgroupsPath,omitempty"`
	Resources     *specs.LinuxResources `json:"resources,omitempty"`
	Annotations   map[string]string     `json:"annotations,omitempty"`
	OCIVersion    string                `json:"ociVersion"`
}

// Has reports whether the plan creates or joins namespace t.
func (p *Plan) Has(t specs.LinuxNamespaceType) bool {
	for _, ns := range p.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// OwnPIDNamespace reports whether the container gets a new PID namespace, so
// that killing its init kills every process in it.
func (p *Plan) OwnPIDNamespace() bool {
	for _, ns := range p.Namespaces {
		if ns.Type == specs.PIDNamespace && ns.Path == "" {
			return true
		}
	}
	return false
}
