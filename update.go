package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
)

var updateCommand = &cli.Command{
	Name:      "update",
	Usage:     "change the resource limits of a running container",
	ArgsUsage: "<container-id>",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "resources", Aliases: []string{"r"}, Usage: "runtime-spec LinuxResources JSON file, - for stdin (other flags are then ignored)"},
		&cli.StringFlag{Name: "blkio-weight", Usage: "block IO weight, 10-1000"},
		&cli.StringFlag{Name: "cpu-period", Usage: "CPU CFS period in microseconds"},
		&cli.StringFlag{Name: "cpu-quota", Usage: "CPU CFS quota in microseconds"},
		&cli.StringFlag{Name: "cpu-burst", Usage: "CPU CFS burst in microseconds"},
		&cli.StringFlag{Name: "cpu-share", Usage: "CPU shares (relative weight)"},
		&cli.StringFlag{Name: "cpu-rt-period", Usage: "CPU realtime period in microseconds"},
		&cli.StringFlag{Name: "cpu-rt-runtime", Usage: "CPU realtime runtime in microseconds"},
		&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs to use"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes to use"},
		&cli.StringFlag{Name: "cpu-idle", Usage: "1 for SCHED_IDLE cgroup (v2)"},
		&cli.StringFlag{Name: "memory", Usage: "memory limit (bytes, or with k/m/g suffix; -1 unlimited)"},
		&cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit"},
		&cli.StringFlag{Name: "memory-swap", Usage: "memory plus swap limit"},
		&cli.StringFlag{Name: "pids-limit", Usage: "maximum number of pids (-1 or 0: unlimited)"},
		&cli.StringFlag{Name: "kernel-memory", Hidden: true},
		&cli.StringFlag{Name: "kernel-memory-tcp", Hidden: true},
	},
	Action: withContainer(func(ctx *cli.Context, c *libexec2.Container) error {
		res, err := updateResources(ctx)
		if err != nil {
			return err
		}
		return c.Update(res)
	}),
}

func updateResources(ctx *cli.Context) (*specs.LinuxResources, error) {
	if f := ctx.String("resources"); f != "" {
		var r io.Reader = os.Stdin
		if f != "-" {
			file, err := os.Open(f)
			if err != nil {
				return nil, fmt.Errorf("open resources: %w", err)
			}
			defer file.Close()
			r = file
		}
		var res specs.LinuxResources
		if err := json.NewDecoder(r).Decode(&res); err != nil {
			return nil, fmt.Errorf("parse resources %s: %w", f, err)
		}
		return &res, nil
	}
	res := &specs.LinuxResources{}
	flags := func(name string) (string, bool) { return ctx.String(name), ctx.IsSet(name) }
	if err := resourcesFromFlags(res, flags); err != nil {
		return nil, err
	}
	return res, nil
}

// resourcesFromFlags maps runc's update flags onto LinuxResources; get
// returns a flag's value and whether it was given.
func resourcesFromFlags(res *specs.LinuxResources, get func(string) (string, bool)) error {
	var err error
	num := func(name string, parse func(string) (int64, error), set func(int64)) {
		v, ok := get(name)
		if !ok || err != nil {
			return
		}
		n, perr := parse(v)
		if perr != nil {
			err = fmt.Errorf("--%s %q: %w", name, v, perr)
			return
		}
		set(n)
	}
	cpu := func() *specs.LinuxCPU {
		if res.CPU == nil {
			res.CPU = &specs.LinuxCPU{}
		}
		return res.CPU
	}
	mem := func() *specs.LinuxMemory {
		if res.Memory == nil {
			res.Memory = &specs.LinuxMemory{}
		}
		return res.Memory
	}
	u64 := func(n int64) *uint64 { v := uint64(n); return &v }
	num("blkio-weight", parseInt, func(n int64) { w := uint16(n); res.BlockIO = &specs.LinuxBlockIO{Weight: &w} })
	num("cpu-period", parseInt, func(n int64) { cpu().Period = u64(n) })
	num("cpu-quota", parseInt, func(n int64) { cpu().Quota = &n })
	num("cpu-burst", parseInt, func(n int64) { cpu().Burst = u64(n) })
	num("cpu-share", parseInt, func(n int64) { cpu().Shares = u64(n) })
	num("cpu-rt-period", parseInt, func(n int64) { cpu().RealtimePeriod = u64(n) })
	num("cpu-rt-runtime", parseInt, func(n int64) { cpu().RealtimeRuntime = &n })
	num("cpu-idle", parseInt, func(n int64) { cpu().Idle = &n })
	num("memory", parseBytes, func(n int64) { mem().Limit = &n })
	num("memory-reservation", parseBytes, func(n int64) { mem().Reservation = &n })
	num("memory-swap", parseBytes, func(n int64) { mem().Swap = &n })
	num("pids-limit", parseInt, func(n int64) { res.Pids = &specs.LinuxPids{Limit: &n} })
	if v, ok := get("cpuset-cpus"); ok {
		cpu().Cpus = v
	}
	if v, ok := get("cpuset-mems"); ok {
		cpu().Mems = v
	}
	for _, gone := range []string{"kernel-memory", "kernel-memory-tcp"} {
		if _, ok := get(gone); ok && err == nil {
			err = fmt.Errorf("--%s: kernel memory limits are not supported", gone)
		}
	}
	return err
}

func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// parseBytes reads a size like runc's: bytes, or a number with a binary
// k/m/g/t suffix (optionally followed by b); -1 means unlimited.
func parseBytes(s string) (int64, error) {
	if s == "-1" {
		return -1, nil
	}
	t := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "b")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult != 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("invalid size")
	}
	return int64(v * float64(mult)), nil
}
