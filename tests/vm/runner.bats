#!/usr/bin/env bats
# Host-side checks of tests/vm/run itself (each test boots a VM, ~10 s):
#   bats tests/vm/runner.bats
# shellcheck disable=SC2016,SC2154 # guest-side expansions; bats sets $stderr

bats_require_minimum_version 1.5.0

setup() {
	[ "$(id -u)" -eq 0 ] || skip "requires root"
	[ -z "${EXEC2_VM:-}" ] || skip "boots a VM: run it on the host"
	RUN="$BATS_TEST_DIRNAME/run"
}

@test "the command's exit status, stdout and stderr come back apart" {
	run --separate-stderr "$RUN" -- sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	[[ $stderr == *"exec2-vm: kernel "*"landlock ABI "* ]]
	[[ $stderr == *$'\nerr\n'* ]]
}

@test "arguments, cwd and EXEC2_* variables reach the guest intact" {
	EXEC2_RUNNER_TEST='a "b" $c' run --separate-stderr "$RUN" --env 'X=y z' -- \
		bash -c 'printf "<%s>" "$@" "$PWD" "$EXEC2_RUNNER_TEST" "$X"' _ 'one two' "it's" ''
	[ "$status" -eq 0 ]
	[ "$output" = "<one two><it's><><$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)><a \"b\" \$c><y z>" ]
}

@test "a missing command exits 127 and a hung one is killed with 124" {
	run -127 --separate-stderr "$RUN" -- no-such-command-exec2
	[ "$status" -eq 127 ]
	run --separate-stderr "$RUN" --timeout 20 -- sleep 600
	[ "$status" -eq 124 ]
	[[ $stderr == *"timed out after 20s"* ]]
}

@test "a guest kernel panic is reported as 125 with the console tail" {
	run --separate-stderr "$RUN" -- sh -c 'echo c >/proc/sysrq-trigger'
	[ "$status" -eq 125 ]
	[[ $stderr == *"Kernel panic"* ]]
}
