package libexec2

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Status is the runtime-spec container state. Paused is runc's extension.
type Status = specs.ContainerState

const (
	Created Status = specs.StateCreated
	Running Status = specs.StateRunning
	Stopped Status = specs.StateStopped
	Paused  Status = "paused"
)

// allowed is the one table of which verb may run in which status.
var allowed = map[string][]Status{
	"start":  {Created},
	"kill":   {Created, Running, Paused},
	"pause":  {Created, Running},
	"resume": {Paused},
	"update": {Created, Running, Paused},
	"exec":   {Created, Running},
	"delete": {Created, Stopped},
	"ps":     {Created, Running, Paused},
	"events": {Created, Running, Paused},
}

// Can reports whether op is legal in status s.
func Can(op string, s Status) bool {
	for _, a := range allowed[op] {
		if a == s {
			return true
		}
	}
	return false
}

// requireStatus returns a *StatusError unless op is legal in status s.
func requireStatus(op, id string, s Status) error {
	if Can(op, s) {
		return nil
	}
	if op == "resume" {
		return ErrNotPaused
	}
	return &StatusError{Op: op, ID: id, Status: s}
}
