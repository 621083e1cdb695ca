#!/usr/bin/env bats
# escape: real escape attempts from inside containers, in host-root mode
# (root.path "/", Landlock alone) and chroot mode (chroot + mounts + Landlock
# over the container paths). The attacker is tests/bats/helpers/escape,
# which prints "OP ARG: ok" or "OP ARG: ERRNO" per attempt. Every attempt
# must fail with the stated error, and its allowed counterpart must work.
# In chroot mode a read-only or noexec mount refuses first (EROFS, EACCES
# from the mount), Landlock's rule on the destination is the second wall;
# the chroot-escape test is where Landlock alone holds. Tests that need a
# newer Landlock ABI than the host has skip with "requires landlock_abi_N"
# (the Debian 6.1 VM has ABI 2).

load helpers
load landlock_helpers

setup_file() {
	build_landlock_helpers
}

setup() {
	setup_bundle
	requires landlock
	install_escape
}

teardown() {
	teardown_landlock
}

# ---- files ------------------------------------------------------------------

@test "escape: host-root: /etc/shadow is not readable, nor through /proc/1/root" {
	setup_host_bundle
	[ -f /etc/shadow ] || skip "requires /etc/shadow on the host"
	# Readable here: a denial inside comes from Landlock, not permissions.
	cat /etc/shadow >/dev/null
	remove_namespace pid
	in_container "$ESCAPE" read /etc/shadow read /proc/1/root/etc/shadow
	assert_failure 1
	assert_output "$(printf 'read /etc/shadow: EACCES\nread /proc/1/root/etc/shadow: EACCES')"
}

@test "escape: host-root: /root cannot be listed" {
	setup_host_bundle
	[ -d /root ] || skip "requires /root on the host"
	ls /root >/dev/null
	in_container "$ESCAPE" list /root
	assert_failure 1
	assert_output "list /root: EACCES"
}

@test "escape: host-root: nothing can be created under /usr" {
	setup_host_bundle
	local f="/usr/lib/exec2-escape-$CID"
	# Writable here, so a denial inside comes from Landlock (the VM's / is read-only).
	touch "$f" 2>/dev/null || skip "requires a writable /usr/lib on the host"
	rm -f "$f"
	in_container "$ESCAPE" create "$f"
	rm -f "$f"
	assert_failure 1
	assert_output "create $f: EACCES"
}

@test "escape: host-root: nothing can be created in a host directory that is not unveiled" {
	setup_host_bundle
	local d="$BATS_TEST_TMPDIR/hidden"
	mkdir "$d"
	in_container "$ESCAPE" create "$d/new" list "$d"
	assert_failure 1
	assert_output "$(printf 'create %s: EACCES\nlist %s: EACCES' "$d/new" "$d")"
	[ ! -e "$d/new" ] || fail "created in a directory that is not unveiled"
}

@test "escape: chroot: the read-only rootfs cannot be written (mount, EROFS)" {
	mkdir -p "$ROOTFS/usr"
	in_container /bin/escape create /usr/new
	assert_failure 1
	assert_output "create /usr/new: EROFS"
	[ ! -e "$ROOTFS/usr/new" ] || fail "created in the read-only rootfs"
}

@test "escape: host-root: a read-only bind is readable, nothing can be created in it" {
	setup_host_bundle
	local d="$BATS_TEST_TMPDIR/ro"
	mkdir "$d"
	echo data >"$d/file"
	add_bind "$d" "$d" ro
	in_container "$ESCAPE" read "$d/file" create "$d/new" openw "$d/file"
	assert_failure 1
	assert_output "$(printf 'read %s: ok\ncreate %s: EACCES\nopenw %s: EACCES' "$d/file" "$d/new" "$d/file")"
	[ ! -e "$d/new" ] || fail "created in a read-only bind"
}

@test "escape: chroot: a read-only bind is readable, nothing can be created in it (mount, EROFS)" {
	local d="$BATS_TEST_TMPDIR/ro"
	mkdir "$d" "$ROOTFS/data"
	echo data >"$d/file"
	add_bind "$d" /data ro
	in_container /bin/escape read /data/file create /data/new
	assert_failure 1
	assert_output "$(printf 'read /data/file: ok\ncreate /data/new: EROFS')"
	[ ! -e "$d/new" ] || fail "created in a read-only bind"
}

