#!/usr/bin/env bats
# list: the table (ID PID STATUS BUNDLE CREATED OWNER), --format json and -q
# over the containers of one --root; an empty root lists nothing.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# two_containers: $CID-a created, $CID-b running.
two_containers() {
	create_container "$CID-a"
	start_container "$CID-b"
}

@test "list: an empty root lists nothing" {
	mkdir -p "$EXEC2_ROOT"
	run -0 --separate-stderr exec2 list -q
	assert_output ""
	run -0 --separate-stderr exec2 list --format json
	jq -e '(. // []) | length == 0' >/dev/null <<<"$output" || fail "json list of an empty root: $output"
	run -0 --separate-stderr exec2 list
	# Nothing, or the header alone.
	[ "${#lines[@]}" -le 1 ] || fail "table of an empty root: $output"
	[ "${#lines[@]}" -eq 0 ] || assert_equal "$(tr -s ' ' <<<"${lines[0]}")" "ID PID STATUS BUNDLE CREATED OWNER"
}

@test "list: table" {
	two_containers
	local pa pb
	pa="$(state_field "$CID-a" .pid)"
	pb="$(state_field "$CID-b" .pid)"
	run -0 --separate-stderr exec2 list
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 3
	assert_equal "$(tr -s ' ' <<<"${lines[0]}")" "ID PID STATUS BUNDLE CREATED OWNER"
	assert_equal "$(grep "^$CID-a " <<<"$output" | awk '{print $2, $3, $4, $NF}')" "$pa created $BUNDLE root"
	assert_equal "$(grep "^$CID-b " <<<"$output" | awk '{print $2, $3, $4, $NF}')" "$pb running $BUNDLE root"
}

@test "list --format json: an array of states" {
	two_containers
	run -0 --separate-stderr exec2 list --format json
	assert_equal "$stderr" ""
	assert_equal "$(jq -r 'sort_by(.id) | .[] | "\(.id) \(.status) \(.bundle)"' <<<"$output")" \
		"$(printf '%s created %s\n%s running %s' "$CID-a" "$BUNDLE" "$CID-b" "$BUNDLE")"
	assert_equal "$(jq -r 'map(select(.pid > 0 and (.created | length) > 0)) | length' <<<"$output")" 2
}

@test "list -q: ids only" {
	two_containers
	run -0 --separate-stderr exec2 list -q
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n%s' "$CID-a" "$CID-b")"
}
