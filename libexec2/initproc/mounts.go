package initproc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/plan"
)

const procFlags = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV

// mounts prepares the file-system view inside the private mount namespace:
// a fresh /proc in host-root mode, the kernel file systems and binds of the
// bundle in chroot mode. Propagation becomes slave first, so nothing we
// mount reaches the host while host mounts still reach us.
func (in *stage) mounts() error {
	if !in.p.MountNS {
		return nil
	}
	if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make / rslave: %w", err)
	}
	if in.p.Mode == plan.HostRoot {
		if in.p.MountProc {
			if err := unix.Mount("proc", "/proc", "proc", procFlags, ""); err != nil {
				return fmt.Errorf("mount proc on /proc: %w", err)
			}
		}
		return nil
	}
	return in.rootfs()
}

func (in *stage) rootfs() error {
	root := in.p.Rootfs
	// A bind of the rootfs onto itself makes it a mount point of its own,
	// which root.readonly can remount read-only.
	if err := unix.Mount(root, root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind rootfs %s: %w", root, err)
	}
	rootFD, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %s: %w", root, err)
	}
	defer unix.Close(rootFD)
	devTmpfs := false
	for _, m := range in.p.Mounts {
		if err := mountOne(rootFD, m); err != nil {
			return fmt.Errorf("mount %s on %s: %w", m.Type, m.Destination, err)
		}
		devTmpfs = devTmpfs || m.Destination == "/dev" && m.Type == "tmpfs"
	}
	if devTmpfs {
		if err := in.populateDev(rootFD); err != nil {
			return err
		}
	}
	if err := in.devices(rootFD); err != nil {
		return err
	}
	if err := maskPaths(rootFD, in.p.MaskedPaths); err != nil {
		return err
	}
	if err := readonlyPaths(rootFD, in.p.ReadonlyPaths); err != nil {
		return err
	}
	if in.p.RootReadonly {
		if err := unix.Mount("", root, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("remount rootfs read-only: %w", err)
		}
	}
	return nil
}

func mountOne(rootFD int, m plan.Mount) error {
	if m.Bind() {
		return bindMount(rootFD, m)
	}
	typ, data := m.Type, m.Data
	if typ == "cgroup" {
		// A v1 cgroup tree would need one mount per controller; the unified
		// hierarchy is the only one exposed, read-only as runc does by default.
		if !isCgroup2Host() {
			return nil
		}
		typ = "cgroup2"
	}
	fd, err := openInRoot(rootFD, m.Destination, true)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	src := m.Source
	if src == "" {
		src = typ
	}
	if err := unix.Mount(src, fdPath(fd), typ, m.Flags, data); err != nil {
		return err
	}
	return propagate(fd, m)
}

func bindMount(rootFD int, m plan.Mount) error {
	st, err := os.Stat(m.Source)
	if err != nil {
		return fmt.Errorf("bind source: %w", err)
	}
	fd, err := openInRoot(rootFD, m.Destination, st.IsDir())
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	target := fdPath(fd)
	if err := unix.Mount(m.Source, target, "", m.Flags&(unix.MS_BIND|unix.MS_REC), ""); err != nil {
		return err
	}
	// Per-mount flags of a bind only take effect on a remount. The target is
	// reopened because the fd still names the covered directory.
	if extra := m.Flags &^ (unix.MS_BIND | unix.MS_REC); extra != 0 {
		nfd, err := openInRoot(rootFD, m.Destination, st.IsDir())
		if err != nil {
			return err
		}
		defer unix.Close(nfd)
		if err := unix.Mount("", fdPath(nfd), "", extra|unix.MS_BIND|unix.MS_REMOUNT, ""); err != nil {
			return fmt.Errorf("remount bind: %w", err)
		}
	}
	return propagate(fd, m)
}

func propagate(fd int, m plan.Mount) error {
	if m.Propagation == 0 {
		return nil
	}
	nfd, err := unix.Openat(fd, ".", unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		nfd = fd
	} else {
		defer unix.Close(nfd)
	}
	return unix.Mount("", fdPath(nfd), "", m.Propagation, "")
}

func fdPath(fd int) string { return fmt.Sprintf("/proc/self/fd/%d", fd) }

// openInRoot resolves path inside the rootfs (symlinks cannot leave it),
// creating missing components: directories, and an empty file for the last
// one when dir is false. The returned O_PATH fd names the result.
func openInRoot(rootFD int, path string, dir bool) (int, error) {
	rel := strings.TrimPrefix(filepath.Clean("/"+path), "/")
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	if rel == "" {
		return unix.Openat2(rootFD, ".", how)
	}
	if fd, err := unix.Openat2(rootFD, rel, how); err == nil {
		return fd, nil
	} else if !errors.Is(err, unix.ENOENT) {
		return -1, fmt.Errorf("resolve %s in rootfs: %w", path, err)
	}
	parentRel, base := filepath.Split(rel)
	parent, err := openInRoot(rootFD, parentRel, true)
	if err != nil {
		return -1, err
	}
	defer unix.Close(parent)
	// The parent is an O_PATH fd; reopen it as a real directory to create in.
	pdir, err := unix.Openat(parent, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open %s in rootfs: %w", parentRel, err)
	}
	defer unix.Close(pdir)
	if dir {
		err = unix.Mkdirat(pdir, base, 0o755)
	} else {
		var fd int
		fd, err = unix.Openat(pdir, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		if err == nil {
			unix.Close(fd)
		}
	}
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, fmt.Errorf("create %s in rootfs: %w", path, err)
	}
	return unix.Openat2(rootFD, rel, how)
}

func isCgroup2Host() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}
