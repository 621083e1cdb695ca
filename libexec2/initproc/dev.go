package initproc

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

type devNode struct {
	name         string
	major, minor uint32
}

// defaultDevices are the nodes every container gets in a tmpfs /dev.
var defaultDevices = []devNode{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

var devLinks = [][2]string{
	{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}, {"/proc/kcore", "core"},
}

func (in *stage) populateDev(rootFD int) error {
	dev, err := openDir(rootFD, "/dev")
	if err != nil {
		return err
	}
	defer unix.Close(dev)
	for _, d := range defaultDevices {
		if err := mknod(dev, d.name, unix.S_IFCHR|0o666, d.major, d.minor); err != nil {
			return err
		}
	}
	for _, l := range devLinks {
		if err := unix.Symlinkat(l[0], dev, l[1]); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("symlink /dev/%s: %w", l[1], err)
		}
	}
	for _, d := range []string{"pts", "shm", "mqueue"} {
		if err := unix.Mkdirat(dev, d, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("mkdir /dev/%s: %w", d, err)
		}
	}
	return nil
}

// devices creates linux.devices nodes, owned as the spec says.
func (in *stage) devices(rootFD int) error {
	for _, d := range in.p.Devices {
		var typ uint32
		switch d.Type {
		case "c", "u":
			typ = unix.S_IFCHR
		case "b":
			typ = unix.S_IFBLK
		case "p":
			typ = unix.S_IFIFO
		default:
			return fmt.Errorf("linux.devices %s: unknown type %q", d.Path, d.Type)
		}
		mode := uint32(0o666)
		if d.FileMode != nil {
			mode = uint32(*d.FileMode) & 0o7777
		}
		fd, err := openInRoot(rootFD, filepath.Dir(d.Path), true)
		if err != nil {
			return err
		}
		parent, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("open parent of %s: %w", d.Path, err)
		}
		base := filepath.Base(d.Path)
		err = mknod(parent, base, typ|mode, uint32(d.Major), uint32(d.Minor))
		if err == nil && (d.UID != nil || d.GID != nil) {
			uid, gid := -1, -1
			if d.UID != nil {
				uid = int(*d.UID)
			}
			if d.GID != nil {
				gid = int(*d.GID)
			}
			err = unix.Fchownat(parent, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
		}
		unix.Close(parent)
		if err != nil {
			return fmt.Errorf("create device %s: %w", d.Path, err)
		}
	}
	return nil
}

func mknod(dir int, name string, mode, major, minor uint32) error {
	unix.Unlinkat(dir, name, 0)
	if err := unix.Mknodat(dir, name, mode, int(unix.Mkdev(major, minor))); err != nil {
		return fmt.Errorf("mknod %s: %w", name, err)
	}
	// mknod is subject to the umask; the spec's mode is what counts.
	return unix.Fchmodat(dir, name, mode&0o7777, 0)
}

func openDir(rootFD int, path string) (int, error) {
	fd, err := openInRoot(rootFD, path, true)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fd)
	d, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open %s: %w", path, err)
	}
	return d, nil
}

// maskPaths hides linux.maskedPaths: /dev/null over files, an empty
// read-only tmpfs over directories. Paths that do not exist are skipped.
func maskPaths(rootFD int, paths []string) error {
	for _, p := range paths {
		fd, isDir, err := openExisting(rootFD, p)
		if err != nil {
			return err
		}
		if fd < 0 {
			continue
		}
		if isDir {
			err = unix.Mount("tmpfs", fdPath(fd), "tmpfs", unix.MS_RDONLY, "size=0")
		} else {
			err = unix.Mount("/dev/null", fdPath(fd), "", unix.MS_BIND, "")
		}
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	return nil
}

func readonlyPaths(rootFD int, paths []string) error {
	for _, p := range paths {
		fd, _, err := openExisting(rootFD, p)
		if err != nil {
			return err
		}
		if fd < 0 {
			continue
		}
		err = unix.Mount(fdPath(fd), fdPath(fd), "", unix.MS_BIND|unix.MS_REC, "")
		unix.Close(fd)
		if err == nil {
			fd, _, err = openExisting(rootFD, p)
			if err == nil {
				err = unix.Mount("", fdPath(fd), "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
				unix.Close(fd)
			}
		}
		if err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
	}
	return nil
}

// openExisting resolves p in the rootfs without creating it; fd is -1 when
// p does not exist.
func openExisting(rootFD int, p string) (fd int, isDir bool, err error) {
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	fd, err = unix.Openat2(rootFD, p, how)
	if errors.Is(err, unix.ENOENT) {
		return -1, false, nil
	}
	if err != nil {
		return -1, false, fmt.Errorf("resolve %s in rootfs: %w", p, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, false, fmt.Errorf("stat %s: %w", p, err)
	}
	return fd, st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}
