package libexec2

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Signal sends sig to the container's init, or with all to every process in
// its cgroup. SIGKILL to a container without its own PID namespace kills
// the whole cgroup: its other processes would otherwise outlive the init
// and keep a client's pipes open.
func (c *Container) Signal(sig unix.Signal, all bool) error {
	s := c.Status()
	if s == Stopped && all {
		return nil
	}
	if err := requireStatus("kill", c.state.ID, s); err != nil {
		return err
	}
	if all || sig == unix.SIGKILL && !c.state.OwnPIDNS {
		cg, err := c.cgroup()
		if err != nil {
			return err
		}
		if sig == unix.SIGKILL {
			return cg.KillAll()
		}
		return cg.Signal(sig)
	}
	err := c.killInit(sig)
	if errors.Is(err, ErrNotRunning) {
		return &StatusError{Op: "kill", ID: c.state.ID, Status: Stopped}
	}
	return err
}
