#!/usr/bin/env bats
# check: the host fingerprint (kernel, Landlock ABI and features, cgroup
# layout, namespaces) agrees with what the host really has, as text and as
# JSON, and exits 0 when no hard requirement is missing.

load helpers
load landlock_helpers

setup_file() {
	build_landlock_helpers
}

setup() {
	exec2_setup
	"$EXEC2" check --help >/dev/null 2>&1 || skip "requires the check command (checkCommand registered in main.go)"
}

teardown() {
	teardown_bundle
}

@test "check: text report names every check and passes on this host" {
	run --separate-stderr exec2 check
	assert_success
	assert_equal "$stderr" ""
	assert_line --regexp '^CHECK +STATUS +DETAIL$'
	assert_line --regexp "^kernel +ok +Linux $(uname -r)\$"
	assert_line --regexp '^landlock +(ok|warn) +'
	assert_line --regexp '^cgroups +ok +(v1|v2|hybrid) \(runtime uses v[12]\)$'
	refute_line --regexp '^[a-z ]+ +fail +'
}

@test "check: --format json agrees with the host" {
	local abi
	abi="$("$HELPER_BIN/landlockabi")"
	run --separate-stderr exec2 check --format json
	assert_success
	assert_equal "$(jq -r .kernel.release <<<"$output")" "$(uname -r)"
	assert_equal "$(jq -r .landlock.abi <<<"$output")" "$abi"
	# Each feature is available exactly when the ABI reaches it.
	assert_equal "$(jq -r --argjson abi "$abi" '[.landlock.features[] | select(.available != (.abi <= $abi and $abi > 0))] | length' <<<"$output")" 0
	assert_equal "$(jq -r '[.landlock.features[].name] | join(" ")' <<<"$output")" \
		"filesystem refer truncate tcp ioctl_dev scopes audit"
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		assert_equal "$(jq -r .cgroups.layout <<<"$output")" v2
	else
		assert_regex "$(jq -r .cgroups.layout <<<"$output")" '^(v1|hybrid)$'
	fi
	assert_equal "$(jq -r '[.namespaces[] | select(.type == "pid")][0].available' <<<"$output")" true
	assert_equal "$(jq -r '[.checks[] | select(.status == "fail")] | length' <<<"$output")" 0
}

@test "check: an unknown --format is refused naming it" {
	run --separate-stderr exec2 check --format yaml
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" '--format "yaml": want text or json'
}
