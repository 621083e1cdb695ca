#!/usr/bin/env bats
# start: created -> running; the program really runs (in chroot and host-root
# mode) with the stdio create was given; start is refused for running,
# stopped and unknown containers; a finished program is "stopped", pid 0.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "start: chroot mode, created -> running, the program runs" {
	mkdir "$BATS_TEST_TMPDIR/shared"
	add_bind "$BATS_TEST_TMPDIR/shared" /shared rw
	set_args sh -c 'echo started >/shared/out; exec sleep 600'
	create_container --pid-file "$BATS_TEST_TMPDIR/c.pid" "$CID"
	pid="$(read_pid "$BATS_TEST_TMPDIR/c.pid")"
	assert_equal "$(state_field "$CID" .status)" created

	run --separate-stderr exec2 start "$CID"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	wait_for_file "$BATS_TEST_TMPDIR/shared/out" started
	assert_equal "$(state_field "$CID" .status)" running
	assert_equal "$(state_field "$CID" .pid)" "$pid"
	[ ! -e "$EXEC2_ROOT/$CID/exec.fifo" ] || fail "exec.fifo still there after start"
}

@test "start: host-root mode, the program writes into an identity bind" {
	setup_host_bundle
	local d="$BATS_TEST_TMPDIR/data"
	mkdir "$d"
	add_bind "$d" "$d" rw
	set_args /bin/sh -c "echo started >$d/out; exec sleep 600"
	start_container "$CID"
	wait_for_file "$d/out" started
	assert_equal "$(state_field "$CID" .status)" running
}

@test "start: program stdout and stderr reach the stdio create was given" {
	set_args sh -c 'echo to-stdout; echo to-stderr >&2'
	start_container "$CID"
	wait_for_status "$CID" stopped
	assert_equal "$(cat "$BATS_TEST_TMPDIR/$CID.out")" to-stdout
	assert_equal "$(cat "$BATS_TEST_TMPDIR/$CID.err")" to-stderr
}

@test "start: twice fails, the container keeps running" {
	start_container "$CID"
	pid="$(state_field "$CID" .pid)"
	run exec2 start "$CID"
	assert_failure
	assert_regex "$output" "running"
	assert_equal "$(state_field "$CID" .status)" running
	assert_equal "$(state_field "$CID" .pid)" "$pid"
}

@test "start: after the program exits, state is stopped with pid 0; start fails" {
	set_args true
	start_container "$CID"
	wait_for_status "$CID" stopped
	assert_equal "$(state_field "$CID" .pid)" 0

	run exec2 start "$CID"
	assert_failure
	assert_regex "$output" "stopped"
	assert_equal "$(state_field "$CID" .status)" stopped
}

@test "start: unknown id fails with does not exist" {
	run --separate-stderr exec2 start "$CID-nope"
	assert_failure
	assert_output ""
	assert_regex "$stderr" "does not exist"
}
