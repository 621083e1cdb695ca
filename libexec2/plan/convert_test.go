package plan

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func baseSpec() *specs.Spec {
	return &specs.Spec{
		Version: "1.2.0",
		Root:    &specs.Root{Path: "rootfs"},
		Process: &specs.Process{Args: []string{"sh"}, Cwd: "/", Env: []string{"PATH=/bin"}},
		Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{
			{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
		}},
	}
}

func opts(rootfs string) Options {
	return Options{ID: "c1", Bundle: "/b", Rootfs: rootfs}
}

func TestFromSpecRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*specs.Spec)
		errHas string
	}{
		{"major version 2", func(s *specs.Spec) { s.Version = "2.0.0" }, `ociVersion "2.0.0"`},
		{"missing version", func(s *specs.Spec) { s.Version = "" }, "ociVersion: missing"},
		{"missing process", func(s *specs.Spec) { s.Process = nil }, "process: missing"},
		{"missing root", func(s *specs.Spec) { s.Root = nil }, "root.path: missing"},
		{"empty args", func(s *specs.Spec) { s.Process.Args = nil }, "process.args"},
		{"relative cwd", func(s *specs.Spec) { s.Process.Cwd = "tmp" }, `process.cwd "tmp"`},
		{"bad env", func(s *specs.Spec) { s.Process.Env = []string{"NOEQUALS"} }, "process.env[0]"},
		{"unknown rlimit", func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_BOGUS"}}
		}, `process.rlimits[0].type "RLIMIT_BOGUS"`},
		{"soft above hard", func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 2, Hard: 1}}
		}, "soft limit above hard"},
		{"unknown namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "bogus"})
		}, `linux.namespaces[3].type "bogus": unknown namespace type`},
		{"user namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		}, "not supported"},
		{"duplicate namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.PIDNamespace})
		}, "listed twice"},
		{"relative namespace path", func(s *specs.Spec) {
			s.Linux.Namespaces[0].Path = "proc/1/ns/pid"
		}, "must be an absolute path"},
		{"relative mount destination", func(s *specs.Spec) {
			s.Mounts = []specs.Mount{{Destination: "tmp", Type: "tmpfs", Source: "tmpfs"}}
		}, `mounts[0].destination "tmp"`},
		{"hostname without uts", func(s *specs.Spec) {
			s.Hostname = "h"
			s.Linux.Namespaces = s.Linux.Namespaces[:2]
		}, "needs a private uts namespace"},
		{"host sysctl", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"vm.swappiness": "1"} }, "not namespaced"},
		{"net sysctl without netns", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}, "needs a private network namespace"},
		{"relative hook", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststart: []specs.Hook{{Path: "hook.sh"}}}
		}, `hooks.poststart[0].path "hook.sh"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSpec()
			tc.edit(s)
			_, err := FromSpec(s, opts("/b/rootfs"))
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("FromSpec error = %v, want it to contain %q", err, tc.errHas)
			}
		})
	}
}

func TestFromSpecModes(t *testing.T) {
	s := baseSpec()
	s.Version = "1.3.0+dev"
	s.Mounts = []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc"},
		{Destination: "/data", Type: "bind", Source: "data", Options: []string{"rbind", "ro"}},
	}
	p, err := FromSpec(s, opts("/b/rootfs"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != Chroot || !p.MountNS || p.MountProc {
		t.Errorf("chroot plan: mode=%s mountNS=%v mountProc=%v", p.Mode, p.MountNS, p.MountProc)
	}
	if len(p.Mounts) != 2 || p.Mounts[1].Source != "/b/data" || !p.Mounts[1].Bind() ||
		p.Mounts[1].Flags&unix.MS_RDONLY == 0 || p.Mounts[1].Flags&unix.MS_REC == 0 {
		t.Errorf("chroot mounts = %+v", p.Mounts)
	}
	if !p.OwnPIDNamespace() {
		t.Error("new pid namespace not seen")
	}

	h, err := FromSpec(baseSpec(), opts("/"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Mode != HostRoot || !h.MountNS || !h.MountProc || len(h.Mounts) != 0 {
		t.Errorf("host plan: mode=%s mountNS=%v mountProc=%v mounts=%v", h.Mode, h.MountNS, h.MountProc, h.Mounts)
	}

	// Host-root without a pid namespace and without a mount namespace
	// needs no mount namespace at all.
	s = baseSpec()
	s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.IPCNamespace}, {Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"}}
	h, err = FromSpec(s, opts("/"))
	if err != nil {
		t.Fatal(err)
	}
	if h.MountNS || h.MountProc || h.OwnPIDNamespace() || !h.Has(specs.PIDNamespace) {
		t.Errorf("joined pid ns plan: mountNS=%v mountProc=%v own=%v", h.MountNS, h.MountProc, h.OwnPIDNamespace())
	}
}

func TestParseMountOptions(t *testing.T) {
	for _, tc := range []struct {
		opts  []string
		flags uintptr
		prop  uintptr
		data  string
	}{
		{[]string{"nosuid", "noexec", "nodev", "ro"}, unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RDONLY, 0, ""},
		{[]string{"ro", "rw"}, 0, 0, ""},
		{[]string{"rbind", "rprivate"}, unix.MS_BIND | unix.MS_REC, unix.MS_PRIVATE | unix.MS_REC, ""},
		{[]string{"nosuid", "mode=755", "size=65536k"}, unix.MS_NOSUID, 0, "mode=755,size=65536k"},
		{[]string{"newinstance", "ptmxmode=0666", "rslave"}, 0, unix.MS_SLAVE | unix.MS_REC, "newinstance,ptmxmode=0666"},
		{[]string{"strictatime", "idmap", "rro"}, unix.MS_STRICTATIME, 0, ""},
	} {
		f, p, d := ParseMountOptions(tc.opts)
		if f != tc.flags || p != tc.prop || d != tc.data {
			t.Errorf("ParseMountOptions(%q) = %#x %#x %q; want %#x %#x %q", tc.opts, f, p, d, tc.flags, tc.prop, tc.data)
		}
	}
}
