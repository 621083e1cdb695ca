package main

import (
	"os"
	"os/signal"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var runCommand = &cli.Command{
	Name:      "run",
	Usage:     "create and start a container; in the foreground, wait and exit with its status",
	ArgsUsage: "<container-id>",
	Flags: append(createFlags[:len(createFlags)-1:len(createFlags)-1],
		&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the program runs"},
		&cli.BoolFlag{Name: "keep", Usage: "keep the container's state after it exits"},
		&cli.BoolFlag{Name: "no-subreaper", Usage: "do not reap the container's orphans"},
	),
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, true); err != nil {
			return err
		}
		if ctx.Bool("detach") {
			c, err := createContainer(ctx, libexec2.CreateOpts{})
			if err != nil {
				return err
			}
			defer c.Close()
			if err := c.Start(); err != nil {
				c.Delete(true)
				return err
			}
			return nil
		}
		return runForeground(ctx)
	},
}

// runForeground owns the program for its whole life: it reaps it (and, as
// subreaper, its orphans), forwards signals, proxies a terminal, then
// removes the container and returns the program's status.
func runForeground(ctx *cli.Context) error {
	if !ctx.Bool("no-subreaper") {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return err
		}
	}
	// Registered before the init exists, so no SIGCHLD can be missed.
	sigc := make(chan os.Signal, 128)
	signal.Notify(sigc)
	defer signal.Stop(sigc)

	var o libexec2.CreateOpts
	var tty *ttyProxy
	spec, err := loadSpec(ctx.String("bundle"))
	if err != nil {
		return err
	}
	if spec.Process != nil && spec.Process.Terminal && ctx.String("console-socket") == "" {
		if tty, err = newTTYProxy(); err != nil {
			return err
		}
		defer tty.Close()
		o.Console = tty.remote
	}
	c, err := createContainer(ctx, o)
	if err != nil {
		return err
	}
	pid := c.Pid()
	if tty != nil {
		if err := tty.Attach(); err != nil {
			c.Delete(true)
			c.Close()
			return err
		}
	}
	if err := c.Start(); err != nil {
		c.Delete(true)
		c.Close()
		return err
	}
	// Release the lock while waiting: state, kill and exec must work.
	c.Close()
	status := waitProgram(sigc, pid, tty)
	if tty != nil {
		tty.Drain()
	}
	if c, err := loadContainer(ctx); err == nil {
		if n, err := c.OOMKills(); err == nil && n > 0 {
			logrus.WithField("id", c.ID()).Errorf("container killed by the OOM killer (%d oom kill(s))", n)
		}
		if !ctx.Bool("keep") {
			c.Delete(true)
		}
		c.Close()
	}
	return &exitStatus{code: status}
}

// waitProgram forwards signals to pid and reaps children until pid exits,
// returning its exit status (128+N when killed by signal N).
func waitProgram(sigc chan os.Signal, pid int, tty *ttyProxy) int {
	for sig := range sigc {
		switch sig {
		case unix.SIGCHLD:
			if status, done := reap(pid); done {
				return status
			}
		case unix.SIGWINCH:
			if tty != nil {
				tty.Resize()
			}
		case unix.SIGURG, unix.SIGPIPE:
			// SIGURG is the Go runtime's own preemption signal.
		default:
			unix.Kill(pid, sig.(unix.Signal))
		}
	}
	return 1
}

func reap(pid int) (int, bool) {
	for {
		var ws unix.WaitStatus
		p, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if p <= 0 || err != nil {
			return 0, false
		}
		if p != pid {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal()), true
		}
		return ws.ExitStatus(), true
	}
}
