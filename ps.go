package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

var psCommand = &cli.Command{
	Name:      "ps",
	Usage:     "list the processes of a container",
	ArgsUsage: "<container-id> [ps options]",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
	},
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, false); err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		pids, err := c.Pids()
		c.Close()
		if err != nil {
			return err
		}
		switch ctx.String("format") {
		case "json":
			if pids == nil {
				pids = []int{}
			}
			return json.NewEncoder(os.Stdout).Encode(pids)
		case "table":
			args := ctx.Args().Slice()[1:]
			if len(args) == 0 {
				args = []string{"-ef"}
			}
			out, err := exec.Command("ps", args...).Output()
			if err != nil {
				return fmt.Errorf("run ps %s: %w", strings.Join(args, " "), err)
			}
			return filterPS(out, pids)
		default:
			return fmt.Errorf("invalid format %q (want table or json)", ctx.String("format"))
		}
	},
}

// filterPS prints ps's header and the lines whose PID column is one of pids.
func filterPS(out []byte, pids []int) error {
	sc := bufio.NewScanner(bytes.NewReader(out))
	if !sc.Scan() {
		return fmt.Errorf("ps printed nothing")
	}
	header := sc.Text()
	col := -1
	for i, f := range strings.Fields(header) {
		if f == "PID" {
			col = i
		}
	}
	if col < 0 {
		return fmt.Errorf("couldn't find PID field in ps output")
	}
	in := map[int]bool{}
	for _, p := range pids {
		in[p] = true
	}
	fmt.Println(header)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) <= col {
			continue
		}
		if p, err := strconv.Atoi(fields[col]); err == nil && in[p] {
			fmt.Println(sc.Text())
		}
	}
	return sc.Err()
}
