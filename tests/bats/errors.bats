#!/usr/bin/env bats
# errors: the JSON log (--log --log-format json) and stderr carry the final
# error; usage errors print one line on stderr and nothing on stdout; bad
# bundles are refused with a message naming the field and leave no state
# directory, cgroup, process or pid file behind; --version.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# expect_create_failure REGEX...: create fails, prints nothing on stdout,
# its stderr matches every REGEX, and nothing is left behind.
expect_create_failure() {
	exec2_io bad create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/bad.pid" "$CID"
	assert_equal "$status" 1
	assert_equal "$output" ""
	local re
	for re in "$@"; do
		assert_regex "$stderr" "$re"
	done
	[ ! -e "$BATS_TEST_TMPDIR/bad.pid" ] || fail "failed create wrote a pid file"
	assert_no_leftovers
}

@test "errors: --log-format json logs valid lines; the last error is also on stderr" {
	local log="$BATS_TEST_TMPDIR/log.json" line
	# The log is appended to, never truncated (containerd keeps one per bundle).
	echo '{"level":"info","msg":"an earlier call","time":"2020-01-01T00:00:00Z"}' >"$log"
	set_args no-such-program-xyz
	exec2_io logged --log "$log" --log-format json create --bundle "$BUNDLE" "$CID"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$(head -n 1 "$log")" '{"level":"info","msg":"an earlier call","time":"2020-01-01T00:00:00Z"}'
	[ "$(wc -l <"$log")" -ge 2 ] || fail "nothing logged"
	while IFS= read -r line; do
		jq -e 'type == "object" and (.level | type) == "string" and (.msg | type) == "string"
			and (.time | type) == "string"' >/dev/null <<<"$line" || fail "bad log line: $line"
		date -d "$(jq -r .time <<<"$line")" >/dev/null || fail "time is not RFC 3339: $line"
	done <"$log"
	local msg
	msg="$(jq -rs 'map(select(.level == "error")) | last | .msg' "$log")"
	[[ "$msg" == *'executable file not found in $PATH'* ]] || fail "last error: $msg"
	[[ "$stderr" == *"$msg"* ]] || fail "stderr '$stderr' lacks '$msg'"
	assert_no_leftovers
}

@test "errors: unknown subcommand: one line on stderr, nothing on stdout, logged" {
	local log="$BATS_TEST_TMPDIR/log.json"
	run --separate-stderr exec2 --log "$log" --log-format json frobnicate
	assert_failure
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "frobnicate"
	assert_regex "$(jq -rs 'map(select(.level == "error")) | last | .msg' "$log")" "frobnicate"
}

@test "errors: unknown global flag: one line on stderr, nothing on stdout" {
	run --separate-stderr "$EXEC2" --no-such-flag list
	assert_failure
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "no-such-flag"
}

@test "errors: unknown command flag: one line on stderr, nothing on stdout" {
	run --separate-stderr exec2 create --no-such-flag --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" "no-such-flag"
	assert_no_leftovers
}

@test "errors: an invalid --log-format is refused" {
	run --separate-stderr exec2 --log-format yaml list
	assert_failure
	assert_output ""
	assert_regex "$stderr" "yaml"
}

@test "errors: malformed config.json" {
	echo '{"ociVersion": "1.2.0", "process": ' >"$BUNDLE/config.json"
	expect_create_failure "config|JSON|json"
}

@test "errors: config.json without process" {
	update_config 'del(.process)'
	expect_create_failure "process"
}

@test "errors: process.args empty" {
	update_config '.process.args = []'
	expect_create_failure "args"
}

@test "errors: ociVersion 2.0.0" {
	update_config '.ociVersion = "2.0.0"'
	expect_create_failure "ociVersion" "2\.0\.0"
}

@test "errors: unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogusns"}]'
	expect_create_failure "namespace" "bogusns"
}

@test "errors: relative mount destination" {
	update_config '.mounts += [{"destination": "relative/dst", "type": "bind", "source": "/tmp", "options": ["rbind"]}]'
	expect_create_failure "relative/dst"
}

@test "errors: root.path that does not exist" {
	update_config '.root.path = "no-such-rootfs"'
	expect_create_failure "no-such-rootfs"
}

@test "errors: chroot mode, executable not in PATH" {
	set_args no-such-program-xyz
	expect_create_failure 'executable file not found in \$PATH' "no-such-program-xyz"
}

@test "errors: host-root mode, executable not in PATH" {
	setup_host_bundle
	set_args no-such-program-xyz
	expect_create_failure 'executable file not found in \$PATH' "no-such-program-xyz"
}

@test "errors: absolute executable that does not exist" {
	set_args /bin/no-such-program-xyz
	expect_create_failure "no such file or directory" "/bin/no-such-program-xyz"
}

@test "errors: cwd that does not exist" {
	update_config '.process.cwd = "/no/such/dir"'
	expect_create_failure "/no/such/dir"
}

@test "errors: host-root mode, cwd that does not exist" {
	setup_host_bundle
	update_config '.process.cwd = "/no/such/dir"'
	expect_create_failure "/no/such/dir"
}

@test "errors: --version prints a version" {
	run -0 --separate-stderr "$EXEC2" --version
	assert_equal "$stderr" ""
	assert_regex "${lines[0]}" '^exec2-oci version [^ ]+'
}
