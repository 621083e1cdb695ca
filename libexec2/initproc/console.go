package initproc

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// terminal allocates the container's pty (in its own devpts, after the
// chroot), sends the master to the console socket in one SCM_RIGHTS message
// and makes the slave the program's stdio and controlling terminal.
func (in *stage) terminal() error {
	if !in.p.Process.Terminal {
		return nil
	}
	if in.console < 0 {
		return fmt.Errorf("process.terminal: no console socket")
	}
	master, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/ptmx: %w", err)
	}
	defer unix.Close(master)
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unlock pty: %w", err)
	}
	slave, err := ptyPeer(master)
	if err != nil {
		return fmt.Errorf("open pty slave: %w", err)
	}
	defer unix.Close(slave)
	if sz := in.p.Process.ConsoleSize; sz != nil {
		ws := &unix.Winsize{Row: uint16(sz.Height), Col: uint16(sz.Width)}
		if err := unix.IoctlSetWinsize(master, unix.TIOCSWINSZ, ws); err != nil {
			return fmt.Errorf("set console size: %w", err)
		}
	}
	if err := unix.Fchown(slave, int(in.p.Process.UID), int(in.p.Process.GID)); err != nil {
		return fmt.Errorf("chown pty slave: %w", err)
	}
	name := "/dev/ptmx"
	if n, err := unix.IoctlGetInt(master, unix.TIOCGPTN); err == nil {
		name = fmt.Sprintf("/dev/pts/%d", n)
	}
	if err := unix.Sendmsg(in.console, []byte(name), unix.UnixRights(master), nil, 0); err != nil {
		return fmt.Errorf("send pty master to console socket: %w", err)
	}
	unix.Close(in.console)
	in.console = -1
	// The runtime already made the init a session leader (EPERM here);
	// it only needs the pty as its controlling terminal.
	if _, err := unix.Setsid(); err != nil && err != unix.EPERM {
		return fmt.Errorf("setsid: %w", err)
	}
	if err := unix.IoctlSetInt(slave, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup2(slave, fd); err != nil {
			return fmt.Errorf("dup pty slave to fd %d: %w", fd, err)
		}
	}
	return nil
}

// ptyPeer opens the slave through the master (no path lookup that a
// container could redirect); the ioctl takes the open flags as argument.
func ptyPeer(master int) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(master), uintptr(unix.TIOCGPTPEER), uintptr(unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC))
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}