@test "escape: host-root: a copied binary does not run from a noexec bind" {
	setup_host_bundle
	local rw="$BATS_TEST_TMPDIR/rw" ro="$BATS_TEST_TMPDIR/ro" x="$BATS_TEST_TMPDIR/x"
	mkdir "$rw" "$ro" "$x"
	cp "$ESCAPE" "$ro/prog"
	add_bind "$rw" "$rw" rw noexec
	add_bind "$ro" "$ro" ro noexec
	add_bind "$x" "$x" rw
	in_container "$ESCAPE" copy "$rw/prog" exec "$rw/prog" exec "$ro/prog" copy "$x/prog" exec "$x/prog"
	assert_failure 1
	assert_output "$(printf 'copy %s: ok\nexec %s: EACCES\nexec %s: EACCES\ncopy %s: ok\nexec %s: ok' \
		"$rw/prog" "$rw/prog" "$ro/prog" "$x/prog" "$x/prog")"
}

@test "escape: chroot: a copied binary does not run from a noexec bind (mount noexec)" {
	local rw="$BATS_TEST_TMPDIR/rw" x="$BATS_TEST_TMPDIR/x"
	mkdir "$rw" "$x" "$ROOTFS/data" "$ROOTFS/x"
	add_bind "$rw" /data rw noexec
	add_bind "$x" /x rw
	in_container /bin/escape copy /data/prog exec /data/prog copy /x/prog exec /x/prog
	assert_failure 1
	assert_output "$(printf 'copy /data/prog: ok\nexec /data/prog: EACCES\ncopy /x/prog: ok\nexec /x/prog: ok')"
}

# CVE-2019-5736 overwrote the runtime binary through /proc/PID/exe of a
# runtime process. Here the only process running the runtime binary after
# create is a created container's init, blocked on exec.fifo before
# Landlock and execve; no code of that container runs yet. So the attacker
# is another container in the same (host) PID namespace: it must not open
# that init's /proc/PID/exe for writing, nor read it. Its own /proc/self/exe
# is the program it runs, not the runtime.
@test "escape: host-root: a created container's init (the runtime binary) cannot be opened through /proc/PID/exe" {
	setup_host_bundle
	remove_namespace pid
	create_container --pid-file "$BATS_TEST_TMPDIR/a.pid" "$CID-a"
	local pid
	pid="$(read_pid "$BATS_TEST_TMPDIR/a.pid")"
	assert_equal "$(readlink -f "/proc/$pid/exe")" "$(readlink -f "$EXEC2")"
	in_container "$ESCAPE" openw "/proc/$pid/exe" read "/proc/$pid/exe" openw /proc/self/exe
	assert_failure 1
	assert_line --index 0 "openw /proc/$pid/exe: EACCES"
	assert_line --index 1 "read /proc/$pid/exe: EACCES"
	# The running program's own binary: busy (ETXTBSY) or refused by Landlock.
	assert_line --index 2 --regexp '^openw /proc/self/exe: (ETXTBSY|EACCES)$'
	assert_equal "$(readlink -f "/proc/$pid/exe")" "$(readlink -f "$EXEC2")"
}

# ---- chroot -----------------------------------------------------------------

@test "escape: chroot: a root process that escapes the chroot still reaches no host file" {
	# A writable rootfs, so the attacker can mkdir its second chroot.
	update_config '.root.readonly = false'
	local secret="$BATS_TEST_TMPDIR/secret" found=/etc/shadow:/etc/passwd:/init:/bin/sh
	echo secret >"$secret"
	# The escape lands on the root of the container's mount namespace. When
	# this suite itself runs chrooted (the VM runs it in chroot /host), that
	# is not the root the bundle paths are relative to: only the first
	# existing file of $found is tried there.
	if [ "$(stat -c %d:%i /)" != "$(stat -L -c %d:%i /proc/1/root 2>/dev/null)" ]; then
		in_container /bin/escape chroot-escape x list / read-found "$found"
		assert_failure 1
		assert_output "$(printf 'chroot-escape x: ok\nlist /: EACCES\nread-found %s: EACCES' "$found")"
		return
	fi
	in_container /bin/escape chroot-escape x stat "$secret" read "$secret" list / read-found "$found"
	assert_failure 1
	# stat succeeds: the escape did reach the host's root (Landlock does not
	# restrict stat); every read is refused.
	assert_output "$(printf 'chroot-escape x: ok\nstat %s: ok\nread %s: EACCES\nlist /: EACCES\nread-found %s: EACCES' \
		"$secret" "$secret" "$found")"
}

