// exec2-oci is an OCI runtime with a runc-compatible command line that
// confines containers with Landlock instead of a pivot_root'ed root.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
)

// Set at build time with -ldflags "-X main.version=... -X main.gitCommit=...".
var (
	version   = "0.1.0"
	gitCommit = ""
)

const usage = `an OCI runtime that confines containers with Landlock

exec2-oci runs OCI bundles like runc, but confines the program with Landlock
rules made from the bundle's mounts instead of pivot_root into a root file
system: root.path "/" keeps the host's view (host-root mode), any other
root.path is entered with chroot (chroot mode).`

func main() {
	if isInit() {
		runInit()
	}
	// Inherited fds (a client's leaks) must not reach the container; the
	// ones meant for it are passed explicitly.
	unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	os.Exit(run(os.Args))
}

func newApp() *cli.App {
	app := cli.NewApp()
	app.Name = "exec2-oci"
	app.Usage = usage
	app.Version = version
	app.HideHelpCommand = true
	app.DisableSliceFlagSeparator = true
	app.Flags = globalFlags()
	app.Commands = []*cli.Command{
		createCommand, startCommand, runCommand, stateCommand, killCommand,
		deleteCommand, listCommand, specCommand, featuresCommand, initCommand,
		pauseCommand, resumeCommand, updateCommand, psCommand, eventsCommand,
		checkCommand,
	}
	app.Before = configureLogging
	app.OnUsageError = usageError
	for _, c := range app.Commands {
		c.OnUsageError = usageError
	}
	app.CommandNotFound = func(ctx *cli.Context, name string) {
		notFound = name
	}
	app.ExitErrHandler = func(*cli.Context, error) {}
	cli.VersionPrinter = func(ctx *cli.Context) {
		fmt.Fprintf(ctx.App.Writer, "exec2-oci version %s\n", version)
		if gitCommit != "" {
			fmt.Fprintf(ctx.App.Writer, "commit: %s\n", gitCommit)
		}
		fmt.Fprintf(ctx.App.Writer, "spec: %s\ngo: %s\n", specs.Version, runtime.Version())
	}
	return app
}

var notFound string

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "root", Usage: "state directory", Value: defaultRoot()},
		&cli.StringFlag{Name: "log", Usage: "log file (default stderr)"},
		&cli.StringFlag{Name: "log-format", Usage: "log format: text or json", Value: "text"},
		&cli.StringFlag{Name: "log-level", Usage: "log level: debug, info, warning or error"},
		&cli.BoolFlag{Name: "debug", Usage: "debug logging"},
		&cli.BoolFlag{Name: "systemd-cgroup", Usage: "use systemd for cgroups (cgroupsPath slice:prefix:name)"},
		&cli.StringFlag{Name: "cgroup-manager", Usage: "cgroup manager: cgroupfs, systemd or disabled (crun's flag)"},
		&cli.StringFlag{Name: "rootless", Usage: "ignored: exec2-oci runs as root (true, false or auto)", Value: "auto"},
		&cli.StringFlag{Name: "config", Usage: "runtime configuration file", Value: "/etc/exec2-oci/config.json"},
		&cli.StringFlag{Name: "unveil-defaults", Usage: "override unveil_defaults of the runtime config: true or false"},
		&cli.StringSliceFlag{Name: "unveil-path", Usage: `grant "mode:path" to every container (repeatable; adds to unveil_paths)`},
		&cli.StringFlag{Name: "unveil-by-task", Usage: "override unveil_by_task: true or false"},
		&cli.StringFlag{Name: "mount-policy", Usage: "override mount_policy: error or skip"},
		&cli.BoolFlag{Name: "allow-unconfined", Usage: "run without Landlock where the kernel lacks it (override allow_unconfined)"},
		&cli.StringFlag{Name: "criu", Hidden: true},
	}
}

// defaultRoot is computed the same way on every call: podman never passes
// --root, and later commands must find what create wrote.
func defaultRoot() string {
	if os.Geteuid() != 0 {
		if xdg := os.Getenv("XDG_RUNTIME_DIR"); xdg != "" {
			return filepath.Join(xdg, "exec2-oci")
		}
	}
	return "/run/exec2-oci"
}

func usageError(ctx *cli.Context, err error, _ bool) error {
	return err
}

// exitStatus is an error that only carries an exit status (run's program
// status, exec's 255): nothing more is printed.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

func (e *exitStatus) Unwrap() error { return e.err }

// run executes the command line and decides the exit status: main is the
// one place that prints the final error.
func run(args []string) int {
	logs := preScanLogFlags(args[1:])
	if err := setupLogOutput(logs); err != nil {
		fmt.Fprintf(os.Stderr, "exec2-oci: %v\n", err)
		return 1
	}
	err := newApp().Run(args)
	if err == nil && notFound != "" {
		err = fmt.Errorf("unknown command %q", notFound)
	}
	if err == nil {
		return 0
	}
	code := 1
	var es *exitStatus
	if errors.As(err, &es) {
		code = es.code
		if es.err == nil {
			return code
		}
	}
	reportError(logs, err)
	return code
}

// reportError logs the failure as the last level=error line of the log and
// also puts the plain message on stderr when the log is elsewhere.
func reportError(logs logFlags, err error) {
	msg := strings.TrimSpace(err.Error())
	if logs.file == "" && logs.format != "json" {
		fmt.Fprintf(os.Stderr, "exec2-oci: %s\n", msg)
		return
	}
	logrus.Error(msg)
	if logs.file != "" {
		fmt.Fprintf(os.Stderr, "exec2-oci: %s\n", msg)
	}
}
