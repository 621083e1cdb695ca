#!/usr/bin/env bats
# run: foreground run passes the program's exit status (128+N when killed by
# signal N), stdout/stderr and SIGTERM through and removes the container;
# run -d returns at once. What the init sets up: process.env (and none of the
# runtime's own), cwd, uid/gids, hostname, a fresh /proc for a pid namespace
# in host-root mode, chroot mode's read-only root, /proc, /sys and /dev.
# Landlock basics in host-root mode: identity binds are readable / writable
# as asked, everything else (e.g. /etc/shadow) is not, and the default system
# paths (/bin/sh, /bin/busybox) are.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "run: chroot mode, exit status passes through" {
	set_args sh -c 'exit 3'
	run -3 exec2 run --bundle "$BUNDLE" "$CID"
	assert_output ""
}

@test "run: host-root mode, exit status passes through" {
	setup_host_bundle
	set_args /bin/sh -c 'exit 5'
	run -5 exec2 run --bundle "$BUNDLE" "$CID"
	assert_output ""
}

@test "run: killed by SIGKILL exits 137" {
	# Without a pid namespace the program is not a namespace init, so it
	# can SIGKILL itself.
	remove_namespace pid
	set_args sh -c 'kill -9 $$; echo survived'
	run -137 exec2 run --bundle "$BUNDLE" "$CID"
	assert_output ""
}

@test "run: stdout and stderr pass through" {
	set_args sh -c 'echo out-line; echo err-line >&2'
	run -0 --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_output "out-line"
	assert_equal "$stderr" "err-line"
}

@test "run: chroot mode sees the bundle rootfs as /" {
	set_args cat /etc/passwd
	run -0 --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_output "root:x:0:0:root:/:/bin/sh"
	assert_equal "$stderr" ""
}

exec2_with_extra_env() {
	EXEC2_RUNTIME_ONLY=leak exec2 "$@"
}

@test "run: the program gets process.env, cwd, user and hostname from config" {
	update_config '.process.cwd = "/tmp" | .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5]}
		| .hostname = "e2-test-host" | .process.env += ["FROM_CONFIG=yes"]'
	set_args sh -c 'pwd; id -u; id -g; id -G; hostname; env | sort'
	# The runtime's own environment must not reach the program.
	run -0 --separate-stderr exec2_with_extra_env run --bundle "$BUNDLE" "$CID"
	assert_equal "$stderr" ""
	assert_line --index 0 /tmp
	assert_line --index 1 1000
	assert_line --index 2 1000
	assert_line --index 3 "1000 5"
	assert_line --index 4 e2-test-host
	assert_line FROM_CONFIG=yes
	assert_line "EXEC2_TEST_ID=$CID"
	refute_line --partial EXEC2_RUNTIME_ONLY
}

@test "run: host-root mode with a pid namespace: pid 1 and a fresh /proc" {
	setup_host_bundle
	update_config '.linux.namespaces |= (map(select(.type != "pid")) + [{"type": "pid"}])'
	set_args /bin/sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l'
	run -0 --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_equal "$stderr" ""
	assert_line --index 0 1
	# sh, and ls or wc: nothing of the host's processes.
	[ "${lines[1]}" -le 3 ] || fail "/proc shows ${lines[1]} processes"
}

@test "run: chroot mode enforces root.readonly, and writes when it is false" {
	update_config '.root.readonly = true'
	set_args touch /made-here
	run --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_regex "$stderr" "Read-only file system|Permission denied"
	[ ! -e "$ROOTFS/made-here" ] || fail "wrote into a read-only root"

	update_config '.root.readonly = false'
	run -0 exec2 run --bundle "$BUNDLE" "$CID"
	[ -e "$ROOTFS/made-here" ] || fail "no file made in a writable root"
}

@test "run: chroot mode has /proc, a read-only /sys and the standard /dev nodes" {
	set_args sh -c 'echo x >/dev/null && head -c 3 /dev/zero | wc -c
		for n in null zero full random urandom tty; do [ -c /dev/$n ] || echo "no /dev/$n"; done
		[ -r /proc/self/status ] && echo proc-ok
		if mkdir /sys/e2-probe 2>/dev/null; then echo sys-writable; else echo sys-ro; fi'
	run -0 --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_equal "$stderr" ""
	assert_output "$(printf '3\nproc-ok\nsys-ro')"
}

