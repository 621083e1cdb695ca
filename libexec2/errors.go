package libexec2

import (
	"errors"
	"fmt"
)

// Sentinels callers match with errors.Is. Their texts are the phrases clients
// (containerd's shim, podman) look for in runtime error output.
var (
	ErrExist       = errors.New("container with given ID already exists")
	ErrNotExist    = errors.New("container does not exist")
	ErrInvalidID   = errors.New("invalid container ID format")
	ErrNotRunning  = errors.New("container not running")
	ErrNotPaused   = errors.New("container not paused")
	ErrInvalidSpec = errors.New("invalid configuration")
)

// StatusError reports a lifecycle verb refused in the container's current
// status. It matches ErrNotRunning for the verbs that need a live process,
// so callers can test either way.
type StatusError struct {
	Op     string
	ID     string
	Status Status
}

func (e *StatusError) Error() string {
	switch {
	case e.Op == "start" && e.Status == Stopped:
		return "cannot start a container that has stopped"
	case e.Op == "start" && e.Status == Running:
		return "cannot start an already running container"
	case e.Op == "delete":
		return fmt.Sprintf("cannot delete container %s that is not stopped: %s", e.ID, e.Status)
	case e.notRunning():
		return ErrNotRunning.Error()
	}
	return fmt.Sprintf("cannot %s container %s in the %s state", e.Op, e.ID, e.Status)
}

func (e *StatusError) Is(target error) bool {
	return target == ErrNotRunning && e.notRunning()
}

// notRunning: the refusal is runc's "container not running", for a stopped
// container and, as runc says it too, for pausing a paused one.
func (e *StatusError) notRunning() bool {
	return e.Status == Stopped || e.Op == "pause"
}
