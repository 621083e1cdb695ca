// Package initproc is the init stage: the code that runs in the container's
// process, between the runtime's clone and the execve of the program. It is
// entered as "exec2-oci init" on a locked OS thread; every step either
// succeeds or sends its error to the parent over the sync socket.
package initproc

import (
	"fmt"
	"io"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/hooks"
	"github.com/exec2-oci/exec2-oci/libexec2/plan"
	"github.com/exec2-oci/exec2-oci/libexec2/syncmsg"
)

// Environment of the init process: the numbers of the fds the parent passed.
const (
	EnvSync      = "_EXEC2_SYNC_FD"
	EnvStateDir  = "_EXEC2_STATEDIR_FD"
	EnvConsole   = "_EXEC2_CONSOLE_FD"
	EnvPreserve  = "_EXEC2_PRESERVE_FDS" // fds 3..3+n-1 pass to the program
	EnvListenFDs = "_EXEC2_LISTEN_FDS"   // how many of those are socket-activation fds
	FifoName     = "exec.fifo"
)

// stage is the state of one init stage run.
type stage struct {
	p        plan.Plan
	conn     *syncmsg.Conn
	sync     *os.File
	stateDir int
	console  int
	preserve int
	listen   int
	exe      string
	env      []string
	prepared preparedUnveil
}

// Main runs the init stage and never returns: it execs the program or exits.
func Main() {
	in := &stage{stateDir: -1, console: -1}
	if err := in.setup(); err != nil {
		in.fail(err)
	}
	if err := in.waitStart(); err != nil {
		fatal(err)
	}
	fatal(in.exec())
}

// fail reports a pre-ready error to the parent (or stderr if there is none).
func (in *stage) fail(err error) {
	if in.conn != nil && in.conn.Send(syncmsg.Msg{Type: syncmsg.Error, Msg: err.Error()}) == nil {
		os.Exit(1)
	}
	fatal(err)
}

// fatal is for errors after ready: only the program's stderr is left.
func fatal(err error) {
	fmt.Fprintf(os.Stderr, "exec2-oci: %v\n", err)
	code := 1
	if errno, ok := asErrno(err); ok {
		switch errno {
		case unix.ENOENT:
			code = 127
		case unix.EACCES, unix.EPERM, unix.ENOEXEC:
			code = 126
		}
	}
	os.Exit(code)
}

func envFD(name string) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1, fmt.Errorf("parse %s=%q: %w", name, v, err)
	}
	return n, nil
}

func (in *stage) readEnv() error {
	syncFD, err := envFD(EnvSync)
	if err != nil || syncFD < 0 {
		return fmt.Errorf("init: not started by the runtime (%s unset)", EnvSync)
	}
	in.sync = os.NewFile(uintptr(syncFD), "sync")
	in.conn = syncmsg.New(in.sync)
	for _, f := range []struct {
		env string
		dst *int
	}{{EnvStateDir, &in.stateDir}, {EnvConsole, &in.console}, {EnvPreserve, &in.preserve}, {EnvListenFDs, &in.listen}} {
		n, err := envFD(f.env)
		if err != nil {
			return err
		}
		*f.dst = n
	}
	if in.preserve < 0 {
		in.preserve = 0
	}
	if in.listen < 0 {
		in.listen = 0
	}
	// Our own fds arrive without O_CLOEXEC; the program must never see them.
	for _, fd := range []int{syncFD, in.stateDir, in.console} {
		if fd >= 0 {
			unix.CloseOnExec(fd)
		}
	}
	return nil
}

// setup runs every step that can fail before the container is "created".
func (in *stage) setup() error {
	if err := in.readEnv(); err != nil {
		return err
	}
	if err := in.conn.Recv(&in.p); err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	if err := in.namespaces(); err != nil {
		return err
	}
	if err := in.mounts(); err != nil {
		return err
	}
	if err := in.conn.Send(syncmsg.Msg{Type: syncmsg.Hooks}); err != nil {
		return fmt.Errorf("send hooks request: %w", err)
	}
	if err := in.conn.Expect(syncmsg.HooksDone, nil); err != nil {
		return fmt.Errorf("wait for runtime hooks: %w", err)
	}
	if in.p.Hooks != nil {
		if err := hooks.Run("createContainer", in.p.Hooks.CreateContainer, in.state(specs.StateCreating)); err != nil {
			return err
		}
	}
	if err := in.enterRoot(); err != nil {
		return err
	}
	if err := in.terminal(); err != nil {
		return err
	}
	if err := in.resolve(); err != nil {
		return err
	}
	if err := in.prepareUnveil(); err != nil {
		return err
	}
	if err := in.conn.Send(syncmsg.Msg{Type: syncmsg.Ready}); err != nil {
		return fmt.Errorf("send ready: %w", err)
	}
	in.sync.Close()
	in.conn = nil
	return nil
}

// state is the runtime-spec state hooks inside the container see: the pid
// is the container's view of the init.
func (in *stage) state(status specs.ContainerState) *specs.State {
	return &specs.State{
		Version:     in.p.OCIVersion,
		ID:          in.p.ID,
		Status:      status,
		Pid:         os.Getpid(),
		Bundle:      in.p.Bundle,
		Annotations: in.p.Annotations,
	}
}

// waitStart blocks until "exec2-oci start" opens the fifo for reading.
func (in *stage) waitStart() error {
	fd, err := unix.Openat(in.stateDir, FifoName, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	f := os.NewFile(uintptr(fd), FifoName)
	if _, err := io.WriteString(f, "0"); err != nil {
		f.Close()
		return fmt.Errorf("write exec fifo: %w", err)
	}
	f.Close()
	unix.Close(in.stateDir)
	in.stateDir = -1
	if len(in.p.Process.Hooks) > 0 {
		if err := hooks.Run("startContainer", in.p.Process.Hooks, in.state(specs.StateCreated)); err != nil {
			return err
		}
	}
	return nil
}
