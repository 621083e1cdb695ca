package main

import (
	"encoding/json"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/urfave/cli/v2"

	"github.com/exec2-oci/exec2-oci/libexec2/plan"
	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

var featuresCommand = &cli.Command{
	Name:  "features",
	Usage: "print what this runtime supports, as runtime-spec features JSON",
	Action: func(ctx *cli.Context) error {
		if err := checkArgs(ctx, 0, true); err != nil {
			return err
		}
		opts, err := unveilOptions(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "    ")
		return enc.Encode(runtimeFeatures(opts))
	},
}

func runtimeFeatures(opts unveil.Options) *features.Features {
	yes, no := true, false
	abi, _ := unveil.ABI()
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"},
		MountOptions:  plan.MountOptionNames(),
		Linux: &features.Linux{
			Namespaces:      []string{"cgroup", "ipc", "mount", "network", "pid", "uts"},
			Cgroup:          &features.Cgroup{V1: &yes, V2: &yes, Systemd: &no, SystemdUser: &no, Rdma: &no},
			Seccomp:         &features.Seccomp{Enabled: &no},
			Apparmor:        &features.Apparmor{Enabled: &no},
			Selinux:         &features.Selinux{Enabled: &no},
			IntelRdt:        &features.IntelRdt{Enabled: &no},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: &no}},
		},
		Annotations: map[string]string{
			"org.exec2.landlock.abi":      strconv.Itoa(abi),
			"org.exec2.unveil.defaults":   strconv.FormatBool(opts.Defaults),
			"org.exec2.unveil.by_task":    strconv.FormatBool(opts.ByTask),
			"org.exec2.unveil.annotation": unveil.Annotation,
			"org.exec2.net.annotation":    unveil.NetAnnotation,
			"org.exec2.mount.policy":      string(opts.Policy),
			"org.exec2.root.modes":        "host (root.path \"/\"), chroot",
		},
	}
}
