package plan

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestNotApplied(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec *specs.Spec
		want []string
	}{
		{"nil", nil, nil},
		{"plain", &specs.Spec{Process: &specs.Process{}, Linux: &specs.Linux{}}, nil},
		{"caps and seccomp", &specs.Spec{
			Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}},
			Linux:   &specs.Linux{Seccomp: &specs.LinuxSeccomp{}},
		}, []string{
			"process.capabilities is not applied: exec2-oci does not support it yet",
			"linux.seccomp is not applied: exec2-oci does not support it yet",
		}},
		{"labels", &specs.Spec{
			Process: &specs.Process{ApparmorProfile: "p", SelinuxLabel: "l"},
			Linux:   &specs.Linux{MountLabel: "m"},
		}, []string{
			"process.apparmorProfile is not applied: exec2-oci does not support it yet",
			"process.selinuxLabel is not applied: exec2-oci does not support it yet",
			"linux.mountLabel is not applied: exec2-oci does not support it yet",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NotApplied(tc.spec); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
