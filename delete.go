package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var deleteCommand = &cli.Command{
	Name:      "delete",
	Usage:     "delete a stopped (or, with --force, any) container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill the container first if it is running"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, true); err != nil {
			return err
		}
		force := ctx.Bool("force")
		c, err := loadContainer(ctx)
		if errors.Is(err, libexec2.ErrNotExist) {
			// A create killed half-way leaves a directory without state.
			root, rerr := stateRoot(ctx)
			if rerr != nil {
				return rerr
			}
			if found, rerr := libexec2.RemoveLeftover(root, ctx.Args().First()); rerr != nil || found || force {
				return rerr
			}
		}
		if err != nil {
			return err
		}
		defer c.Close()
		return c.Delete(force)
	},
}
