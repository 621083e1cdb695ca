package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
	"github.com/exec2-oci/exec2-oci/libexec2/cgroups"
)

// event is runc's events line: {"type":"stats"|"oom","id":…,"data":…}.
type event struct {
	Type string         `json:"type"`
	ID   string         `json:"id"`
	Data *cgroups.Stats `json:"data,omitempty"`
}

var eventsCommand = &cli.Command{
	Name:      "events",
	Usage:     "print a container's resource usage and OOM events as JSON lines",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.DurationFlag{Name: "interval", Value: 5 * time.Second, Usage: "time between stats lines"},
		&cli.BoolFlag{Name: "stats", Usage: "print one stats line and exit"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, true); err != nil {
			return err
		}
		interval := ctx.Duration("interval")
		if interval <= 0 {
			return errors.New("duration interval must be greater than 0")
		}
		id := ctx.Args().First()
		enc := json.NewEncoder(os.Stdout)
		var lastOOM uint64
		for first := true; ; first = false {
			st, ooms, err := sample(ctx)
			if err != nil {
				if !first && errors.Is(err, libexec2.ErrNotRunning) {
					return nil // the container is gone: the stream ends
				}
				if errors.Is(err, libexec2.ErrNotRunning) {
					return fmt.Errorf("container with id %s is not running", id)
				}
				return err
			}
			if !first && ooms > lastOOM {
				if err := enc.Encode(event{Type: "oom", ID: id}); err != nil {
					return err
				}
			}
			lastOOM = ooms
			if err := enc.Encode(event{Type: "stats", ID: id, Data: st}); err != nil {
				return err
			}
			if ctx.Bool("stats") {
				return nil
			}
			time.Sleep(interval)
		}
	},
}

// sample loads the container afresh each time so its lock is not held
// between samples.
func sample(ctx *cli.Context) (*cgroups.Stats, uint64, error) {
	c, err := loadContainer(ctx)
	if errors.Is(err, libexec2.ErrNotExist) {
		return nil, 0, libexec2.ErrNotRunning
	}
	if err != nil {
		return nil, 0, err
	}
	defer c.Close()
	return c.Stats()
}
