package unveil

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func bind(src, dst string, opts ...string) specs.Mount {
	return specs.Mount{Type: "bind", Source: src, Destination: dst, Options: append([]string{"rbind"}, opts...)}
}

func kmount(typ, dst string, opts ...string) specs.Mount {
	return specs.Mount{Type: typ, Source: typ, Destination: dst, Options: opts}
}

// short writes rules as "mode:path", "?" marking optional ones.
func short(rules []Rule) []string {
	out := []string{}
	for _, r := range rules {
		s := r.Mode + ":" + r.Path
		if r.Optional {
			s += "?"
		}
		out = append(out, s)
	}
	return out
}

func TestTranslate(t *testing.T) {
	host := Options{HostRoot: true}
	tests := []struct {
		name     string
		spec     specs.Spec
		opts     Options
		rules    []string
		warnings []string // substrings, one per warning
		err      string   // substring
	}{
		{name: "bind rw", spec: specs.Spec{Mounts: []specs.Mount{bind("/data", "/data")}}, opts: host,
			rules: []string{"rwxc:/data"}},
		{name: "bind ro", spec: specs.Spec{Mounts: []specs.Mount{bind("/data", "/data", "ro")}}, opts: host,
			rules: []string{"rx:/data"}},
		{name: "bind ro noexec", spec: specs.Spec{Mounts: []specs.Mount{bind("/data", "/data", "ro", "nosuid", "noexec")}}, opts: host,
			rules: []string{"r:/data"}},
		{name: "bind rw noexec", spec: specs.Spec{Mounts: []specs.Mount{bind("/data/", "/data", "noexec")}}, opts: host,
			rules: []string{"rwc:/data"}},
		{name: "later option wins", spec: specs.Spec{Mounts: []specs.Mount{bind("/data", "/data", "ro", "noexec", "rw", "exec")}}, opts: host,
			rules: []string{"rwxc:/data"}},
		{name: "bind by option only", spec: specs.Spec{Mounts: []specs.Mount{{Type: "none", Source: "/srv", Destination: "/srv", Options: []string{"bind", "ro"}}}}, opts: host,
			rules: []string{"rx:/srv"}},
		{name: "bind remapped refused", spec: specs.Spec{Mounts: []specs.Mount{bind("/srv/data", "/data")}}, opts: host,
			err: "mounts[0]: mount /data (bind from /srv/data): source differs from destination"},
		{name: "bind relative source refused", spec: specs.Spec{Mounts: []specs.Mount{bind("data", "/data")}}, opts: host,
			err: "mount /data (bind from data)"},
		{name: "bind remapped skipped by policy", spec: specs.Spec{Mounts: []specs.Mount{bind("/srv/data", "/data")}},
			opts:     Options{HostRoot: true, Policy: PolicySkip},
			rules:    []string{},
			warnings: []string{"mounts[0]: mount /data (bind from /srv/data) skipped"}},
		{name: "engine files skipped by default", spec: specs.Spec{Mounts: []specs.Mount{
			bind("/var/lib/c/hosts", "/etc/hosts", "ro"), bind("/var/lib/c/hostname", "/etc/hostname"),
			bind("/var/lib/c/resolv.conf", "/etc/resolv.conf"), bind("/var/lib/c/env", "/run/.containerenv")}}, opts: host,
			rules: []string{},
			warnings: []string{"mount /etc/hosts (bind from /var/lib/c/hosts) skipped", "/etc/hostname", "/etc/resolv.conf",
				"mounts[3]: mount /run/.containerenv"}},
		{name: "engine files refused by error policy", spec: specs.Spec{Mounts: []specs.Mount{bind("/var/lib/c/hosts", "/etc/hosts")}},
			opts: Options{HostRoot: true, Policy: PolicyError},
			err:  "mount /etc/hosts (bind from /var/lib/c/hosts)"},
		{name: "kernel file systems", spec: specs.Spec{Mounts: []specs.Mount{
			kmount("proc", "/proc"), kmount("sysfs", "/sys", "ro"), kmount("cgroup", "/sys/fs/cgroup", "ro")}}, opts: host,
			rules: []string{"r:/proc", "r:/sys", "r:/sys/fs/cgroup"}},
		{name: "cgroup2", spec: specs.Spec{Mounts: []specs.Mount{kmount("cgroup2", "/sys/fs/cgroup")}}, opts: host,
			rules: []string{"r:/sys/fs/cgroup"}},
		{name: "proc elsewhere refused", spec: specs.Spec{Mounts: []specs.Mount{kmount("proc", "/host/proc")}}, opts: host,
			err: "mounts[0]: mount /host/proc (proc)"},
		{name: "tmpfs dev gives the nodes", spec: specs.Spec{Mounts: []specs.Mount{kmount("tmpfs", "/dev", "nosuid")}}, opts: host,
			rules: []string{"rw:/dev/full", "rw:/dev/null", "r:/dev/random", "rw:/dev/tty", "r:/dev/urandom", "r:/dev/zero"}},
		{name: "devpts without terminal", spec: specs.Spec{Mounts: []specs.Mount{kmount("devpts", "/dev/pts")}}, opts: host,
			rules: []string{}},
		{name: "devpts with terminal", spec: specs.Spec{Mounts: []specs.Mount{kmount("devpts", "/dev/pts")}},
			opts:  Options{HostRoot: true, Terminal: true},
			rules: []string{"rw:/dev/ptmx?", "rw:/dev/pts?", "rw:/dev/tty?"}},
		{name: "terminal with tmpfs dev makes tty required", spec: specs.Spec{Mounts: []specs.Mount{kmount("tmpfs", "/dev")}},
			opts:  Options{HostRoot: true, Terminal: true},
			rules: []string{"rw:/dev/full", "rw:/dev/null", "rw:/dev/ptmx?", "rw:/dev/pts?", "r:/dev/random", "rw:/dev/tty", "r:/dev/urandom", "r:/dev/zero"}},
		{name: "scratch mounts skipped by default", spec: specs.Spec{Mounts: []specs.Mount{
			kmount("tmpfs", "/dev/shm"), kmount("mqueue", "/dev/mqueue"), kmount("tmpfs", "/tmp")}}, opts: host,
			rules:    []string{},
			warnings: []string{"mount /dev/shm (tmpfs) skipped: a private tmpfs needs a mount", "mount /dev/mqueue (mqueue) skipped", "mount /tmp (tmpfs) skipped"}},
		{name: "scratch mount refused by error policy", spec: specs.Spec{Mounts: []specs.Mount{kmount("tmpfs", "/dev/shm")}},
			opts: Options{HostRoot: true, Policy: PolicyError},
			err:  "mounts[0]: mount /dev/shm (tmpfs): a private tmpfs needs a mount"},
		{name: "other tmpfs refused by default", spec: specs.Spec{Mounts: []specs.Mount{kmount("tmpfs", "/run")}}, opts: host,
			err: "mount /run (tmpfs)"},
		{name: "other tmpfs skipped by skip policy", spec: specs.Spec{Mounts: []specs.Mount{kmount("tmpfs", "/run")}},
			opts: Options{HostRoot: true, Policy: PolicySkip}, rules: []string{}, warnings: []string{"mount /run (tmpfs) skipped"}},
		{name: "unknown type refused", spec: specs.Spec{Mounts: []specs.Mount{kmount("overlay", "/x")}}, opts: host,
			err: "mounts[0]: mount /x (overlay): host-root mode mounts nothing"},
		{name: "masked paths under a granted dir warn once", spec: specs.Spec{
			Mounts: []specs.Mount{kmount("proc", "/proc")},
			Linux:  &specs.Linux{MaskedPaths: []string{"/proc/kcore", "/proc/keys", "/sys/firmware"}}}, opts: host,
			rules:    []string{"r:/proc"},
			warnings: []string{"linux.maskedPaths /proc/kcore, /proc/keys: not enforced, /proc (r) grants access beneath"}},
		{name: "masked path drops its own rule", spec: specs.Spec{
			Mounts: []specs.Mount{bind("/data", "/data"), bind("/data/secret", "/data/secret", "ro")},
			Linux:  &specs.Linux{MaskedPaths: []string{"/data/secret"}}}, opts: host,
			rules:    []string{"rwxc:/data"},
			warnings: []string{"linux.maskedPaths /data/secret: not enforced, /data (rwxc)"}},
		{name: "readonly strips write", spec: specs.Spec{
			Mounts: []specs.Mount{bind("/data", "/data"), bind("/srv", "/srv", "noexec")},
			Linux:  &specs.Linux{ReadonlyPaths: []string{"/data", "/srv"}}}, opts: host,
			rules: []string{"rx:/data", "r:/srv"}},
		{name: "readonly under a read-only dir is quiet", spec: specs.Spec{
			Mounts: []specs.Mount{kmount("proc", "/proc")},
			Linux:  &specs.Linux{ReadonlyPaths: []string{"/proc/sys", "/proc/sysrq-trigger"}}}, opts: host,
			rules: []string{"r:/proc"}},
		{name: "readonly under a writable dir warns", spec: specs.Spec{
			Mounts: []specs.Mount{bind("/data", "/data")},
			Linux:  &specs.Linux{ReadonlyPaths: []string{"/data/conf"}}}, opts: host,
			rules:    []string{"rwxc:/data"},
			warnings: []string{"linux.readonlyPaths /data/conf: not enforced, /data is granted rwxc beneath"}},
		{name: "readonly removes a write-only rule", spec: specs.Spec{Linux: &specs.Linux{ReadonlyPaths: []string{"/log"}}},
			opts: Options{HostRoot: true, Paths: []string{"wc:/log"}}, rules: []string{}},
		{name: "devices", spec: specs.Spec{Linux: &specs.Linux{Devices: []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c"}}}}, opts: host,
			rules: []string{"rw:/dev/fuse"}},
		{name: "unveil_paths", spec: specs.Spec{}, opts: Options{HostRoot: true, Paths: []string{"r:/etc/app", "rwc:/var/a:b"}},
			rules: []string{"r:/etc/app", "rwc:/var/a:b"}},
		{name: "unveil_paths invalid", spec: specs.Spec{}, opts: Options{HostRoot: true, Paths: []string{"r:/ok", "rq:/bad"}},
			err: `unveil_paths: unveil entry "rq:/bad": mode "rq": unknown right 'q'`},
		{name: "annotation honoured by task", spec: specs.Spec{Annotations: map[string]string{Annotation: "r:/a, rw:/b\nx:/c,,"}},
			opts: Options{HostRoot: true, ByTask: true}, rules: []string{"r:/a", "rw:/b", "x:/c"}},
		{name: "annotation refused without by task", spec: specs.Spec{Annotations: map[string]string{Annotation: "r:/a"}}, opts: host,
			err: "annotation org.exec2.unveil: unveil_by_task is disabled"},
		{name: "annotation invalid entry", spec: specs.Spec{Annotations: map[string]string{Annotation: "r:/a,r:relative"}},
			opts: Options{HostRoot: true, ByTask: true}, err: `annotation org.exec2.unveil: unveil entry "r:relative": path "relative" must be absolute`},
		{name: "merge unions modes", spec: specs.Spec{Mounts: []specs.Mount{bind("/data", "/data", "ro", "noexec")}},
			opts: Options{HostRoot: true, Paths: []string{"w:/data", "x:/data/"}}, rules: []string{"rwx:/data"}},
		{name: "unknown policy", spec: specs.Spec{}, opts: Options{HostRoot: true, Policy: "maybe"}, err: `mount_policy "maybe": unknown`},

		{name: "chroot rw root", spec: specs.Spec{Root: &specs.Root{Path: "rootfs"}}, opts: Options{},
			rules: []string{"rwxc:/"}},
		{name: "chroot readonly root", spec: specs.Spec{Root: &specs.Root{Path: "rootfs", Readonly: true}}, opts: Options{},
			rules: []string{"rx:/"}},
		{name: "chroot mounts", spec: specs.Spec{Root: &specs.Root{Path: "rootfs", Readonly: true}, Mounts: []specs.Mount{
			kmount("proc", "/proc"), kmount("sysfs", "/sys", "ro"), kmount("cgroup", "/sys/fs/cgroup"),
			kmount("tmpfs", "/dev"), kmount("devpts", "/dev/pts"), kmount("tmpfs", "/dev/shm", "nosuid", "noexec"),
			kmount("mqueue", "/dev/mqueue", "noexec"), kmount("tmpfs", "/tmp"), kmount("tmpfs", "/ro", "ro"),
			bind("/var/lib/c/hosts", "/etc/hosts", "ro"), bind("/srv/data", "/data"), bind("/srv/bin", "/opt/bin", "ro"),
			kmount("overlay", "/ovl")}},
			opts: Options{Policy: PolicyError},
			rules: []string{"rx:/", "rwxc:/data", "rw:/dev/full", "rwc:/dev/mqueue", "rw:/dev/null", "r:/dev/random",
				"rwc:/dev/shm", "rw:/dev/tty", "r:/dev/urandom", "r:/dev/zero", "rx:/etc/hosts", "rx:/opt/bin",
				"rwxc:/ovl", "r:/proc", "rx:/ro", "r:/sys", "r:/sys/fs/cgroup", "rwxc:/tmp"}},
		{name: "chroot masked and readonly are the init's", spec: specs.Spec{Root: &specs.Root{Path: "rootfs"},
			Mounts: []specs.Mount{kmount("proc", "/proc")},
			Linux:  &specs.Linux{MaskedPaths: []string{"/proc/kcore"}, ReadonlyPaths: []string{"/proc/sys"}}}, opts: Options{},
			rules: []string{"rwxc:/", "r:/proc"}},
		{name: "chroot terminal", spec: specs.Spec{Root: &specs.Root{Path: "rootfs", Readonly: true}, Mounts: []specs.Mount{kmount("devpts", "/dev/pts")}},
			opts: Options{Terminal: true}, rules: []string{"rx:/", "rw:/dev/ptmx?", "rw:/dev/pts?", "rw:/dev/tty?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, err := Translate(&tt.spec, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := short(pol.Rules); !reflect.DeepEqual(got, tt.rules) {
				t.Errorf("rules\n got %q\nwant %q", got, tt.rules)
			}
			if len(pol.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %d", pol.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(pol.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, pol.Warnings[i], w)
				}
			}
		})
	}
}

