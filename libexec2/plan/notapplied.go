package plan

import specs "github.com/opencontainers/runtime-spec/specs-go"

// NotApplied names the fields of spec that exec2-oci accepts but does not
// enforce yet, one warning each, so a bundle relying on them is told rather
// than silently run without them.
func NotApplied(spec *specs.Spec) []string {
	if spec == nil {
		return nil
	}
	var out []string
	add := func(set bool, field string) {
		if set {
			out = append(out, field+" is not applied: exec2-oci does not support it yet")
		}
	}
	if p := spec.Process; p != nil {
		add(p.Capabilities != nil, "process.capabilities")
		add(p.ApparmorProfile != "", "process.apparmorProfile")
		add(p.SelinuxLabel != "", "process.selinuxLabel")
		add(p.Scheduler != nil, "process.scheduler")
		add(p.IOPriority != nil, "process.ioPriority")
		add(p.ExecCPUAffinity != nil, "process.execCPUAffinity")
	}
	if l := spec.Linux; l != nil {
		add(l.Seccomp != nil, "linux.seccomp")
		add(l.MountLabel != "", "linux.mountLabel")
		add(l.IntelRdt != nil, "linux.intelRdt")
		add(l.Personality != nil, "linux.personality")
		add(l.MemoryPolicy != nil, "linux.memoryPolicy")
	}
	return out
}
