package unveil

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
	"kernel.org/pub/linux/libs/security/libcap/psx"
)

// First Landlock ABI of each right go-landlock cannot express.
const (
	netABI   = 4 // TCP bind and connect (Linux 6.7)
	ioctlABI = 5 // ioctl on character and block devices (Linux 6.10)
	scopeABI = 6 // signal and abstract unix socket scoping (Linux 6.12)
)

// landlockRuleNetPort is LANDLOCK_RULE_NET_PORT, which x/sys lacks.
const landlockRuleNetPort = 2

// netPortAttr is struct landlock_net_port_attr.
type netPortAttr struct {
	allowedAccess uint64
	port          uint64
}

// layer is the second Landlock layer, stacked on go-landlock's: device
// ioctls, TCP ports and scopes. Each layer restricts on its own, so this
// one takes rights away without granting any the first one refused.
type layer struct {
	fs, net, scoped uint64
	ioctl           []entry    // paths granted LANDLOCK_ACCESS_FS_IOCTL_DEV
	ports           []PortRule // allowed TCP ports
}

// layer decides the second layer for the detected ABI; zero handles
// nothing and is not applied.
func (p *Prepared) layer() layer {
	var l layer
	if p.abi >= ioctlABI {
		l.fs = unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
		for _, e := range p.entries {
			if e.ioctl {
				l.ioctl = append(l.ioctl, e)
			}
		}
	}
	if p.abi >= netABI && p.net != nil {
		l.net = unix.LANDLOCK_ACCESS_NET_BIND_TCP | unix.LANDLOCK_ACCESS_NET_CONNECT_TCP
		l.ports = p.net.TCP
	}
	if p.abi >= scopeABI {
		l.scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
	}
	return l
}

func (l layer) empty() bool { return l.fs == 0 && l.net == 0 && l.scoped == 0 }

// attrSize is the size of struct landlock_ruleset_attr up to the last
// field in use: unix.LandlockRulesetAttr has grown fields that older
// kernels reject when the size covers them.
func (l layer) attrSize() uintptr {
	switch {
	case l.scoped != 0:
		return 24
	case l.net != 0:
		return 16
	default:
		return 8
	}
}

// restrict creates the layer's ruleset, adds its rules and restricts every
// OS thread of the process with it through psx, as go-landlock does.
func (l layer) restrict() error {
	attr := unix.LandlockRulesetAttr{Handled_access_fs: l.fs, Handled_access_net: l.net, Scoped: l.scoped}
	fd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), l.attrSize(), 0)
	if e != 0 {
		return fmt.Errorf("create landlock ruleset: %w", e)
	}
	defer unix.Close(int(fd))
	for _, en := range l.ioctl {
		if err := addIoctlRule(int(fd), en.Path); err != nil {
			return err
		}
	}
	for _, r := range l.ports {
		access := uint64(unix.LANDLOCK_ACCESS_NET_CONNECT_TCP)
		if r.Action == TCPBind {
			access = unix.LANDLOCK_ACCESS_NET_BIND_TCP
		}
		pa := netPortAttr{allowedAccess: access, port: uint64(r.Port)}
		if _, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, fd, landlockRuleNetPort, uintptr(unsafe.Pointer(&pa)), 0, 0, 0); e != 0 {
			return fmt.Errorf("add landlock tcp rule %s: %w", r, e)
		}
	}
	if _, _, e := psx.Syscall3(unix.SYS_LANDLOCK_RESTRICT_SELF, fd, 0, 0); e != 0 {
		return fmt.Errorf("restrict landlock: %w", e)
	}
	return nil
}

func addIoctlRule(rulesetFD int, path string) error {
	pfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s for its landlock ioctl rule: %w", path, err)
	}
	defer unix.Close(pfd)
	pb := unix.LandlockPathBeneathAttr{Allowed_access: unix.LANDLOCK_ACCESS_FS_IOCTL_DEV, Parent_fd: int32(pfd)}
	if _, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(rulesetFD), unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&pb)), 0, 0, 0); e != 0 {
		return fmt.Errorf("add landlock ioctl rule %s: %w", path, e)
	}
	return nil
}
