package unveil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestParseTCP(t *testing.T) {
	tests := []struct {
		in   string
		want []PortRule
		err  string
	}{
		{in: "bind:8080,connect:443", want: []PortRule{{TCPBind, 8080}, {TCPConnect, 443}}},
		{in: " connect:53\nconnect:53 bind:0 ", want: []PortRule{{TCPConnect, 53}, {TCPBind, 0}}},
		{in: "connect:65535", want: []PortRule{{TCPConnect, 65535}}},
		{in: "none", want: []PortRule{}},
		{in: "", err: `tcp rules "": empty (write "none" to deny all TCP bind and connect)`},
		{in: " , ", err: "empty"},
		{in: "none,bind:1", err: `tcp rule "none": want bind:PORT or connect:PORT`},
		{in: "listen:80", err: `tcp rule "listen:80": want bind:PORT or connect:PORT`},
		{in: "connect", err: "want bind:PORT or connect:PORT"},
		{in: "connect:65536", err: `tcp rule "connect:65536": port must be 0-65535`},
		{in: "bind:-1", err: "port must be 0-65535"},
		{in: "bind:http", err: "port must be 0-65535"},
	}
	for _, tt := range tests {
		got, err := ParseTCP(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseTCP(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTCP(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestTranslateNet(t *testing.T) {
	tests := []struct {
		name string
		ann  map[string]string
		want *NetPolicy
		err  string
	}{
		{name: "absent", ann: nil, want: nil},
		{name: "ports", ann: map[string]string{NetAnnotation: "bind:8080,connect:443"},
			want: &NetPolicy{TCP: []PortRule{{TCPBind, 8080}, {TCPConnect, 443}}}},
		{name: "none", ann: map[string]string{NetAnnotation: "none"}, want: &NetPolicy{TCP: []PortRule{}}},
		{name: "invalid", ann: map[string]string{NetAnnotation: "connect:x"},
			err: `annotation org.exec2.net.tcp: tcp rule "connect:x": port must be 0-65535`},
	}
	for _, tt := range tests {
		// Network rules only restrict: by-task off does not refuse them.
		pol, err := Translate(&specs.Spec{Annotations: tt.ann}, Options{HostRoot: true})
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(pol.Net, tt.want) {
			t.Errorf("%s: Net = %+v, want %+v", tt.name, pol.Net, tt.want)
		}
		// The policy crosses to the init as JSON.
		data, err := json.Marshal(pol)
		if err != nil {
			t.Fatal(err)
		}
		var back Policy
		if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back.Net, tt.want) {
			t.Errorf("%s: JSON round trip %s -> %+v, %v", tt.name, data, back.Net, err)
		}
	}
}

func TestGrantsIoctl(t *testing.T) {
	tests := []struct {
		path string
		typ  uint32
		mode string
		want bool
	}{
		{"/dev/null", unix.S_IFCHR, "rw", true},
		{"/srv/disk", unix.S_IFBLK, "r", true},
		{"/dev/null", unix.S_IFCHR, "x", false},
		{"/dev/pts", unix.S_IFDIR, "rw", true},
		{"/dev", unix.S_IFDIR, "r", true},
		{"/device", unix.S_IFDIR, "rw", false},
		{"/", unix.S_IFDIR, "rwxc", false},
		{"/dev/shm/file", unix.S_IFREG, "rw", false},
	}
	for _, tt := range tests {
		if got := grantsIoctl(tt.path, tt.typ, mustMode(tt.mode)); got != tt.want {
			t.Errorf("grantsIoctl(%s, %o, %s) = %v, want %v", tt.path, tt.typ, tt.mode, got, tt.want)
		}
	}
}

func TestLayer(t *testing.T) {
	dev := entry{Rule: Rule{Path: "/dev/null", Mode: "rw"}, ioctl: true}
	dir := entry{Rule: Rule{Path: "/data", Mode: "rwc"}, dir: true}
	tcp := &NetPolicy{TCP: []PortRule{{TCPConnect, 443}}}
	tests := []struct {
		abi       int
		net       *NetPolicy
		fs, nett  uint64
		scoped    bool
		ioctl     []string
		ports     int
		attrSize  uintptr
		wantEmpty bool
	}{
		{abi: 2, net: tcp, wantEmpty: true, attrSize: 8},
		{abi: 3, net: nil, wantEmpty: true, attrSize: 8},
		{abi: 4, net: tcp, nett: 3, ports: 1, attrSize: 16},
		{abi: 4, net: nil, wantEmpty: true, attrSize: 8},
		{abi: 5, net: nil, fs: unix.LANDLOCK_ACCESS_FS_IOCTL_DEV, ioctl: []string{"/dev/null"}, attrSize: 8},
		{abi: 6, net: nil, fs: unix.LANDLOCK_ACCESS_FS_IOCTL_DEV, scoped: true, ioctl: []string{"/dev/null"}, attrSize: 24},
		{abi: 7, net: tcp, fs: unix.LANDLOCK_ACCESS_FS_IOCTL_DEV, nett: 3, scoped: true, ioctl: []string{"/dev/null"}, ports: 1, attrSize: 24},
	}
	for _, tt := range tests {
		p := &Prepared{abi: tt.abi, net: tt.net, entries: []entry{dev, dir}}
		l := p.layer()
		var ioctl []string
		for _, e := range l.ioctl {
			ioctl = append(ioctl, e.Path)
		}
		if l.empty() != tt.wantEmpty || l.fs != tt.fs || l.net != tt.nett || (l.scoped != 0) != tt.scoped ||
			!reflect.DeepEqual(ioctl, tt.ioctl) || len(l.ports) != tt.ports || l.attrSize() != tt.attrSize {
			t.Errorf("ABI %d: layer %+v (size %d)", tt.abi, l, l.attrSize())
		}
	}
}

func TestPrepareNetWarning(t *testing.T) {
	defer func(f func() (int, error)) { detectABI = f }(detectABI)
	for abi, want := range map[int]bool{2: true, 3: true, 4: false, 7: false} {
		detectABI = func() (int, error) { return abi, nil }
		p, err := Prepare(&Policy{Net: &NetPolicy{TCP: []PortRule{}}})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(p.Warnings(), "\n"), NetAnnotation+" is not enforced")
		if got != want {
			t.Errorf("ABI %d: warnings %q, want the TCP warning: %v", abi, p.Warnings(), want)
		}
	}
}

func TestPrepareIoctl(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(&Policy{AllowUnconfined: true, Rules: []Rule{
		{Path: "/dev/null", Mode: "rw"}, {Path: file, Mode: "rw"}, {Path: dir, Mode: "r"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.entries {
		if e.ioctl != (e.Path == "/dev/null") {
			t.Errorf("%s: ioctl %v", e.Path, e.ioctl)
		}
	}
}
