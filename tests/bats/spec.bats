#!/usr/bin/env bats
# spec: writes a default config.json (chroot bundle with root.path rootfs, or
# host-root with --host) into the cwd or --bundle, never over an existing one.

load helpers

setup() {
	exec2_setup
	SPECDIR="$BATS_TEST_TMPDIR/spec"
	mkdir "$SPECDIR"
}

teardown() {
	teardown_bundle
}

@test "spec: writes a valid default config.json in the cwd" {
	cd "$SPECDIR"
	run -0 --separate-stderr "$EXEC2" spec
	assert_output ""
	assert_equal "$stderr" ""
	jq -e . config.json >/dev/null
	assert_regex "$(jq -r .ociVersion config.json)" '^1\.[0-9]+\.[0-9]+'
	assert_equal "$(jq -r .root.path config.json)" rootfs
	assert_equal "$(jq -r '.process.args | length > 0' config.json)" true
	assert_equal "$(jq -r '.process.cwd' config.json)" /
	assert_equal "$(jq -r '.linux.namespaces | type' config.json)" array
}

@test "spec: refuses to overwrite an existing config.json" {
	cd "$SPECDIR"
	echo '{"keep": true}' >config.json
	run --separate-stderr "$EXEC2" spec
	assert_failure
	assert_output ""
	assert_regex "$stderr" "config.json.*exists|exists.*config.json"
	assert_equal "$(cat config.json)" '{"keep": true}'
}

@test "spec --host: root.path is /" {
	cd "$SPECDIR"
	run -0 "$EXEC2" spec --host
	assert_equal "$(jq -r .root.path config.json)" /
	assert_regex "$(jq -r .ociVersion config.json)" '^1\.'
}

@test "spec -b DIR: writes DIR/config.json, not in the cwd" {
	cd "$BATS_TEST_TMPDIR"
	run -0 "$EXEC2" spec -b "$SPECDIR"
	[ -f "$SPECDIR/config.json" ] || fail "no $SPECDIR/config.json"
	[ ! -e "$BATS_TEST_TMPDIR/config.json" ] || fail "spec -b also wrote into the cwd"
	jq -e . "$SPECDIR/config.json" >/dev/null
}
