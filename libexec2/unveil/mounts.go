package unveil

import (
	"fmt"
	"path/filepath"
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// devNodes are the standard nodes of a tmpfs /dev; sinks and the tty are
// writable, sources read-only.
var devNodes = []Rule{
	{Path: "/dev/null", Mode: "rw"},
	{Path: "/dev/zero", Mode: "r"},
	{Path: "/dev/full", Mode: "rw"},
	{Path: "/dev/random", Mode: "r"},
	{Path: "/dev/urandom", Mode: "r"},
	{Path: "/dev/tty", Mode: "rw"},
}

// terminalRules are optional: in chroot mode /dev/ptmx is a symlink into a
// devpts the bundle may not mount.
var terminalRules = []Rule{
	{Path: "/dev/pts", Mode: "rw", Optional: true, Source: "terminal"},
	{Path: "/dev/ptmx", Mode: "rw", Optional: true, Source: "terminal"},
	{Path: "/dev/tty", Mode: "rw", Optional: true, Source: "terminal"},
}

// defaultSkip are the destinations the default policy skips with a
// warning when they cannot be expressed: files engines generate per
// container and per-container scratch directories.
var defaultSkip = map[string]bool{
	"/etc/hosts": true, "/etc/hostname": true, "/etc/resolv.conf": true,
	"/run/.containerenv": true, "/dev/termination-log": true,
	"/dev/shm": true, "/dev/mqueue": true, "/tmp": true,
}

// DefaultSkipped lists, sorted, the destinations the default mount policy
// skips with a warning (for exec2-oci features).
func DefaultSkipped() []string {
	out := make([]string, 0, len(defaultSkip))
	for p := range defaultSkip {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// mountInfo is what the translation needs from one OCI mount.
type mountInfo struct {
	typ, src, dest string
	bind           bool
	ro, noexec     bool
}

func readMount(m specs.Mount) mountInfo {
	mi := mountInfo{typ: m.Type, src: m.Source, dest: filepath.Clean(m.Destination)}
	if m.Type == "bind" || m.Type == "rbind" {
		mi.bind = true
	}
	// Later options override earlier ones, as mount(8) reads them.
	for _, o := range m.Options {
		switch o {
		case "bind", "rbind":
			mi.bind = true
		case "ro":
			mi.ro = true
		case "rw":
			mi.ro = false
		case "noexec":
			mi.noexec = true
		case "exec":
			mi.noexec = false
		}
	}
	return mi
}

// mode is the rule a mount's destination gets: ro -> r, else rwc; x unless
// noexec.
func (mi mountInfo) mode() string {
	m := modeR | modeW | modeC
	if mi.ro {
		m = modeR
	}
	if !mi.noexec {
		m |= modeX
	}
	return m.String()
}

func (mi mountInfo) source() string { return "mount " + mi.dest }

func (mi mountInfo) describe() string {
	if mi.bind {
		return fmt.Sprintf("mount %s (bind from %s)", mi.dest, mi.src)
	}
	return fmt.Sprintf("mount %s (%s)", mi.dest, mi.typ)
}

// hostMount translates one mount in host-root mode, where nothing is
// mounted: only what already exists at the destination can be granted.
func (t *translation) hostMount(i int, m specs.Mount) error {
	mi := readMount(m)
	switch {
	case mi.bind:
		if filepath.IsAbs(mi.src) && filepath.Clean(mi.src) == mi.dest {
			t.add(mi.dest, mi.mode(), false, mi.source())
			return nil
		}
		return t.inexpressible(i, mi, "source differs from destination and Landlock cannot remap paths")
	case mi.typ == "proc" && mi.dest == "/proc",
		mi.typ == "sysfs" && mi.dest == "/sys",
		(mi.typ == "cgroup" || mi.typ == "cgroup2") && mi.dest == "/sys/fs/cgroup":
		t.add(mi.dest, "r", false, mi.source())
		return nil
	case mi.typ == "tmpfs" && mi.dest == "/dev":
		t.devNodes(mi.source())
		return nil
	case mi.typ == "devpts" && mi.dest == "/dev/pts":
		// Only a terminal needs the host's devpts; Options.Terminal adds it.
		return nil
	case mi.typ == "tmpfs" || mi.typ == "mqueue":
		return t.inexpressible(i, mi, "a private "+mi.typ+" needs a mount (grant the host path with unveil_paths to share it)")
	default:
		return t.inexpressible(i, mi, "host-root mode mounts nothing and Landlock cannot express it")
	}
}

// chrootMount translates one mount in chroot mode: the init has mounted it
// at its destination, so the destination is granted.
func (t *translation) chrootMount(m specs.Mount) {
	mi := readMount(m)
	switch {
	case mi.bind:
		t.add(mi.dest, mi.mode(), false, mi.source())
	case mi.typ == "proc" || mi.typ == "sysfs" || mi.typ == "cgroup" || mi.typ == "cgroup2":
		t.add(mi.dest, "r", false, mi.source())
	case mi.typ == "tmpfs" && mi.dest == "/dev":
		t.devNodes(mi.source())
	case mi.typ == "devpts":
		// Only a terminal needs it; Options.Terminal adds it.
	default:
		t.add(mi.dest, mi.mode(), false, mi.source())
	}
}

func (t *translation) devNodes(source string) {
	for _, r := range devNodes {
		t.add(r.Path, r.Mode, false, source)
	}
}

// inexpressible applies the mount policy to a mount Landlock cannot
// express: a warning when skipped, an error naming the mount otherwise.
func (t *translation) inexpressible(i int, mi mountInfo, why string) error {
	skip := t.opts.Policy == PolicySkip || (t.opts.Policy == PolicyDefault && defaultSkip[mi.dest])
	if skip {
		t.warn("mounts[%d]: %s skipped: %s", i, mi.describe(), why)
		return nil
	}
	return fmt.Errorf("mounts[%d]: %s: %s (mount_policy %q would skip it with a warning)", i, mi.describe(), why, PolicySkip)
}

// DefaultRules are unveil_defaults: what dynamically linked programs, DNS,
// TLS and identity lookups need. All optional: skipped where absent.
func DefaultRules() []Rule {
	groups := []struct {
		mode  string
		paths []string
	}{
		{"rx", []string{
			"/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libexec",
			"/usr/local/lib", "/usr/local/lib64",
			"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
		}},
		{"r", []string{
			"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/ld.so.preload",
			"/etc/ssl/certs", "/etc/ssl/cert.pem", "/etc/pki", "/usr/share/ca-certificates", "/etc/ca-certificates",
			"/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/nsswitch.conf",
			"/etc/services", "/etc/protocols", "/etc/passwd", "/etc/group",
			"/etc/localtime", "/usr/share/zoneinfo", "/usr/share/locale",
			"/dev/zero", "/dev/urandom",
		}},
		{"rw", []string{"/dev/null", "/dev/full"}},
	}
	var out []Rule
	for _, g := range groups {
		for _, p := range g.paths {
			out = append(out, Rule{Path: p, Mode: g.mode, Optional: true, Source: "default"})
		}
	}
	return out
}