# ---- signals and sockets (ABI 6 scopes) ---------------------------------------

@test "escape: host-root without a PID namespace: a host process cannot be signalled" {
	requires_abi 6
	setup_host_bundle
	remove_namespace pid
	host_bg sleeper sleep 600
	local pid=$HOST_PID
	in_container "$ESCAPE" kill "$pid"
	assert_failure 1
	assert_output "kill $pid: EPERM"
	pid_alive "$pid" || fail "the host's sleep $pid was killed from the container"
}

@test "escape: chroot without a PID namespace: a host process cannot be signalled" {
	requires_abi 6
	remove_namespace pid
	host_bg sleeper sleep 600
	local pid=$HOST_PID
	in_container /bin/escape kill "$pid"
	assert_failure 1
	assert_output "kill $pid: EPERM"
	pid_alive "$pid" || fail "the host's sleep $pid was killed from the container"
}

@test "escape: host-root: an abstract unix socket outside cannot be connected to" {
	requires_abi 6
	setup_host_bundle
	remove_namespace network
	local name="@exec2-escape-$CID"
	host_bg listener "$ESCAPE" listen "$name"
	wait_for_file "$BATS_TEST_TMPDIR/listener.out" listening
	# The socket works from the host: the refusal inside is Landlock's.
	run "$ESCAPE" connect "$name"
	assert_success
	in_container "$ESCAPE" connect "$name"
	assert_failure 1
	assert_output "connect $name: EPERM"
}

@test "escape: chroot without a network namespace: an abstract unix socket outside cannot be connected to" {
	requires_abi 6
	remove_namespace network
	local name="@exec2-escape-$CID"
	host_bg listener "$ESCAPE" listen "$name"
	wait_for_file "$BATS_TEST_TMPDIR/listener.out" listening
	in_container /bin/escape connect "$name"
	assert_failure 1
	assert_output "connect $name: EPERM"
}

# ---- TCP ports (ABI 4) and device ioctls (ABI 5) ------------------------------

# tcp_listener NAME: a host TCP listener on a free loopback port; prints the port.
tcp_listener() {
	host_bg "$1" "$ESCAPE" tcp-listen 127.0.0.1:0
	wait_for_file "$BATS_TEST_TMPDIR/$1.out" listening
	sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/$1.out"
}

@test "escape: host-root: org.exec2.net.tcp allows only its ports" {
	requires_abi 4
	setup_host_bundle
	remove_namespace network
	local allowed other
	allowed="$(tcp_listener tcp1)"
	other="$(tcp_listener tcp2)"
	[ -n "$allowed" ] && [ -n "$other" ] || fail "no listener ports: '$allowed' '$other'"
	update_config '.annotations["org.exec2.net.tcp"] = $v' --arg v "connect:$allowed"
	# other is taken: a bind refused by Landlock says EACCES, not EADDRINUSE.
	in_container "$ESCAPE" tcp-connect "127.0.0.1:$allowed" tcp-connect "127.0.0.1:$other" tcp-bind "127.0.0.1:$other"
	assert_failure 1
	assert_output "$(printf 'tcp-connect 127.0.0.1:%s: ok\ntcp-connect 127.0.0.1:%s: EACCES\ntcp-bind 127.0.0.1:%s: EACCES' \
		"$allowed" "$other" "$other")"
}

@test "allowed: host-root: without org.exec2.net.tcp, TCP is not restricted" {
	setup_host_bundle
	remove_namespace network
	local port
	port="$(tcp_listener tcp1)"
	in_container "$ESCAPE" tcp-connect "127.0.0.1:$port"
	assert_success
	assert_output "tcp-connect 127.0.0.1:$port: ok"
}

@test "degrade: org.exec2.net.tcp before ABI 4 runs unrestricted with a warning" {
	requires landlock
	[ "$(landlock_abi)" -lt 4 ] || skip "requires a landlock ABI below 4 (the host has $(landlock_abi))"
	setup_host_bundle
	update_config '.annotations["org.exec2.net.tcp"] = "none"'
	set_args /bin/true
	run --separate-stderr exec2 --log-level warning run --bundle "$BUNDLE" "$CID"
	assert_success
	assert_regex "$stderr" "annotation org.exec2.net.tcp is not enforced"
}

