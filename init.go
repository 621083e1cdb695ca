package main

import (
	"errors"
	"os"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2/initproc"
)

// The init stage must stay on the main thread from the first instruction:
// namespaces it joins or unshares, and the execve of the program, are per
// thread.
func init() {
	if isInit() {
		runtime.GOMAXPROCS(1)
		runtime.LockOSThread()
	}
}

func isInit() bool {
	return len(os.Args) > 1 && os.Args[1] == "init" && os.Getenv(initproc.EnvSync) != ""
}

// runInit never returns: it execs the container's program or exits.
func runInit() {
	initproc.Main()
}

// initCommand only answers a person who types "exec2-oci init": the real
// entry is runInit, taken before any flag parsing.
var initCommand = &cli.Command{
	Name:   "init",
	Hidden: true,
	Usage:  "internal: the container's init stage",
	Action: func(*cli.Context) error {
		return errors.New("init is started by the runtime only")
	},
}
