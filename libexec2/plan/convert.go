package plan

import (
	"fmt"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// Options carries what the spec alone does not say.
type Options struct {
	ID     string
	Bundle string // absolute bundle directory
	Rootfs string // root.path resolved to an absolute, symlink-free path
	Unveil unveil.Options
}

// FromSpec validates spec and turns it into a Plan. Every refusal names the
// offending field.
func FromSpec(spec *specs.Spec, o Options) (*Plan, error) {
	if spec == nil {
		return nil, fmt.Errorf("config.json: empty")
	}
	if err := checkVersion(spec.Version); err != nil {
		return nil, err
	}
	if spec.Root == nil || spec.Root.Path == "" {
		return nil, fmt.Errorf("root.path: missing")
	}
	if spec.Process == nil {
		return nil, fmt.Errorf("process: missing")
	}
	p := &Plan{
		ID:           o.ID,
		Bundle:       o.Bundle,
		Rootfs:       o.Rootfs,
		Mode:         Chroot,
		Hostname:     spec.Hostname,
		Domainname:   spec.Domainname,
		Hooks:        spec.Hooks,
		Annotations:  spec.Annotations,
		OCIVersion:   spec.Version,
		RootReadonly: spec.Root.Readonly,
	}
	if filepath.Clean(o.Rootfs) == "/" {
		p.Mode = HostRoot
	}
	proc, err := convertProcess(spec.Process)
	if err != nil {
		return nil, err
	}
	p.Process = *proc
	if spec.Hooks != nil {
		if err := checkHooks(spec.Hooks); err != nil {
			return nil, err
		}
		p.Process.Hooks = spec.Hooks.StartContainer
	}
	linux := spec.Linux
	if linux == nil {
		linux = &specs.Linux{}
	}
	if err := convertLinux(p, linux); err != nil {
		return nil, err
	}
	for i, m := range spec.Mounts {
		if !filepath.IsAbs(m.Destination) {
			return nil, fmt.Errorf("mounts[%d].destination %q: must be an absolute path", i, m.Destination)
		}
	}
	if p.Mode == Chroot {
		p.Mounts = convertMounts(spec.Mounts, o.Bundle)
		p.MaskedPaths = linux.MaskedPaths
		p.ReadonlyPaths = linux.ReadonlyPaths
		p.Devices = linux.Devices
	}
	uo := o.Unveil
	uo.HostRoot = p.Mode == HostRoot
	uo.Terminal = p.Process.Terminal
	pol, err := unveil.Translate(spec, uo)
	if err != nil {
		return nil, err
	}
	p.Unveil = *pol
	return p, nil
}

// checkVersion accepts any 1.x ociVersion, including +dev and -rc suffixes
// that engines stamp from their vendored specs-go.
func checkVersion(v string) error {
	if v == "" {
		return fmt.Errorf("ociVersion: missing")
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return fmt.Errorf("ociVersion %q: unsupported major version (want 1.x)", v)
	}
	return nil
}

func checkHooks(h *specs.Hooks) error {
	lists := map[string][]specs.Hook{
		"prestart": h.Prestart, "createRuntime": h.CreateRuntime, "createContainer": h.CreateContainer,
		"startContainer": h.StartContainer, "poststart": h.Poststart, "poststop": h.Poststop,
	}
	for name, hooks := range lists {
		for i, hk := range hooks {
			if !filepath.IsAbs(hk.Path) {
				return fmt.Errorf("hooks.%s[%d].path %q: must be an absolute path", name, i, hk.Path)
			}
			if hk.Timeout != nil && *hk.Timeout <= 0 {
				return fmt.Errorf("hooks.%s[%d].timeout: must be positive", name, i)
			}
		}
	}
	return nil
}

func convertProcess(sp *specs.Process) (*Process, error) {
	if len(sp.Args) == 0 || sp.Args[0] == "" {
		return nil, fmt.Errorf("process.args: must not be empty")
	}
	if sp.CommandLine != "" {
		return nil, fmt.Errorf("process.commandLine: only for Windows")
	}
	if !filepath.IsAbs(sp.Cwd) {
		return nil, fmt.Errorf("process.cwd %q: must be an absolute path", sp.Cwd)
	}
	if sp.User.Username != "" {
		return nil, fmt.Errorf("process.user.username: only for Windows")
	}
	for i, e := range sp.Env {
		if !strings.Contains(e, "=") {
			return nil, fmt.Errorf("process.env[%d] %q: want KEY=value", i, e)
		}
	}
	p := &Process{
		Args:            sp.Args,
		Env:             sp.Env,
		Cwd:             sp.Cwd,
		UID:             sp.User.UID,
		GID:             sp.User.GID,
		AdditionalGids:  sp.User.AdditionalGids,
		Umask:           sp.User.Umask,
		Terminal:        sp.Terminal,
		ConsoleSize:     sp.ConsoleSize,
		OOMScoreAdj:     sp.OOMScoreAdj,
		NoNewPrivileges: sp.NoNewPrivileges,
	}
	for i, rl := range sp.Rlimits {
		t, ok := rlimitTypes[rl.Type]
		if !ok {
			return nil, fmt.Errorf("process.rlimits[%d].type %q: unknown", i, rl.Type)
		}
		if rl.Soft > rl.Hard {
			return nil, fmt.Errorf("process.rlimits[%d] %s: soft limit above hard limit", i, rl.Type)
		}
		p.Rlimits = append(p.Rlimits, Rlimit{Type: t, Hard: rl.Hard, Soft: rl.Soft})
	}
	return p, nil
}

var rlimitTypes = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE,
	"RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC,
	"RLIMIT_RSS": unix.RLIMIT_RSS, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
	"RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING, "RLIMIT_STACK": unix.RLIMIT_STACK,
}

