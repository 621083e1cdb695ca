#!/usr/bin/env bats
# features: runtime-spec features JSON with ociVersionMin/Max, the hooks and a
# "linux" object listing namespaces; it needs no state and no global flags.

load helpers

setup() {
	exec2_setup
}

teardown() {
	teardown_bundle
}

@test "features: versions, hooks and linux namespaces" {
	run -0 --separate-stderr "$EXEC2" features
	assert_equal "$stderr" ""
	local json="$output"
	jq -e . >/dev/null <<<"$json" || fail "features is not JSON: $json"
	assert_regex "$(jq -r .ociVersionMin <<<"$json")" '^1\.[0-9]+\.[0-9]+'
	assert_regex "$(jq -r .ociVersionMax <<<"$json")" '^1\.[0-9]+\.[0-9]+'
	assert_equal "$(jq -r '.linux | type' <<<"$json")" object
	assert_equal "$(jq -r '.linux.namespaces | type' <<<"$json")" array
	local ns
	for ns in pid ipc uts network mount; do
		jq -e --arg ns "$ns" '.linux.namespaces | index($ns) != null' >/dev/null <<<"$json" ||
			fail "namespace $ns missing from $(jq -c .linux.namespaces <<<"$json")"
	done
	local hook
	for hook in prestart createRuntime poststart poststop; do
		jq -e --arg h "$hook" '.hooks | index($h) != null' >/dev/null <<<"$json" ||
			fail "hook $hook missing from $(jq -c .hooks <<<"$json")"
	done
}

@test "features: works with global flags and a root that does not exist" {
	run -0 --separate-stderr exec2 features
	assert_equal "$stderr" ""
	assert_equal "$(jq -r '.linux | type' <<<"$output")" object
}

@test "features: annotations name the unveil and tcp annotation keys and the config in force" {
	run -0 --separate-stderr "$EXEC2" features
	assert_equal "$(jq -r '.annotations["org.exec2.unveil.annotation"]' <<<"$output")" org.exec2.unveil
	assert_equal "$(jq -r '.annotations["org.exec2.net.annotation"]' <<<"$output")" org.exec2.net.tcp
	assert_equal "$(jq -r '.annotations["org.exec2.unveil.by_task"]' <<<"$output")" false
	run -0 --separate-stderr "$EXEC2" --unveil-by-task true features
	assert_equal "$(jq -r '.annotations["org.exec2.unveil.by_task"]' <<<"$output")" true
}