@test "escape: host-root: no ioctl on a device node outside the device rules" {
	requires_abi 5
	setup_host_bundle
	local d="$BATS_TEST_TMPDIR/devs"
	mkdir "$d"
	# A second /dev/null, reachable through a read-only directory bind.
	mknod -m 666 "$d/null" c 1 3
	add_bind "$d" "$d" ro
	in_container "$ESCAPE" read "$d/null" ioctl "$d/null" ioctl /dev/null
	assert_failure 1
	# ENOTTY: the ioctl reached /dev/null's driver, which is no terminal.
	assert_output "$(printf 'read %s: ok\nioctl %s: EACCES\nioctl /dev/null: ENOTTY' "$d/null" "$d/null")"
}

# terminal_attempts: with process.terminal, the pty fds opened before the
# lock and /dev/tty opened after it keep their ioctls.
terminal_attempts() {
	local sock="$BATS_TEST_TMPDIR/tty.sock" rpid
	update_config '.process.terminal = true'
	set_args "$1" ioctl-fd 0 ioctl-fd 1 ioctl /dev/tty
	host_bg recvtty "$HELPER_BIN/recvtty" -timeout 30s "$sock"
	rpid=$HOST_PID
	retry 10 test -S "$sock" || fail "recvtty did not listen"
	create_container --console-socket "$sock" "$CID"
	run exec2 start "$CID"
	assert_success
	retry 15 pid_gone "$rpid" || fail "recvtty did not see the pty close"
	run tr -d '\r' <"$BATS_TEST_TMPDIR/recvtty.out"
	assert_output "$(printf 'ioctl-fd 0: ok\nioctl-fd 1: ok\nioctl /dev/tty: ok')"
}

@test "allowed: chroot: a terminal keeps its ioctls" {
	requires recvtty
	terminal_attempts /bin/escape
}

@test "allowed: host-root: a terminal keeps its ioctls" {
	requires recvtty
	setup_host_bundle
	terminal_attempts "$ESCAPE"
}

# ---- allowed counterparts ---------------------------------------------------

@test "allowed: host-root: rw bind write, ro bind read, DNS files, /proc/self/status" {
	setup_host_bundle
	local rw="$BATS_TEST_TMPDIR/rw" ro="$BATS_TEST_TMPDIR/ro" dns f
	mkdir "$rw" "$ro"
	echo data >"$ro/file"
	add_bind "$rw" "$rw" rw
	add_bind "$ro" "$ro" ro
	for f in /etc/resolv.conf /etc/hosts; do
		[ -f "$f" ] && dns=$f && break
	done
	[ -n "$dns" ] || skip "requires /etc/resolv.conf or /etc/hosts on the host"
	in_container "$ESCAPE" create "$rw/new" read "$ro/file" read "$dns" read /proc/self/status
	assert_success
	assert_output "$(printf 'create %s: ok\nread %s: ok\nread %s: ok\nread /proc/self/status: ok' "$rw/new" "$ro/file" "$dns")"
	[ -e "$rw/new" ] || fail "the rw bind write did not reach the host"
}

@test "allowed: chroot: rw bind write, ro bind read, /etc/hosts, /proc/self/status" {
	local rw="$BATS_TEST_TMPDIR/rw" ro="$BATS_TEST_TMPDIR/ro"
	mkdir "$rw" "$ro" "$ROOTFS/rw" "$ROOTFS/ro"
	echo data >"$ro/file"
	echo "127.0.0.1 localhost" >"$ROOTFS/etc/hosts"
	add_bind "$rw" /rw rw
	add_bind "$ro" /ro ro
	in_container /bin/escape create /rw/new read /ro/file read /etc/hosts read /proc/self/status
	assert_success
	assert_output "$(printf 'create /rw/new: ok\nread /ro/file: ok\nread /etc/hosts: ok\nread /proc/self/status: ok')"
	[ -e "$rw/new" ] || fail "the rw bind write did not reach the host"
}

@test "allowed: signals and abstract sockets inside the container" {
	setup_host_bundle
	remove_namespace pid
	# Only args[0] is granted rx: the shell runs the helper from an exec bind.
	local x="$BATS_TEST_TMPDIR/x"
	mkdir "$x"
	cp "$ESCAPE" "$x/escape"
	add_bind "$x" "$x" ro
	in_container /bin/sh -c "sleep 60 & kill \$! ; wait \$! ; echo \$? ; $x/escape selfconnect @exec2-own-$CID"
	assert_success
	assert_output "$(printf '143\nselfconnect @exec2-own-%s: ok' "$CID")"
}
