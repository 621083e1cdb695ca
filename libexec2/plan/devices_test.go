package plan

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestWithDefaultDevices(t *testing.T) {
	denyAll := []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}
	for _, tc := range []struct {
		name string
		res  *specs.LinuxResources
		want int // device rules after
	}{
		{"no resources", nil, -1},
		{"no device rules", &specs.LinuxResources{}, 0},
		{"deny all", &specs.LinuxResources{Devices: denyAll}, 1 + len(defaultDeviceRules)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before []specs.LinuxDeviceCgroup
			if tc.res != nil {
				before = append(before, tc.res.Devices...)
			}
			got := withDefaultDevices(tc.res)
			if tc.want < 0 {
				if got != nil {
					t.Fatalf("got %+v, want nil", got)
				}
				return
			}
			if len(got.Devices) != tc.want {
				t.Fatalf("%d device rules, want %d", len(got.Devices), tc.want)
			}
			if len(tc.res.Devices) != len(before) {
				t.Errorf("the bundle's resources were changed")
			}
			// The bundle's rules come first: later rules win in the cgroup.
			if tc.want > 0 && got.Devices[0].Allow {
				t.Errorf("first rule %+v, want the bundle's deny-all", got.Devices[0])
			}
		})
	}
}
