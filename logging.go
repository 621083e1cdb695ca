package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
)

type logFlags struct {
	file, format string
}

// valueFlags are the global flags that take a value, so the scan can step
// over "--root DIR" to what follows.
var valueFlags = map[string]bool{
	"root": true, "log": true, "log-format": true, "log-level": true,
	"cgroup-manager": true, "rootless": true, "config": true, "criu": true,
	"unveil-defaults": true, "unveil-path": true, "unveil-by-task": true, "mount-policy": true,
}

// preScanLogFlags finds --log and --log-format before the cli parses
// anything, so that even a usage error lands in the client's JSON log.
func preScanLogFlags(args []string) logFlags {
	l := logFlags{format: "text"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			break // the subcommand: global flags end here
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !hasVal && valueFlags[name] && i+1 < len(args) {
			i++
			val = args[i]
		}
		switch name {
		case "log":
			l.file = val
		case "log-format":
			l.format = val
		}
	}
	return l
}

func setupLogOutput(l logFlags) error {
	switch l.format {
	case "json":
		logrus.SetFormatter(&logrus.JSONFormatter{})
	case "text", "":
		logrus.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	default:
		return fmt.Errorf("invalid log-format %q (want text or json)", l.format)
	}
	logrus.SetOutput(os.Stderr)
	if l.file != "" {
		// Append, never truncate: containerd keeps one log.json per bundle
		// for every call.
		f, err := os.OpenFile(l.file, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		logrus.SetOutput(f)
	}
	// Only the final error by default: podman reads the whole log as one
	// JSON object, and conmon turns stderr chatter into container output.
	logrus.SetLevel(logrus.ErrorLevel)
	return nil
}

func configureLogging(ctx *cli.Context) error {
	if lvl := ctx.String("log-level"); lvl != "" {
		l, err := logrus.ParseLevel(lvl)
		if err != nil {
			return fmt.Errorf("invalid log-level %q", lvl)
		}
		logrus.SetLevel(l)
	}
	if ctx.Bool("debug") {
		logrus.SetLevel(logrus.DebugLevel)
	}
	return nil
}
