package main

import (
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var startCommand = &cli.Command{
	Name:      "start",
	Usage:     "start a created container: its program begins",
	ArgsUsage: "<container-id>",
	Action: withContainer(func(_ *cli.Context, c *libexec2.Container) error {
		return c.Start()
	}),
}
