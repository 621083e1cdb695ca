package libexec2

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/cgroups"
	"github.com/exec2-oci/exec2-oci/libexec2/hooks"
	"github.com/exec2-oci/exec2-oci/libexec2/plan"
	"github.com/exec2-oci/exec2-oci/libexec2/syncmsg"
	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// CreateOpts is what create needs besides the state root.
type CreateOpts struct {
	ID      string
	Bundle  string // absolute
	Spec    *specs.Spec
	Unveil  unveil.Options
	Systemd bool
	// ConsoleSocket is the path of the client's console socket; Console is
	// an already connected one (run's own), used when set.
	ConsoleSocket string
	Console       *os.File
	PreserveFDs   int
	// Stdio is the program's stdin, stdout, stderr when not a terminal;
	// nil entries inherit ours.
	Stdio [3]*os.File
	Log   *logrus.Entry
}

// Create builds the container and leaves its init blocked on the exec fifo.
// On any error everything made so far is removed again.
func Create(root string, o CreateOpts) (_ *Container, retErr error) {
	if err := ValidateID(o.ID); err != nil {
		return nil, err
	}
	p, err := buildPlan(o)
	if err != nil {
		return nil, err
	}
	if o.Log != nil {
		for _, w := range plan.NotApplied(o.Spec) {
			o.Log.Warn(w)
		}
	}
	saved, err := cgroups.Resolve(p.CgroupsPath, o.ID, o.Systemd)
	if err != nil {
		return nil, fmt.Errorf("linux.cgroupsPath: %w", err)
	}
	if err := checkConsole(p, o); err != nil {
		return nil, err
	}
	var cu cleanup
	defer func() {
		if retErr != nil {
			cu.Clean()
		}
	}()
	c, err := newContainerDir(root, o, p, &cu)
	if err != nil {
		return nil, err
	}
	c.state.Cgroup = saved
	cg, err := cgroups.New(saved, p.Resources)
	if err != nil {
		return nil, err
	}
	c.cg = cg
	cu.Add(func() { cg.KillAll(); cg.Delete() })

	sp, err := c.spawn(p, o)
	if err != nil {
		return nil, err
	}
	cu.Add(func() { sp.kill() })
	if err := c.save(); err != nil {
		return nil, err
	}
	if err := c.handshake(sp, p); err != nil {
		return nil, err
	}
	return c, nil
}

func buildPlan(o CreateOpts) (*plan.Plan, error) {
	if o.Spec == nil || o.Spec.Root == nil || o.Spec.Root.Path == "" {
		return plan.FromSpec(o.Spec, plan.Options{ID: o.ID, Bundle: o.Bundle})
	}
	rootfs := o.Spec.Root.Path
	if !filepath.IsAbs(rootfs) {
		rootfs = filepath.Join(o.Bundle, rootfs)
	}
	resolved, err := filepath.EvalSymlinks(rootfs)
	if err != nil {
		return nil, fmt.Errorf("root.path %q: %w", o.Spec.Root.Path, err)
	}
	if st, err := os.Stat(resolved); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("root.path %q: not a directory", o.Spec.Root.Path)
	}
	return plan.FromSpec(o.Spec, plan.Options{ID: o.ID, Bundle: o.Bundle, Rootfs: resolved, Unveil: o.Unveil})
}

func checkConsole(p *plan.Plan, o CreateOpts) error {
	has := o.ConsoleSocket != "" || o.Console != nil
	if p.Process.Terminal && !has {
		return errors.New("cannot allocate tty if runc will detach without setting console socket")
	}
	if !p.Process.Terminal && has {
		return errors.New("cannot use console socket if runc will not detach or allocate tty")
	}
	return nil
}

// newContainerDir claims <root>/<id> (mkdir is the atomic "id is free"
// test), locks it and makes the exec fifo.
func newContainerDir(root string, o CreateOpts, p *plan.Plan, cu *cleanup) (*Container, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create state root %s: %w", root, err)
	}
	dir := filepath.Join(root, o.ID)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("container %q: %w", o.ID, ErrExist)
		}
		return nil, fmt.Errorf("create state dir %s: %w", dir, err)
	}
	cu.Add(func() { os.RemoveAll(dir) })
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	c := &Container{root: root, dir: dir, lock: lock, log: o.Log}
	cu.Add(c.Close)
	fifo := filepath.Join(dir, fifoName)
	if err := unix.Mkfifo(fifo, 0o622); err != nil {
		return nil, fmt.Errorf("create exec fifo: %w", err)
	}
	// mkfifo honours the umask; the init, maybe not root later, must open it.
	if err := os.Chmod(fifo, 0o622); err != nil {
		return nil, fmt.Errorf("chmod exec fifo: %w", err)
	}
	c.state = State{
		OCIVersion:  p.OCIVersion,
		ID:          o.ID,
		Bundle:      o.Bundle,
		Rootfs:      p.Rootfs,
		Mode:        p.Mode,
		Created:     time.Now().UTC(),
		Owner:       os.Geteuid(),
		OwnPIDNS:    p.OwnPIDNamespace(),
		Annotations: p.Annotations,
		Hooks:       p.Hooks,
		Resources:   p.Resources,
	}
	return c, nil
}

// handshake sends the plan, runs the runtime-namespace hooks when the init
// asks, and waits for ready.
func (c *Container) handshake(sp *spawned, p *plan.Plan) error {
	defer sp.conn.Close()
	conn := syncmsg.New(sp.conn)
	logf := func(level, msg string) {
		if c.log != nil {
			lvl, err := logrus.ParseLevel(level)
			if err != nil {
				lvl = logrus.InfoLevel
			}
			c.log.Log(lvl, "init: "+msg)
		}
	}
	if err := conn.Send(p); err != nil {
		return sp.initErr(fmt.Errorf("send plan to init: %w", err))
	}
	if err := conn.Expect(syncmsg.Hooks, logf); err != nil {
		return sp.initErr(err)
	}
	if p.Hooks != nil {
		st := c.specState(specs.StateCreating, c.state.Pid)
		if err := hooks.Run("prestart", p.Hooks.Prestart, st); err != nil {
			return err
		}
		if err := hooks.Run("createRuntime", p.Hooks.CreateRuntime, st); err != nil {
			return err
		}
	}
	if err := conn.Send(syncmsg.Msg{Type: syncmsg.HooksDone}); err != nil {
		return sp.initErr(fmt.Errorf("send hooks-done to init: %w", err))
	}
	if err := conn.Expect(syncmsg.Ready, logf); err != nil {
		return sp.initErr(err)
	}
	return nil
}