func TestTranslateDefaults(t *testing.T) {
	spec := &specs.Spec{Mounts: []specs.Mount{bind("/usr/bin", "/usr/bin", "ro"), kmount("tmpfs", "/dev")}}
	pol, err := Translate(spec, Options{HostRoot: true, Defaults: true})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Rule{}
	for _, r := range pol.Rules {
		byPath[r.Path] = r
	}
	want := map[string]Rule{
		"/usr/bin":         {Path: "/usr/bin", Mode: "rx", Source: "mount /usr/bin, default"},
		"/lib":             {Path: "/lib", Mode: "rx", Optional: true, Source: "default"},
		"/usr/lib64":       {Path: "/usr/lib64", Mode: "rx", Optional: true, Source: "default"},
		"/etc/ld.so.cache": {Path: "/etc/ld.so.cache", Mode: "r", Optional: true, Source: "default"},
		"/etc/ssl/certs":   {Path: "/etc/ssl/certs", Mode: "r", Optional: true, Source: "default"},
		"/etc/resolv.conf": {Path: "/etc/resolv.conf", Mode: "r", Optional: true, Source: "default"},
		"/etc/passwd":      {Path: "/etc/passwd", Mode: "r", Optional: true, Source: "default"},
		"/dev/null":        {Path: "/dev/null", Mode: "rw", Source: "mount /dev, default"},
		"/dev/urandom":     {Path: "/dev/urandom", Mode: "r", Source: "mount /dev, default"},
	}
	for p, w := range want {
		if got := byPath[p]; got != w {
			t.Errorf("%s: got %+v, want %+v", p, got, w)
		}
	}
	for _, p := range []string{"/proc/self", "/tmp", "/proc"} {
		if _, ok := byPath[p]; ok {
			t.Errorf("defaults grant %s", p)
		}
	}
	for i := 1; i < len(pol.Rules); i++ {
		if pol.Rules[i-1].Path >= pol.Rules[i].Path {
			t.Fatalf("rules not sorted: %s before %s", pol.Rules[i-1].Path, pol.Rules[i].Path)
		}
	}
}

func TestTranslateDeterministicJSON(t *testing.T) {
	spec := &specs.Spec{Mounts: []specs.Mount{kmount("proc", "/proc"), kmount("tmpfs", "/dev")}}
	opts := Options{HostRoot: true, Defaults: true, Paths: []string{"r:/etc/app"}, AllowUnconfined: true}
	first, err := Translate(spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(first)
	for i := 0; i < 20; i++ {
		again, _ := Translate(spec, opts)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("translation differs between runs:\n%s\n%s", a, b)
		}
	}
	var back Policy
	if err := json.Unmarshal(a, &back); err != nil || !reflect.DeepEqual(&back, first) || !back.AllowUnconfined {
		t.Fatalf("JSON round trip: %v %+v", err, back)
	}
	empty, _ := Translate(&specs.Spec{}, Options{HostRoot: true})
	if b, _ := json.Marshal(empty); string(b) != `{"rules":[],"warnings":[]}` {
		t.Errorf("empty policy JSON = %s", b)
	}
}

func TestTranslateNilSpec(t *testing.T) {
	if _, err := Translate(nil, Options{}); err == nil {
		t.Fatal("nil spec accepted")
	}
}
