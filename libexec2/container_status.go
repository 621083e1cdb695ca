package libexec2

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Status derives the status from the kernel, never from disk: stopped if the
// init is gone (or its pid now belongs to another process), paused if the
// cgroup is frozen, created while the exec fifo exists, else running.
func (c *Container) Status() Status {
	if !processAlive(c.state.Pid, c.state.PidStart) {
		return Stopped
	}
	if cg, err := c.cgroup(); err == nil {
		if frozen, err := cg.Frozen(); err == nil && frozen {
			return Paused
		}
	}
	if _, err := os.Lstat(filepath.Join(c.dir, fifoName)); err == nil {
		return Created
	}
	return Running
}

// OCIState is the runtime-spec state object plus runc's extra fields, as
// `state` and `list --format json` print it.
type OCIState struct {
	specs.State
	// Pid shadows specs.State's omitempty pid: runc prints "pid": 0 once
	// the container has stopped, and clients read it.
	Pid     int    `json:"pid"`
	Rootfs  string `json:"rootfs"`
	Created string `json:"created"`
	Owner   string `json:"owner"`
}

// OCIState reports the container as clients expect it; pid is 0 once stopped.
func (c *Container) OCIState() OCIState {
	s := c.Status()
	st := OCIState{
		State: specs.State{
			Version:     c.state.OCIVersion,
			ID:          c.state.ID,
			Status:      s,
			Bundle:      c.state.Bundle,
			Annotations: c.state.Annotations,
		},
		Rootfs:  c.state.Rootfs,
		Created: c.state.Created.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"),
		Owner:   ownerName(c.state.Owner),
	}
	if s != Stopped {
		st.Pid = c.state.Pid
	}
	return st
}

func (c *Container) specState(status Status, pid int) *specs.State {
	return &specs.State{
		Version:     c.state.OCIVersion,
		ID:          c.state.ID,
		Status:      status,
		Pid:         pid,
		Bundle:      c.state.Bundle,
		Annotations: c.state.Annotations,
	}
}

func ownerName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return fmt.Sprintf("#%d", uid)
}

// processAlive checks pid is a live (non-zombie) process started at the
// recorded clock tick, which guards against pid reuse.
func processAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	state, st, err := procStat(pid)
	if err != nil {
		return false
	}
	return state != 'Z' && state != 'X' && (start == 0 || st == start)
}

// procStat returns the state letter and start time (field 22) of pid.
func procStat(pid int) (byte, uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name may contain spaces and parentheses: fields start
	// after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := bytes.Fields(data[i+2:])
	if len(fields) < 20 {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	start, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
	}
	return fields[0][0], start, nil
}
