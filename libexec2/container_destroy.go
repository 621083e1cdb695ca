package libexec2

import (
	"errors"
	"fmt"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/cgroups"
	"github.com/exec2-oci/exec2-oci/libexec2/hooks"
)

// Delete removes a stopped or created container; force also removes a
// running or paused one, killing it first.
func (c *Container) Delete(force bool) error {
	s := c.Status()
	if !force {
		if err := requireStatus("delete", c.state.ID, s); err != nil {
			return err
		}
	}
	return c.destroy(s)
}

// destroy kills whatever is left, removes the cgroup and the state
// directory, then runs poststop hooks (whose failure is only a warning).
func (c *Container) destroy(s Status) error {
	if s != Stopped || !c.state.OwnPIDNS {
		if err := c.killAll(); err != nil {
			return err
		}
	}
	if err := c.waitInitGone(10 * time.Second); err != nil {
		return err
	}
	if cg, err := c.cgroup(); err == nil {
		if err := cg.Delete(); err != nil {
			return err
		}
	} else if !errors.Is(err, cgroups.ErrNotExist) {
		return err
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("remove state dir %s: %w", c.dir, err)
	}
	c.Close()
	if c.state.Hooks != nil {
		if err := hooks.Run("poststop", c.state.Hooks.Poststop, c.specState(specs.StateStopped, 0)); err != nil && c.log != nil {
			c.log.WithError(err).Warn("poststop hook failed")
		}
	}
	return nil
}

func (c *Container) killAll() error {
	if cg, err := c.cgroup(); err == nil {
		if err := cg.KillAll(); err != nil {
			return err
		}
	}
	if err := c.killInit(unix.SIGKILL); err != nil && !errors.Is(err, ErrNotRunning) {
		return err
	}
	return nil
}

// waitInitGone polls until the init is dead; a zombie counts as dead since
// its parent (shim, conmon) reaps it on its own schedule.
func (c *Container) waitInitGone(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for processAlive(c.state.Pid, c.state.PidStart) {
		if time.Now().After(deadline) {
			return fmt.Errorf("container init still running")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// RemoveLeftover removes <root>/<id> when it holds no state.json, which a
// create killed half-way leaves behind. It reports whether there was one.
func RemoveLeftover(root, id string) (bool, error) {
	if err := ValidateID(id); err != nil {
		return false, err
	}
	dir := root + "/" + id
	if _, err := os.Stat(dir); err != nil {
		return false, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return true, fmt.Errorf("remove leftover %s: %w", dir, err)
	}
	return true, nil
}
