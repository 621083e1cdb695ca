package main

import (
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var createFlags = []cli.Flag{
	&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Value: ".", Usage: "bundle directory"},
	&cli.StringFlag{Name: "console-socket", Usage: "unix socket that receives the pty master (process.terminal)"},
	&cli.StringFlag{Name: "pid-file", Usage: "file to write the container's pid to"},
	&cli.BoolFlag{Name: "no-pivot", Usage: "accepted for runc compatibility: exec2-oci never pivot_roots"},
	&cli.BoolFlag{Name: "no-new-keyring", Usage: "accepted for runc compatibility: exec2-oci makes no session keyring"},
	&cli.IntFlag{Name: "preserve-fds", Usage: "pass N fds beyond stdio (3..3+N-1) to the program"},
	&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Hidden: true},
}

var createCommand = &cli.Command{
	Name:      "create",
	Usage:     "create a container (its program waits for start)",
	ArgsUsage: "<container-id>",
	Flags:     createFlags,
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, true); err != nil {
			return err
		}
		c, err := createContainer(ctx, libexec2.CreateOpts{})
		if err != nil {
			return err
		}
		c.Close()
		return nil
	},
}

// createContainer is create's work, shared with run: it returns the
// container locked, with the pid file written.
func createContainer(ctx *cli.Context, o libexec2.CreateOpts) (*libexec2.Container, error) {
	id := ctx.Args().First()
	if err := libexec2.ValidateID(id); err != nil {
		return nil, err
	}
	root, err := stateRoot(ctx)
	if err != nil {
		return nil, err
	}
	pidFile, err := absPath(ctx.String("pid-file"))
	if err != nil {
		return nil, err
	}
	bundle, err := absPath(ctx.String("bundle"))
	if err != nil {
		return nil, err
	}
	o.ID, o.Bundle = id, bundle
	if o.Spec, err = loadSpec(bundle); err != nil {
		return nil, err
	}
	if o.Unveil, err = unveilOptions(ctx); err != nil {
		return nil, err
	}
	o.ConsoleSocket = ctx.String("console-socket")
	o.PreserveFDs = ctx.Int("preserve-fds")
	o.Systemd = ctx.Bool("systemd-cgroup") || ctx.String("cgroup-manager") == "systemd"
	o.Log = logEntry(id)
	c, err := libexec2.Create(root, o)
	if err != nil {
		return nil, err
	}
	if pidFile != "" {
		if err := libexec2.WritePidFile(pidFile, c.Pid()); err != nil {
			c.Delete(true)
			return nil, err
		}
	}
	return c, nil
}