@test "run: the container is removed after a foreground run" {
	set_args true
	run -0 exec2 run --bundle "$BUNDLE" "$CID"
	run --separate-stderr exec2 state "$CID"
	assert_failure
	assert_regex "$stderr" "does not exist"
	assert_no_leftovers
}

@test "run -d: returns at once, status running, pid file written" {
	local t0=$SECONDS
	exec2_io rund run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/r.pid" "$CID"
	assert_equal "$status" 0
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	# The program sleeps 600 s: returning well before proves run -d did not wait.
	[ $((SECONDS - t0)) -lt $((WAIT_SECONDS * 3)) ] || fail "run -d took $((SECONDS - t0))s"
	pid="$(read_pid "$BATS_TEST_TMPDIR/r.pid")"
	assert_equal "$(state_field "$CID" .status)" running
	assert_equal "$(state_field "$CID" .pid)" "$pid"
	pid_alive "$pid"
}

@test "run: SIGTERM to the runtime reaches the program; its status comes back" {
	local out="$BATS_TEST_TMPDIR/fg.out" rpid rc=0
	set_args sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	# Started directly (not through timeout) so the signal goes to the runtime.
	EXEC2_TEST_ID="$CID" "$EXEC2" --root "$EXEC2_ROOT" run --bundle "$BUNDLE" "$CID" \
		>"$out" 2>"$BATS_TEST_TMPDIR/fg.err" </dev/null 3>&- &
	rpid=$!
	wait_for_file "$out" ready
	kill -TERM "$rpid"
	retry "$WAIT_SECONDS" pid_gone "$rpid" || fail "run did not exit after SIGTERM"
	wait "$rpid" || rc=$?
	assert_equal "$rc" 7
	assert_equal "$(cat "$BATS_TEST_TMPDIR/fg.err")" ""
	run exec2 state "$CID"
	assert_failure
}

@test "landlock: a read-only identity bind is readable, not writable" {
	requires landlock
	setup_host_bundle
	local d="$BATS_TEST_TMPDIR/data"
	mkdir "$d"
	echo readable >"$d/file"
	add_bind "$d" "$d" ro
	set_args /bin/sh -c "cat $d/file; echo x >$d/new"
	run --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_output "readable"
	assert_regex "$stderr" "Permission denied"
	[ ! -e "$d/new" ] || fail "wrote into a read-only bind"
}

@test "landlock: a read-write identity bind is writable" {
	requires landlock
	setup_host_bundle
	local d="$BATS_TEST_TMPDIR/data"
	mkdir "$d"
	add_bind "$d" "$d" rw
	set_args /bin/sh -c "echo written >$d/new"
	run -0 exec2 run --bundle "$BUNDLE" "$CID"
	assert_equal "$(cat "$d/new")" written
}

@test "landlock: /etc/shadow is not readable in host-root mode" {
	requires landlock
	setup_host_bundle
	# Readable here, so a denial inside comes from Landlock, not permissions.
	cat /etc/shadow >/dev/null
	set_args /bin/cat /etc/shadow
	run --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "Permission denied"
}

@test "landlock: default system paths run: /bin/sh and /bin/busybox" {
	requires landlock
	setup_host_bundle
	set_args /bin/sh -c '/bin/busybox echo from-busybox; echo from-sh'
	run -0 --separate-stderr exec2 run --bundle "$BUNDLE" "$CID"
	assert_output "$(printf 'from-busybox\nfrom-sh')"
	assert_equal "$stderr" ""
}

@test "run: a bundle denying every device (runc's spec) keeps the standard /dev nodes" {
	assert_equal "$(jq -c .linux.resources.devices "$BUNDLE/config.json")" '[{"allow":false,"access":"rwm"}]'
	set_args sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c'
	run -0 exec2 run --bundle "$BUNDLE" "$CID"
	assert_output "$(printf '4\n4')"
}