var knownNamespaces = map[specs.LinuxNamespaceType]bool{
	specs.PIDNamespace: true, specs.NetworkNamespace: true, specs.MountNamespace: true,
	specs.IPCNamespace: true, specs.UTSNamespace: true, specs.CgroupNamespace: true,
	specs.UserNamespace: false, specs.TimeNamespace: false,
}

func convertLinux(p *Plan, l *specs.Linux) error {
	seen := map[specs.LinuxNamespaceType]bool{}
	for i, ns := range l.Namespaces {
		ok, known := knownNamespaces[ns.Type]
		switch {
		case !known:
			return fmt.Errorf("linux.namespaces[%d].type %q: unknown namespace type", i, ns.Type)
		case !ok:
			return fmt.Errorf("linux.namespaces[%d].type %q: not supported by exec2-oci", i, ns.Type)
		case seen[ns.Type]:
			return fmt.Errorf("linux.namespaces[%d].type %q: listed twice", i, ns.Type)
		case ns.Path != "" && !filepath.IsAbs(ns.Path):
			return fmt.Errorf("linux.namespaces[%d].path %q: must be an absolute path", i, ns.Path)
		case ns.Type == specs.MountNamespace && ns.Path != "":
			return fmt.Errorf("linux.namespaces[%d]: joining a mount namespace is not supported", i)
		}
		seen[ns.Type] = true
		if ns.Type == specs.MountNamespace {
			continue // decided below from the root mode
		}
		p.Namespaces = append(p.Namespaces, Namespace{Type: ns.Type, Path: ns.Path})
	}
	newPID := p.OwnPIDNamespace()
	// Host-root mode needs a mount namespace only for a fresh /proc; chroot
	// mode always mounts inside a private one.
	p.MountNS = p.Mode == Chroot || seen[specs.MountNamespace] || newPID
	p.MountProc = p.Mode == HostRoot && newPID
	if p.MountNS {
		p.Namespaces = append(p.Namespaces, Namespace{Type: specs.MountNamespace})
	}
	uts := p.Has(specs.UTSNamespace)
	if p.Hostname != "" && !uts {
		return fmt.Errorf("hostname %q: needs a private uts namespace", p.Hostname)
	}
	if p.Domainname != "" && !uts {
		return fmt.Errorf("domainname %q: needs a private uts namespace", p.Domainname)
	}
	for k := range l.Sysctl {
		if err := checkSysctl(k, p); err != nil {
			return err
		}
	}
	p.Sysctl = l.Sysctl
	p.CgroupsPath = l.CgroupsPath
	p.Resources = withDefaultDevices(l.Resources)
	return nil
}

// checkSysctl refuses keys that would change the host: only namespaced
// sysctls are allowed, and only with their namespace.
func checkSysctl(key string, p *Plan) error {
	k := strings.ReplaceAll(key, "/", ".")
	switch {
	case strings.HasPrefix(k, "net."):
		if !p.Has(specs.NetworkNamespace) {
			return fmt.Errorf("linux.sysctl %q: needs a private network namespace", key)
		}
	case strings.HasPrefix(k, "fs.mqueue.") || k == "kernel.msgmax" || k == "kernel.msgmnb" ||
		k == "kernel.msgmni" || k == "kernel.sem" || k == "kernel.shmall" || k == "kernel.shmmax" ||
		k == "kernel.shmmni" || k == "kernel.shm_rmid_forced":
		if !p.Has(specs.IPCNamespace) {
			return fmt.Errorf("linux.sysctl %q: needs a private ipc namespace", key)
		}
	case k == "kernel.hostname" || k == "kernel.domainname":
		if !p.Has(specs.UTSNamespace) {
			return fmt.Errorf("linux.sysctl %q: needs a private uts namespace", key)
		}
	default:
		return fmt.Errorf("linux.sysctl %q: not namespaced, refusing to change the host", key)
	}
	return nil
}

// convertMounts keeps the spec's order; bind sources relative to the bundle
// become absolute.
func convertMounts(ms []specs.Mount, bundle string) []Mount {
	out := make([]Mount, 0, len(ms))
	for _, m := range ms {
		flags, prop, data := ParseMountOptions(m.Options)
		typ := m.Type
		if typ == "bind" || typ == "rbind" {
			flags |= msBind
			if typ == "rbind" {
				flags |= unix.MS_REC
			}
		}
		src := m.Source
		if flags&msBind != 0 && src != "" && !filepath.IsAbs(src) {
			src = filepath.Join(bundle, src)
		}
		out = append(out, Mount{Source: src, Destination: filepath.Clean(m.Destination), Type: typ, Flags: flags, Propagation: prop, Data: data})
	}
	return out
}
