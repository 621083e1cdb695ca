package libexec2

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/hooks"
)

// Start lets the init exec the program: opening the exec fifo for reading
// unblocks the init's write; the byte it writes proves it is past the wait.
// Then the fifo is removed (the status becomes running) and poststart hooks
// run; if one fails the container is killed.
func (c *Container) Start() error {
	if err := requireStatus("start", c.state.ID, c.Status()); err != nil {
		return err
	}
	fifo := filepath.Join(c.dir, fifoName)
	fd, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer unix.Close(fd)
	if err := c.awaitFifo(fd); err != nil {
		return err
	}
	if err := os.Remove(fifo); err != nil {
		return fmt.Errorf("remove exec fifo: %w", err)
	}
	if c.state.Hooks != nil {
		st := c.specState(specs.StateRunning, c.state.Pid)
		if err := hooks.Run("poststart", c.state.Hooks.Poststart, st); err != nil {
			c.killInit(unix.SIGKILL)
			return err
		}
	}
	return nil
}

// awaitFifo waits for the init's byte, or for the init to die (pidfd).
func (c *Container) awaitFifo(fd int) error {
	pidfd, err := c.pidfd()
	if err != nil {
		return err
	}
	defer unix.Close(pidfd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("wait for exec fifo: %w", err)
		}
		if fds[0].Revents&unix.POLLIN != 0 {
			var b [1]byte
			n, err := unix.Read(fd, b[:])
			if err == nil && n == 1 {
				return nil
			}
		}
		if fds[1].Revents != 0 {
			return errors.New("exec fifo is empty: container init exited before start")
		}
	}
}

// pidfd opens a pidfd on the init after checking the pid still names it.
func (c *Container) pidfd() (int, error) {
	fd, err := unix.PidfdOpen(c.state.Pid, 0)
	if err != nil {
		return -1, fmt.Errorf("open pidfd %d: %w", c.state.Pid, ErrNotRunning)
	}
	if !processAlive(c.state.Pid, c.state.PidStart) {
		unix.Close(fd)
		return -1, ErrNotRunning
	}
	return fd, nil
}

// killInit signals the init through a pidfd, immune to pid reuse.
func (c *Container) killInit(sig unix.Signal) error {
	fd, err := c.pidfd()
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return ErrNotRunning
		}
		return fmt.Errorf("signal init %d: %w", c.state.Pid, err)
	}
	return nil
}
