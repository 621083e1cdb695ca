package plan

import specs "github.com/opencontainers/runtime-spec/specs-go"

// defaultDeviceRules are appended after a bundle's own device cgroup rules,
// as runc appends its AllowedDevices: a bundle that denies every device
// (runc spec's default) still gets the nodes every container's /dev has,
// which the init creates with mknod before the program runs.
var defaultDeviceRules = []specs.LinuxDeviceCgroup{
	{Allow: true, Type: "c", Access: "m"}, // mknod of any character device
	{Allow: true, Type: "b", Access: "m"}, // and of any block device
	devRule(1, 3),                         // /dev/null
	devRule(1, 5),                         // /dev/zero
	devRule(1, 7),                         // /dev/full
	devRule(1, 8),                         // /dev/random
	devRule(1, 9),                         // /dev/urandom
	devRule(5, 0),                         // /dev/tty
	devRule(5, 2),                         // /dev/ptmx
	{Allow: true, Type: "c", Major: ptr(int64(136)), Access: "rwm"}, // /dev/pts/*
	devRule(10, 200), // /dev/net/tun
}

func devRule(major, minor int64) specs.LinuxDeviceCgroup {
	return specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr(major), Minor: ptr(minor), Access: "rwm"}
}

func ptr[T any](v T) *T { return &v }

// withDefaultDevices returns res with defaultDeviceRules after its device
// rules; res itself is not changed. Without device rules nothing is
// restricted, and nothing is added.
func withDefaultDevices(res *specs.LinuxResources) *specs.LinuxResources {
	if res == nil || len(res.Devices) == 0 {
		return res
	}
	out := *res
	out.Devices = append(append([]specs.LinuxDeviceCgroup(nil), res.Devices...), defaultDeviceRules...)
	return &out
}
