package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2"
	"github.com/exec2-oci/exec2-oci/libexec2/rtconfig"
	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// checkArgs requires exactly n positional arguments (or at least n).
func checkArgs(ctx *cli.Context, n int, exact bool) error {
	got := ctx.NArg()
	switch {
	case exact && got != n:
		return fmt.Errorf("%s: %d argument(s) required, got %d", ctx.Command.Name, n, got)
	case !exact && got < n:
		return fmt.Errorf("%s: at least %d argument(s) required, got %d", ctx.Command.Name, n, got)
	}
	return nil
}

func stateRoot(ctx *cli.Context) (string, error) {
	root := ctx.String("root")
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("--root %q: %w", root, err)
	}
	if abs == "/" {
		return "", errors.New("--root: must not be /")
	}
	return abs, nil
}

func logEntry(id string) *logrus.Entry {
	return logrus.WithField("id", id)
}

// loadContainer loads and locks the container named by the first argument.
func loadContainer(ctx *cli.Context) (*libexec2.Container, error) {
	id := ctx.Args().First()
	root, err := stateRoot(ctx)
	if err != nil {
		return nil, err
	}
	return libexec2.Load(root, id, logEntry(id))
}

// loadSpec reads the bundle's config.json strictly enough to name what is
// wrong with it.
func loadSpec(bundle string) (*specs.Spec, error) {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("read config.json: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("parse config.json: %w", err)
	}
	return &spec, nil
}

// unveilOptions maps the runtime configuration (file, then flags) to the
// translation options.
func unveilOptions(ctx *cli.Context) (unveil.Options, error) {
	cfg, err := rtconfig.Load(ctx.String("config"))
	if err != nil {
		return unveil.Options{}, err
	}
	for _, b := range []struct {
		flag string
		dst  *bool
	}{{"unveil-defaults", &cfg.UnveilDefaults}, {"unveil-by-task", &cfg.UnveilByTask}} {
		if v := ctx.String(b.flag); v != "" {
			if *b.dst, err = strconv.ParseBool(v); err != nil {
				return unveil.Options{}, fmt.Errorf("--%s %q: want true or false", b.flag, v)
			}
		}
	}
	cfg.UnveilPaths = append(cfg.UnveilPaths, ctx.StringSlice("unveil-path")...)
	if v := ctx.String("mount-policy"); v != "" {
		cfg.MountPolicy = v
	}
	if ctx.Bool("allow-unconfined") {
		cfg.AllowUnconfined = true
	}
	if err := cfg.Validate(); err != nil {
		return unveil.Options{}, err
	}
	return cfg.UnveilOptions()
}

// absPath makes a client path absolute before anything changes directory.
func absPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	return filepath.Abs(p)
}

// withContainer is the Action of a command that takes exactly one id and
// acts on that container, loaded and locked.
func withContainer(fn func(*cli.Context, *libexec2.Container) error) cli.ActionFunc {
	return func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 1, true); err != nil {
			return err
		}
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return fn(ctx, c)
	}
}
