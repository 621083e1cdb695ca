package libexec2

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/cgroups"
	"github.com/exec2-oci/exec2-oci/libexec2/plan"
)

const (
	stateFile = "state.json"
	fifoName  = "exec.fifo"
)

// State is what state.json holds: everything later commands need, because
// they arrive without the bundle's config or create's flags.
type State struct {
	OCIVersion  string                `json:"ociVersion"`
	ID          string                `json:"id"`
	Bundle      string                `json:"bundle"`
	Rootfs      string                `json:"rootfs"`
	Mode        plan.RootMode         `json:"mode"`
	Pid         int                   `json:"init_process_pid"`
	PidStart    uint64                `json:"init_process_start"`
	Created     time.Time             `json:"created"`
	Owner       int                   `json:"owner"`
	OwnPIDNS    bool                  `json:"own_pid_namespace"`
	Annotations map[string]string     `json:"annotations,omitempty"`
	Cgroup      cgroups.Saved         `json:"cgroup"`
	Hooks       *specs.Hooks          `json:"hooks,omitempty"`
	Resources   *specs.LinuxResources `json:"resources,omitempty"`
}

// Container is one container under a state root, held locked while open.
type Container struct {
	root  string
	dir   string
	lock  int
	state State
	log   *logrus.Entry
	cg    *cgroups.Manager
	init  *os.Process // set only in the process that created the container
}

// Load opens the container id under root and locks it.
func Load(root, id string, log *logrus.Entry) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	lock, err := lockDir(dir)
	if errors.Is(err, unix.ENOENT) {
		return nil, fmt.Errorf("container %q: %w", id, ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	c := &Container{root: root, dir: dir, lock: lock, log: log}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		c.Close()
		return nil, fmt.Errorf("container %q: %w", id, ErrNotExist)
	}
	if err == nil {
		err = json.Unmarshal(data, &c.state)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("read state of %s: %w", id, err)
	}
	return c, nil
}

// lockDir takes the per-container lock: an exclusive flock on the state
// directory itself, released by the kernel if we die.
func lockDir(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("lock %s: %w", dir, err)
	}
	return fd, nil
}

// Close releases the container's lock.
func (c *Container) Close() {
	if c.lock >= 0 {
		unix.Close(c.lock)
		c.lock = -1
	}
}

// ID returns the container's id.
func (c *Container) ID() string { return c.state.ID }

// Pid returns the init (program) pid recorded at create.
func (c *Container) Pid() int { return c.state.Pid }

// Saved returns the persisted state.
func (c *Container) Saved() State { return c.state }

// Process returns the init process when this process created it (run).
func (c *Container) Process() *os.Process { return c.init }

// save writes state.json atomically: a temp file renamed over the old one.
func (c *Container) save() error {
	data, err := json.Marshal(&c.state)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return writeFileAtomic(filepath.Join(c.dir, stateFile), data, 0o600)
}

// writeFileAtomic writes data to a hidden temp file beside path, syncs it
// and renames it into place.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WritePidFile writes pid as decimal, without a newline, atomically.
func WritePidFile(path string, pid int) error {
	return writeFileAtomic(path, []byte(fmt.Sprint(pid)), 0o644)
}

func (c *Container) cgroup() (*cgroups.Manager, error) {
	if c.cg != nil {
		return c.cg, nil
	}
	cg, err := cgroups.Load(c.state.Cgroup)
	if err != nil {
		return nil, err
	}
	c.cg = cg
	return cg, nil
}
