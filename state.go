package main

import (
	"encoding/json"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var stateCommand = &cli.Command{
	Name:      "state",
	Usage:     "print a container's state as runtime-spec JSON",
	ArgsUsage: "<container-id>",
	Action: withContainer(func(_ *cli.Context, c *libexec2.Container) error {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(c.OCIState())
	}),
}
