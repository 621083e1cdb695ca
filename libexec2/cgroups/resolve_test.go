package cgroups

import (
	"errors"
	"strings"
	"testing"
)

func TestResolvePath(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		systemd bool
		want    string
		wantErr string
	}{
		{name: "empty", path: "", want: "/exec2-oci/c1"},
		{name: "absolute", path: "/a/b", want: "/a/b"},
		{name: "absolute cleaned", path: "/a//b/", want: "/a/b"},
		{name: "relative", path: "a/b", want: "/exec2-oci/a/b"},
		{name: "relative single", path: "box", want: "/exec2-oci/box"},
		{name: "dotdot", path: "/a/../b", wantErr: `component ".."`},
		{name: "relative dotdot", path: "../etc", wantErr: `component ".."`},
		{name: "dot", path: "/a/./b", wantErr: `component "."`},
		{name: "root", path: "/", wantErr: "root cgroup"},
		{name: "colon in absolute path", path: "/a:b:c", want: "/a:b:c"},
		{name: "two colons relative is systemd form", path: "user.slice:docker:abc", want: "/user.slice/docker-abc.scope"},
		{name: "one colon relative is a path", path: "a:b", want: "/exec2-oci/a:b"},
		{name: "cgroupfs nested slice", path: "a-b.slice:pfx:n", want: "/a.slice/a-b.slice/pfx-n.scope"},
		{name: "cgroupfs root slice", path: "-:pfx:n", want: "/pfx-n.scope"},
		{name: "cgroupfs root slice long", path: "-.slice:pfx:n", want: "/pfx-n.scope"},
		{name: "cgroupfs empty slice", path: ":pfx:n", want: "/system.slice/pfx-n.scope"},
		{name: "cgroupfs name is slice", path: "a.slice:pfx:a-b.slice", want: "/a.slice/a-b.slice"},
		{name: "cgroupfs empty prefix", path: "a.slice::n", want: "/a.slice/n.scope"},
		{name: "cgroupfs bad slice", path: "a--b.slice:p:n", wantErr: "empty component"},
		{name: "cgroupfs slice without suffix", path: "machine:p:n", wantErr: "invalid slice name"},
		{name: "cgroupfs empty name", path: "a.slice:p:", wantErr: "empty unit name"},
		{name: "systemd default", path: "", systemd: true, want: "/system.slice/exec2-oci-c1.scope"},
		{name: "systemd form", path: "kubepods-besteffort.slice:cri-containerd:abc", systemd: true,
			want: "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-abc.scope"},
		{name: "systemd root slice", path: "-:p:n", systemd: true, want: "/p-n.scope"},
		{name: "systemd with path", path: "/a/b", systemd: true, wantErr: "slice:prefix:name"},
		{name: "systemd two parts", path: "a.slice:n", systemd: true, wantErr: "slice:prefix:name"},
		{name: "systemd four parts", path: "a.slice:p:n:x", systemd: true, wantErr: "slice:prefix:name"},
		{name: "systemd slash in slice", path: "a/b.slice:p:n", systemd: true, wantErr: "invalid slice name"},
		{name: "systemd slash in name", path: "a.slice:p:n/x", systemd: true, wantErr: "must not contain '/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolvePath(tt.path, "c1", tt.systemd)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("resolvePath(%q) = %q, %v; want error containing %q", tt.path, got, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.path) {
					t.Errorf("error %q does not name the input %q", err, tt.path)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("resolvePath(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
			}
		})
	}
}

func TestResolvePathBadID(t *testing.T) {
	for _, id := range []string{"", "a/b", "..", "a:b"} {
		if _, err := resolvePath("", id, false); err == nil {
			t.Errorf("resolvePath with id %q: want error", id)
		}
	}
}

func TestExpandSlice(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "-", want: "/"},
		{in: "-.slice", want: "/"},
		{in: "system.slice", want: "/system.slice"},
		{in: "a-b-c.slice", want: "/a.slice/a-b.slice/a-b-c.slice"},
		{in: "a-.slice", wantErr: true},
		{in: "-a.slice", wantErr: true},
		{in: ".slice", wantErr: true},
		{in: "a", wantErr: true},
		{in: "a/b.slice", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ExpandSlice(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ExpandSlice(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestResolve(t *testing.T) {
	oldMode, oldSystemd := hostMode, systemdRunning
	t.Cleanup(func() { hostMode, systemdRunning = oldMode, oldSystemd })

	hostMode = func() (string, error) { return ModeV2, nil }
	systemdRunning = func() bool { return false }
	s, err := Resolve("", "c1", false)
	if err != nil || s != (Saved{Driver: DriverCgroupfs, Mode: ModeV2, Path: "/exec2-oci/c1"}) {
		t.Fatalf("Resolve cgroupfs = %+v, %v", s, err)
	}
	if _, err := Resolve("a.slice:p:n", "c1", true); !errors.Is(err, ErrSystemdNotRunning) {
		t.Fatalf("Resolve systemd without systemd: err = %v, want ErrSystemdNotRunning", err)
	}

	systemdRunning = func() bool { return true }
	hostMode = func() (string, error) { return ModeV1, nil }
	s, err = Resolve("a.slice:p:n", "c1", true)
	if err != nil || s != (Saved{Driver: DriverSystemd, Mode: ModeV1, Path: "/a.slice/p-n.scope"}) {
		t.Fatalf("Resolve systemd = %+v, %v", s, err)
	}

	hostMode = func() (string, error) { return "", ErrNoCgroups }
	if _, err := Resolve("", "c1", false); !errors.Is(err, ErrNoCgroups) {
		t.Fatalf("Resolve without cgroups: err = %v", err)
	}
}

func TestUnitAndSlice(t *testing.T) {
	if got := unitName("/a.slice/a-b.slice/p-n.scope"); got != "p-n.scope" {
		t.Errorf("unitName = %q", got)
	}
	if got := sliceOf("/a.slice/a-b.slice/p-n.scope"); got != "a-b.slice" {
		t.Errorf("sliceOf = %q", got)
	}
	if got := sliceOf("/p-n.scope"); got != "-.slice" {
		t.Errorf("sliceOf root = %q", got)
	}
}
