package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2/hostcheck"
)

var checkCommand = &cli.Command{
	Name:  "check",
	Usage: "fingerprint the host: kernel, Landlock ABI, cgroups, namespaces; fails when a hard requirement is missing",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "output format: text or json"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0, true); err != nil {
			return err
		}
		format := ctx.String("format")
		if format != "text" && format != "json" {
			return fmt.Errorf("--format %q: want text or json", format)
		}
		opts, err := unveilOptions(ctx)
		if err != nil {
			return err
		}
		r := hostcheck.Run(hostcheck.Options{AllowUnconfined: opts.AllowUnconfined})
		if format == "json" {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "    ")
			err = enc.Encode(r)
		} else {
			err = r.WriteText(os.Stdout)
		}
		if err != nil {
			return fmt.Errorf("write check report: %w", err)
		}
		return r.Err()
	},
}
