package libexec2

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/initproc"
	"github.com/exec2-oci/exec2-oci/libexec2/plan"
)

var cloneFlags = map[specs.LinuxNamespaceType]uintptr{
	specs.PIDNamespace:     unix.CLONE_NEWPID,
	specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.IPCNamespace:     unix.CLONE_NEWIPC,
	specs.UTSNamespace:     unix.CLONE_NEWUTS,
	specs.MountNamespace:   unix.CLONE_NEWNS,
	// The cgroup namespace is unshared by the init once it is in its
	// cgroup (on v1 hosts it joins only after the clone).
}

var nsTypes = map[specs.LinuxNamespaceType]int{
	specs.PIDNamespace: unix.CLONE_NEWPID, specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.IPCNamespace: unix.CLONE_NEWIPC, specs.UTSNamespace: unix.CLONE_NEWUTS,
	specs.CgroupNamespace: unix.CLONE_NEWCGROUP,
}

// spawned is an init process between clone and ready.
type spawned struct {
	proc *os.Process
	conn *os.File
}

func (s *spawned) kill() {
	s.proc.Kill()
	s.proc.Wait()
}

// initErr turns "the init hung up" into its exit status.
func (s *spawned) initErr(err error) error {
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	ps, werr := s.proc.Wait()
	if werr != nil {
		return fmt.Errorf("container init exited before it was ready")
	}
	return fmt.Errorf("container init exited before it was ready: %s", ps)
}

// spawn starts "/proc/self/exe init" in the container's namespaces and
// cgroup. The fd layout of the init: 0-2 stdio, 3.. the fds passed on to the
// program (socket activation, then --preserve-fds), then the sync socket,
// the state directory and the console socket.
func (c *Container) spawn(p *plan.Plan, o CreateOpts) (*spawned, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create sync socket: %w", err)
	}
	parent, child := os.NewFile(uintptr(pair[0]), "sync"), os.NewFile(uintptr(pair[1]), "sync-child")
	defer child.Close()
	sdFD, err := unix.Open(c.dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		parent.Close()
		return nil, fmt.Errorf("open state dir: %w", err)
	}
	stateDir := os.NewFile(uintptr(sdFD), "statedir")
	defer stateDir.Close()

	listen := listenFDs()
	extra, err := passedFDs(listen + o.PreserveFDs)
	if err != nil {
		parent.Close()
		return nil, err
	}
	n := len(extra)
	env := []string{
		initproc.EnvSync + "=" + strconv.Itoa(3+n),
		initproc.EnvStateDir + "=" + strconv.Itoa(4+n),
		initproc.EnvPreserve + "=" + strconv.Itoa(n),
		initproc.EnvListenFDs + "=" + strconv.Itoa(listen),
	}
	extra = append(extra, child, stateDir)
	cmd := &exec.Cmd{Path: "/proc/self/exe", Args: []string{"exec2-oci", "init"}, Env: env}
	attr := &unix.SysProcAttr{Setsid: true}
	if p.Process.Terminal {
		console, err := consoleConn(o)
		if err != nil {
			parent.Close()
			return nil, err
		}
		defer console.Close()
		extra = append(extra, console)
		cmd.Env = append(cmd.Env, initproc.EnvConsole+"="+strconv.Itoa(5+n))
	} else {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = orStd(o.Stdio[0], os.Stdin), orStd(o.Stdio[1], os.Stdout), orStd(o.Stdio[2], os.Stderr)
	}
	cmd.ExtraFiles = extra
	joins, err := namespaceAttrs(p, attr)
	if err != nil {
		parent.Close()
		return nil, err
	}
	cgfd, v2, err := c.cg.CloneFD()
	if err != nil {
		parent.Close()
		return nil, fmt.Errorf("open cgroup %s: %w", c.state.Cgroup.Path, err)
	}
	if v2 {
		defer unix.Close(cgfd)
		attr.UseCgroupFD, attr.CgroupFD = true, cgfd
	}
	cmd.SysProcAttr = attr
	if err := startIn(cmd, joins); err != nil {
		parent.Close()
		return nil, fmt.Errorf("start container init: %w", err)
	}
	sp := &spawned{proc: cmd.Process, conn: parent}
	if !v2 {
		if err := c.cg.Add(cmd.Process.Pid); err != nil {
			sp.kill()
			parent.Close()
			return nil, err
		}
	}
	c.init = cmd.Process
	c.state.Pid = cmd.Process.Pid
	if _, start, err := procStat(cmd.Process.Pid); err == nil {
		c.state.PidStart = start
	}
	return sp, nil
}

func orStd(f, def *os.File) *os.File {
	if f != nil {
		return f
	}
	return def
}

// namespaceAttrs sets clone flags for new namespaces and opens the ones to
// join.
func namespaceAttrs(p *plan.Plan, attr *unix.SysProcAttr) ([]nsJoin, error) {
	var joins []nsJoin
	for _, ns := range p.Namespaces {
		if ns.Path == "" {
			attr.Cloneflags |= cloneFlags[ns.Type]
			continue
		}
		fd, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			for _, j := range joins {
				unix.Close(j.fd)
			}
			return nil, fmt.Errorf("open %s namespace %s: %w", ns.Type, ns.Path, err)
		}
		joins = append(joins, nsJoin{fd: fd, typ: nsTypes[ns.Type], path: ns.Path})
	}
	return joins, nil
}

type nsJoin struct {
	fd   int
	typ  int
	path string
}

// startIn forks the init from a thread that first joined the namespaces to
// join: a child inherits its forking thread's namespaces. The thread is
// never unlocked, so Go discards it instead of reusing it elsewhere.
func startIn(cmd *exec.Cmd, joins []nsJoin) error {
	if len(joins) == 0 {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		for _, j := range joins {
			err := unix.Setns(j.fd, j.typ)
			unix.Close(j.fd)
			if err != nil {
				errc <- fmt.Errorf("join namespace %s: %w", j.path, err)
				return
			}
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

// listenFDs is the number of socket-activation fds meant for us.
func listenFDs() int {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return 0
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func passedFDs(n int) ([]*os.File, error) {
	files := make([]*os.File, 0, n)
	for fd := 3; fd < 3+n; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("preserve fd %d: %w", fd, err)
		}
		files = append(files, os.NewFile(uintptr(fd), "fd"+strconv.Itoa(fd)))
	}
	return files, nil
}

func consoleConn(o CreateOpts) (*os.File, error) {
	if o.Console != nil {
		return o.Console, nil
	}
	conn, err := net.Dial("unix", o.ConsoleSocket)
	if err != nil {
		return nil, fmt.Errorf("connect console socket %s: %w", o.ConsoleSocket, err)
	}
	defer conn.Close()
	f, err := conn.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("console socket %s: %w", o.ConsoleSocket, err)
	}
	return f, nil
}
