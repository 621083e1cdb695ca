#!/usr/bin/env bats
# kill: default SIGTERM; signals by number, by name with or without SIG;
# the named signal is the one delivered; unknown signals are refused; a
# stopped container is "not running" except with --all; --all KILL ends
# every process of a host-root container that has no pid namespace.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# A program that reports each signal it gets on stdout and exits on TERM.
trap_program() {
	set_args sh -c 'trap "echo got-HUP" HUP; trap "echo got-USR1" USR1
		trap "echo got-TERM; exit 0" TERM; echo ready
		while :; do sleep 0.1; done'
}

@test "kill: without a signal sends SIGTERM" {
	trap_program
	start_container "$CID"
	wait_for_file "$BATS_TEST_TMPDIR/$CID.out" ready
	run --separate-stderr exec2 kill "$CID"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	wait_for_status "$CID" stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/$CID.out")" "$(printf 'ready\ngot-TERM')"
}

@test "kill: names with and without SIG deliver that signal" {
	trap_program
	local out="$BATS_TEST_TMPDIR/$CID.out"
	start_container "$CID"
	wait_for_file "$out" ready
	run exec2 kill "$CID" HUP
	assert_success
	wait_for_file "$out" got-HUP
	run exec2 kill "$CID" SIGUSR1
	assert_success
	wait_for_file "$out" got-USR1
	run exec2 kill "$CID" 15
	assert_success
	wait_for_status "$CID" stopped
	assert_equal "$(cat "$out")" "$(printf 'ready\ngot-HUP\ngot-USR1\ngot-TERM')"
}

@test "kill: 9, KILL and SIGKILL all kill" {
	local sig id pid
	for sig in 9 KILL SIGKILL; do
		id="$CID-$sig"
		start_container "$id"
		pid="$(state_field "$id" .pid)"
		run exec2 kill "$id" "$sig"
		assert_success
		wait_for_status "$id" stopped
		wait_for_gone "$pid"
	done
}

@test "kill: a created container can be killed" {
	create_container --pid-file "$BATS_TEST_TMPDIR/c.pid" "$CID"
	pid="$(read_pid "$BATS_TEST_TMPDIR/c.pid")"
	run exec2 kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	wait_for_gone "$pid"
}

@test "kill: an unknown signal is refused, the container keeps running" {
	start_container "$CID"
	run --separate-stderr exec2 kill "$CID" NOSUCHSIG
	assert_failure
	assert_output ""
	assert_regex "$stderr" "NOSUCHSIG"
	assert_equal "$(state_field "$CID" .status)" running
}

@test "kill: a stopped container is not running; --all ignores that" {
	set_args true
	start_container "$CID"
	wait_for_status "$CID" stopped
	run --separate-stderr exec2 kill "$CID" KILL
	assert_failure
	assert_regex "$stderr" "container not running"
	run exec2 kill --all "$CID" KILL
	assert_success
}

@test "kill: unknown id fails with does not exist" {
	run --separate-stderr exec2 kill "$CID-nope" KILL
	assert_failure
	assert_regex "$stderr" "does not exist"
}

@test "kill --all KILL: every process of a host-root container without pid namespace" {
	setup_host_bundle
	remove_namespace pid
	set_args /bin/sh -c 'sleep 600 & echo child=$!; wait'
	start_container "$CID"
	local out="$BATS_TEST_TMPDIR/$CID.out" main child
	wait_for_file "$out" child=
	child="$(sed -n 's/^child=//p' "$out")"
	main="$(state_field "$CID" .pid)"
	pid_alive "$main"
	pid_alive "$child"
	run exec2 kill --all "$CID" KILL
	assert_success
	wait_for_gone "$main"
	wait_for_gone "$child"
	wait_for_status "$CID" stopped
}
