#!/usr/bin/env bats
# Smoke test of the VM itself, not of exec2-oci: tests/vm/run-bats tests/vm/smoke.bats

setup() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
		skip "requires pure cgroup v2 at /sys/fs/cgroup (run it with tests/vm/run-bats)"
	cg=/sys/fs/cgroup/exec2-vm-smoke-$BATS_TEST_NUMBER-$$
}

teardown() {
	[ ! -d "${cg:-}" ] || rmdir "$cg"
}

@test "cgroup2 at /sys/fs/cgroup delegates memory, pids and cpu" {
	run cat /sys/fs/cgroup/cgroup.subtree_control
	[ "$status" -eq 0 ]
	for c in memory pids cpu; do
		[[ " $output " == *" $c "* ]]
	done
	# No v1 hierarchy is mounted beside it.
	run awk '$3 == "cgroup"' /proc/mounts
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a child cgroup takes memory.max and pids.max and a process" {
	mkdir "$cg"
	echo 64M >"$cg/memory.max"
	[ "$(cat "$cg/memory.max")" = 67108864 ]
	echo 100 >"$cg/pids.max"
	[ "$(cat "$cg/pids.max")" = 100 ]
	run sh -c 'echo $$ >"$1/cgroup.procs" && cat /proc/self/cgroup' _ "$cg"
	[ "$status" -eq 0 ]
	[ "$output" = "0::/${cg##*/}" ]
	rmdir "$cg"
	[ ! -e "$cg" ]
}

@test "landlock is an active LSM with ABI >= 1" {
	grep -qw landlock /sys/kernel/security/lsm
	probe=${EXEC2_VM_LANDLOCK_PROBE:-}
	if [ ! -x "$probe" ]; then
		probe=$BATS_TEST_TMPDIR/landlock-abi
		CGO_ENABLED=0 go build -o "$probe" ./tests/bats/helpers/landlockabi
	fi
	run "$probe"
	[ "$status" -eq 0 ]
	[ "$output" -ge 1 ]
}
