package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var listCommand = &cli.Command{
	Name:  "list",
	Usage: "list the containers under --root",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only ids"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0, true); err != nil {
			return err
		}
		root, err := stateRoot(ctx)
		if err != nil {
			return err
		}
		states, err := libexec2.List(root, logEntry(""))
		// The default root not existing yet just means no containers.
		if err != nil && errors.Is(err, os.ErrNotExist) && !ctx.IsSet("root") {
			states, err = nil, nil
		}
		if err != nil {
			return err
		}
		switch {
		case ctx.Bool("quiet"):
			for _, s := range states {
				fmt.Println(s.ID)
			}
		case ctx.String("format") == "json":
			if states == nil {
				states = []libexec2.OCIState{}
			}
			return json.NewEncoder(os.Stdout).Encode(states)
		case ctx.String("format") == "table":
			w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
			fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range states {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created, s.Owner)
			}
			return w.Flush()
		default:
			return fmt.Errorf("invalid format %q (want table or json)", ctx.String("format"))
		}
		return nil
	},
}
