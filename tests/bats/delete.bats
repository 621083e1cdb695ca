#!/usr/bin/env bats
# delete: a stopped or created container is removed with its state directory
# and cgroup; a running one only with --force (which also ends the children
# of a host-root container without pid namespace); unknown ids "do not
# exist" unless --force.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# assert_deleted ID: state says the container does not exist, no state dir.
assert_deleted() {
	run --separate-stderr exec2 state "$1"
	assert_failure
	assert_regex "$stderr" "does not exist"
	[ ! -e "$EXEC2_ROOT/$1" ] || fail "state dir $EXEC2_ROOT/$1 left"
}

@test "delete: a stopped container goes, with its state dir and cgroup" {
	start_container "$CID"
	pid="$(state_field "$CID" .pid)"
	cg="$(cgroup_dir "$pid")"
	[ "$cg" != "$(cgroup_dir $$)" ] || fail "container shares the test's cgroup $cg"
	[ -d "$cg" ] || fail "no cgroup dir $cg"
	run exec2 kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped

	run --separate-stderr exec2 delete "$CID"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_deleted "$CID"
	[ ! -d "$cg" ] || fail "cgroup $cg left"
	assert_no_leftovers
}

@test "delete: linux.cgroupsPath is honoured and removed" {
	update_config '.linux.cgroupsPath = $p' --arg p "/$CID"
	create_container --pid-file "$BATS_TEST_TMPDIR/c.pid" "$CID"
	pid="$(read_pid "$BATS_TEST_TMPDIR/c.pid")"
	cg="$(cgroup_dir "$pid")"
	[[ "$cg" == */"$CID" ]] || fail "init is in $cg, want .../$CID"
	grep -qx "$pid" "$cg/cgroup.procs"
	run exec2 delete "$CID"
	assert_success
	assert_deleted "$CID"
	[ ! -d "$cg" ] || fail "cgroup $cg left"
}

@test "delete: a running container is refused without --force" {
	start_container "$CID"
	pid="$(state_field "$CID" .pid)"
	run --separate-stderr exec2 delete "$CID"
	assert_failure
	assert_output ""
	assert_regex "$stderr" "running|not stopped"
	assert_equal "$(state_field "$CID" .status)" running
	pid_alive "$pid"
}

@test "delete --force: a running container is killed and removed" {
	start_container "$CID"
	pid="$(state_field "$CID" .pid)"
	run --separate-stderr exec2 delete --force "$CID"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	wait_for_gone "$pid"
	assert_deleted "$CID"
	assert_no_leftovers
}

@test "delete: a created container is killed and removed" {
	create_container --pid-file "$BATS_TEST_TMPDIR/c.pid" "$CID"
	pid="$(read_pid "$BATS_TEST_TMPDIR/c.pid")"
	run exec2 delete "$CID"
	assert_success
	wait_for_gone "$pid"
	assert_deleted "$CID"
	assert_no_leftovers
}

@test "delete --force: unknown id succeeds silently" {
	run --separate-stderr exec2 delete --force "$CID-nope"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
}

@test "delete: unknown id fails with does not exist" {
	run --separate-stderr exec2 delete "$CID-nope"
	assert_failure
	assert_output ""
	assert_regex "$stderr" "does not exist"
}

@test "delete --force: host-root without pid namespace ends the children too" {
	setup_host_bundle
	remove_namespace pid
	set_args /bin/sh -c 'sleep 600 & echo child=$!; wait'
	start_container "$CID"
	local out="$BATS_TEST_TMPDIR/$CID.out" main child
	wait_for_file "$out" child=
	child="$(sed -n 's/^child=//p' "$out")"
	main="$(state_field "$CID" .pid)"
	pid_alive "$child"
	run exec2 delete --force "$CID"
	assert_success
	wait_for_gone "$main"
	wait_for_gone "$child"
	assert_deleted "$CID"
	assert_no_leftovers
}
