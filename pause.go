package main

import (
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var pauseCommand = &cli.Command{
	Name:      "pause",
	Usage:     "freeze every process of a container",
	ArgsUsage: "<container-id>",
	Action: withContainer(func(_ *cli.Context, c *libexec2.Container) error {
		return c.Pause()
	}),
}

var resumeCommand = &cli.Command{
	Name:      "resume",
	Usage:     "thaw a paused container",
	ArgsUsage: "<container-id>",
	Action: withContainer(func(_ *cli.Context, c *libexec2.Container) error {
		return c.Resume()
	}),
}
