#!/usr/bin/env bats
# state: runtime-spec state JSON (ociVersion id pid status bundle rootfs
# created annotations) through the lifecycle, in both root modes; status is
# only ever created|running|paused|stopped; unknown ids do not exist.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# assert_rfc3339 VALUE: an RFC 3339 timestamp within the last ten minutes.
assert_rfc3339() {
	assert_regex "$1" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
	local t now
	t="$(date -d "$1" +%s)" || fail "date cannot parse '$1'"
	now="$(date +%s)"
	[ "$t" -le "$now" ] && [ "$t" -gt $((now - 600)) ] || fail "created '$1' is not recent"
}

@test "state: a created container reports every field" {
	update_config '.annotations = {"org.exec2.test": "yes", "b": "2"}'
	create_container --pid-file "$BATS_TEST_TMPDIR/c.pid" "$CID"
	run --separate-stderr exec2 state "$CID"
	assert_success
	assert_equal "$stderr" ""
	local json="$output"
	jq -e . >/dev/null <<<"$json" || fail "state is not JSON: $json"
	assert_regex "$(jq -r .ociVersion <<<"$json")" '^1\.[0-9]+\.[0-9]+'
	assert_equal "$(jq -r .id <<<"$json")" "$CID"
	assert_equal "$(jq -r .pid <<<"$json")" "$(read_pid "$BATS_TEST_TMPDIR/c.pid")"
	assert_equal "$(jq -r .status <<<"$json")" created
	assert_equal "$(jq -r .bundle <<<"$json")" "$BUNDLE"
	assert_equal "$(jq -r .rootfs <<<"$json")" "$ROOTFS"
	assert_rfc3339 "$(jq -r .created <<<"$json")"
	assert_equal "$(jq -c '.annotations' <<<"$json")" '{"b":"2","org.exec2.test":"yes"}'
}

@test "state: host-root mode reports rootfs /" {
	setup_host_bundle
	create_container "$CID"
	assert_equal "$(state_field "$CID" .rootfs)" /
	assert_equal "$(state_field "$CID" .bundle)" "$BUNDLE"
}

@test "state: a relative --bundle is reported absolute" {
	cd "$BATS_TEST_TMPDIR"
	exec2_io rel create --bundle bundle "$CID"
	assert_equal "$status" 0
	assert_equal "$(state_field "$CID" .bundle)" "$BUNDLE"
	assert_equal "$(state_field "$CID" .rootfs)" "$ROOTFS"
}

@test "state: created -> running -> stopped, pid 0 once stopped" {
	set_args sh -c 'read line; exit 0'
	# The program waits for a line on stdin: a fifo the test controls.
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	exec 5<>"$BATS_TEST_TMPDIR/stdin"
	exec2 create --bundle "$BUNDLE" "$CID" <"$BATS_TEST_TMPDIR/stdin" >"$BATS_TEST_TMPDIR/c.out" 2>&1 5>&-
	assert_equal "$(state_field "$CID" .status)" created
	run exec2 start "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" running
	pid="$(state_field "$CID" .pid)"
	[ "$pid" -gt 0 ]
	echo go >&5
	exec 5>&-
	wait_for_status "$CID" stopped
	assert_equal "$(state_field "$CID" .pid)" 0
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c.out")" ""
}

@test "state: status values are only created, running or stopped here" {
	set_args sh -c 'exit 0'
	create_container "$CID"
	local seen=() s i
	seen+=("$(state_field "$CID" .status)")
	run exec2 start "$CID"
	assert_success
	for i in 1 2 3 4 5; do
		seen+=("$(state_field "$CID" .status)")
	done
	wait_for_status "$CID" stopped
	for s in "${seen[@]}"; do
		[[ "$s" =~ ^(created|running|stopped)$ ]] || fail "unexpected status '$s' in: ${seen[*]}"
	done
	assert_equal "${seen[0]}" created
}

@test "state: unknown id fails with does not exist" {
	run --separate-stderr exec2 state "$CID-nope"
	assert_failure
	assert_output ""
	assert_regex "$stderr" "container \"$CID-nope\" does not exist|does not exist"
}
