# Helpers for the Landlock suites (escape.bats). Load after helpers:
#
#     load helpers
#     load landlock_helpers
#
# The static helper programs (tests/bats/helpers/{landlockabi,escape,recvtty}) are
# built into $HELPER_BIN when missing or older than their source, so the
# suite runs without .ci/run. Host-side processes a test starts go through
# host_bg and are ended by pid in teardown_landlock, even when the test fails.

ESCAPE="$HELPER_BIN/escape"

# build_landlock_helpers: for setup_file. A helper that cannot be built
# (no Go toolchain, a read-only checkout) is used as it is when present;
# when absent, the file's tests skip naming it.
build_landlock_helpers() {
	local name src bin
	command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
	for name in landlockabi escape recvtty; do
		src="$REPO/tests/bats/helpers/$name"
		bin="$HELPER_BIN/$name"
		if [ -x "$bin" ] && [ -z "$(find "$src" -name '*.go' -newer "$bin" 2>/dev/null)" ]; then
			continue
		fi
		if command -v go >/dev/null && mkdir -p "$HELPER_BIN" 2>/dev/null &&
			(cd "$REPO" && CGO_ENABLED=0 go build -o "$bin.$$" "./tests/bats/helpers/$name") &&
			mv -f "$bin.$$" "$bin"; then
			continue
		fi
		rm -f "$bin.$$"
		[ -x "$bin" ] || skip "requires $bin (CGO_ENABLED=0 go build -o $bin ./tests/bats/helpers/$name)"
	done
}

# landlock_abi: the host's Landlock ABI, 0 without Landlock.
landlock_abi() {
	"$HELPER_BIN/landlockabi"
}

# requires_abi N: skip unless the host's Landlock ABI is at least N.
requires_abi() {
	requires landlock
	[ "$(landlock_abi)" -ge "$1" ] || skip "requires landlock_abi_$1"
}

# host_bg NAME COMMAND...: start COMMAND on the host, in the background,
# marked as this test's, with stdout and stderr in $BATS_TEST_TMPDIR/NAME.out;
# sets HOST_PID. teardown_landlock ends it.
host_bg() {
	local name=$1
	shift
	EXEC2_TEST_ID="$CID" "$@" >"$BATS_TEST_TMPDIR/$name.out" 2>&1 </dev/null 3>&- &
	HOST_PID=$!
	echo "$HOST_PID" >>"$BATS_TEST_TMPDIR/host.pids"
}

# our_pid PID: PID is alive and carries this test's marker (not a reused pid).
our_pid() {
	pid_alive "$1" && grep -qzx "EXEC2_TEST_ID=$CID" "/proc/$1/environ" 2>/dev/null
}

# teardown_landlock: end the host processes host_bg started, then the
# common teardown (containers, cgroups, mounts, leak checks).
teardown_landlock() {
	local pid
	if [ -f "$BATS_TEST_TMPDIR/host.pids" ]; then
		for pid in $(cat "$BATS_TEST_TMPDIR/host.pids"); do
			if our_pid "$pid"; then
				kill -KILL "$pid" 2>/dev/null || true
			fi
			retry 5 pid_gone "$pid" || true
		done
	fi
	teardown_bundle
}

# in_container ARG...: run the bundle's process with these args in the
# foreground (run -N checks the exit status); stdout in $output, stderr in
# $stderr.
in_container() {
	set_args "$@"
	run --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	printf '# status %s\n# stdout: %s\n# stderr: %s\n' "$status" "$output" "$stderr" >&2
}

# install_escape: copy the escape helper into the chroot-mode rootfs.
install_escape() {
	cp "$ESCAPE" "$ROOTFS/bin/escape"
}
