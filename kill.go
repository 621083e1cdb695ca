package main

import (
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var killCommand = &cli.Command{
	Name:      "kill",
	Usage:     "send a signal (default SIGTERM) to a container's program",
	ArgsUsage: "<container-id> [signal]",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "signal every process in the container's cgroup"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, false); err != nil {
			return err
		}
		if ctx.NArg() > 2 {
			return checkArgs(ctx, 2, true)
		}
		name := "SIGTERM"
		if ctx.NArg() == 2 {
			name = ctx.Args().Get(1)
		}
		sig, err := libexec2.ParseSignal(name)
		if err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Signal(sig, ctx.Bool("all"))
	},
}
