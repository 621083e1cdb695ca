# Shared helpers for the exec2-oci bats suites.
#
# Every test gets a private --root, bundle and container id prefix under its
# own $BATS_TEST_TMPDIR, so suites never touch /run/exec2-oci. Every runtime
# invocation carries EXEC2_TEST_ID=<prefix> in its environment and every
# bundle puts it in process.env: teardown uses that marker to find (and end,
# by pid) any process the test left behind, even when the runtime is broken.

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
EXEC2="${EXEC2:-$REPO/exec2-oci}"
# Small Go helpers built by .ci/run (go build -o bin/... ./tests/bats/helpers/...).
HELPER_BIN="${HELPER_BIN:-$REPO/bin}"
# Upper bound for one runtime call; a hung runtime fails the test instead of the suite.
EXEC2_TIMEOUT="${EXEC2_TIMEOUT:-60}"
# Default bound for polling waits; the VM suite (EXEC2_VM=1, TCG) is much slower.
if [ -n "${EXEC2_VM:-}" ]; then
	WAIT_SECONDS="${EXEC2_WAIT:-90}"
else
	WAIT_SECONDS="${EXEC2_WAIT:-10}"
fi
BUSYBOX="${BUSYBOX:-/bin/busybox}"
BUSYBOX_APPLETS="sh ash ls cat echo sleep true false id hostname ps kill mkdir touch env grep wc head
	tail printf test [ pwd rm sed tr cut tty stat readlink mount uname date dd sort uniq seq"

# exec2 ARGS...: the runtime under test with the test's private root. fd 3 is
# bats' own pipe: close it so a container that keeps inherited fds cannot
# hold the suite open.
exec2() {
	EXEC2_TEST_ID="$CID" timeout --kill-after=5 "$EXEC2_TIMEOUT" \
		"$EXEC2" --root "$EXEC2_ROOT" "$@" 3>&-
}

# exec2_io NAME ARGS...: like `run exec2 ARGS...` for commands whose stdio
# the container inherits (create, run -d): bats' `run` would wait for EOF on
# a pipe the container keeps open, so stdio goes to $BATS_TEST_TMPDIR/NAME.out
# and NAME.err instead. Sets status, output (stdout) and stderr like `run`.
exec2_io() {
	local name=$1
	shift
	local out="$BATS_TEST_TMPDIR/$name.out" err="$BATS_TEST_TMPDIR/$name.err"
	status=0
	exec2 "$@" >"$out" 2>"$err" </dev/null || status=$?
	output="$(cat "$out")"
	stderr="$(cat "$err")"
	printf '# exec2 %s -> %s\n# stdout: %s\n# stderr: %s\n' "$*" "$status" "$output" "$stderr" >&2
}

# create_container [CREATE-FLAGS...] ID: create from $BUNDLE and fail the test
# unless it succeeded silently. Container stdio is ID.out / ID.err.
create_container() {
	local id="${*: -1}"
	exec2_io "$id" create --bundle "$BUNDLE" "$@"
	if [ "$status" -ne 0 ] || [ -n "$output" ] || [ -n "$stderr" ]; then
		fail "create $id: status $status, stdout '$output', stderr '$stderr'"
	fi
}

# start_container ID: create + start.
start_container() {
	create_container "$@"
	run exec2 start "${@: -1}"
	assert_success
	assert_output ""
}

exec2_setup() {
	requires root
	[ -x "$EXEC2" ] || fail "runtime binary $EXEC2 is missing: build it with 'CGO_ENABLED=0 go build -o exec2-oci .' (or run .ci/run)"
	# Unique per test file, test and run: cgroups and leak checks key on it.
	CID="$(basename "$BATS_TEST_FILENAME" .bats)-$BATS_TEST_NUMBER-$$"
	EXEC2_ROOT="$BATS_TEST_TMPDIR/root"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	ROOTFS="$BUNDLE/rootfs"
	mkdir -p "$BUNDLE"
}

# setup_bundle: a chroot-mode bundle whose rootfs is busybox-static plus
# applet links, config from `exec2-oci spec`. The default process is a
# long sleep without a terminal; tests change it with update_config.
setup_bundle() {
	exec2_setup
	cp -a "$(template rootfs)" "$ROOTFS"
	write_spec chroot
}

# setup_host_bundle: a host-root bundle (`spec --host`, root.path "/").
setup_host_bundle() {
	exec2_setup
	rm -rf "$ROOTFS"
	write_spec host
	local root
	root="$(jq -r .root.path "$BUNDLE/config.json")"
	[ "$root" = "/" ] || fail "spec --host wrote root.path '$root', want /"
}

# template NAME: the path of a per-file template (rootfs, chroot.json,
# host.json), made on first use: forks are slow in the VM suite.
template() {
	local t="$BATS_FILE_TMPDIR/template-$1" a
	if [ ! -e "$t" ]; then
		case $1 in
		rootfs)
			mkdir -p "$t.new"/{bin,proc,sys,dev,tmp,etc,shared}
			cp "$BUSYBOX" "$t.new/bin/busybox"
			for a in $BUSYBOX_APPLETS; do
				ln -s busybox "$t.new/bin/$a"
			done
			echo "root:x:0:0:root:/:/bin/sh" >"$t.new/etc/passwd"
			echo "root:x:0:" >"$t.new/etc/group"
			;;
		chroot.json | host.json)
			mkdir -p "$t.dir"
			local flag=()
			[ "$1" = chroot.json ] || flag=(--host)
			(cd "$t.dir" && "$EXEC2" spec "${flag[@]}" 3>&-) || fail "exec2-oci spec ${flag[*]} failed"
			mv "$t.dir/config.json" "$t.new"
			rmdir "$t.dir"
			;;
		esac
		mv "$t.new" "$t"
	fi
	echo "$t"
}

# write_spec chroot|host: $BUNDLE/config.json from `exec2-oci spec [--host]`
# with this test's marker in process.env and a long sleep as the program.
write_spec() {
	local cfg
	cfg="$(template "$1.json")"
	jq '.process.terminal = false | .process.args = ["sleep", "600"]
		| .process.env = ((.process.env // []) + ["EXEC2_TEST_ID=" + $cid])' --arg cid "$CID" \
		<"$cfg" >"$BUNDLE/config.json" || fail "write config.json"
}

# update_config JQ-FILTER [JQ-ARGS...]: edit $BUNDLE/config.json in place.
update_config() {
	local cfg="$BUNDLE/config.json"
	jq "$1" "${@:2}" <"$cfg" >"$cfg.new" || fail "update_config: jq '$1' failed"
	mv "$cfg.new" "$cfg"
}

# set_args ARG...: process.args = the given words.
set_args() {
	update_config '.process.args = $ARGS.positional' --args -- "$@"
}

# add_bind SOURCE DESTINATION [OPTION...]: append a bind mount.
add_bind() {
	local src=$1 dst=$2
	shift 2
	update_config '.mounts += [{"destination": $dst, "type": "bind", "source": $src,
		"options": (["rbind"] + $ARGS.positional)}]' --arg src "$src" --arg dst "$dst" --args -- "$@"
}

# remove_namespace TYPE: drop a namespace from linux.namespaces.
remove_namespace() {
	update_config '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

# state_field ID JQ-PATH: print one field of `exec2-oci state ID`.
state_field() {
	local json
	json="$(exec2 state "$1")" || return 1
	jq -r "$2" <<<"$json"
}

# retry SECONDS COMMAND...: poll COMMAND every 50 ms until it succeeds or
# SECONDS pass.
retry() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.05
	done
}

status_is() {
	[ "$(state_field "$1" .status 2>/dev/null)" = "$2" ]
}

# wait_for_status ID STATUS [SECONDS]
wait_for_status() {
	retry "${3:-$WAIT_SECONDS}" status_is "$1" "$2" ||
		fail "container $1: status '$(state_field "$1" .status 2>&1)', want '$2' within ${3:-$WAIT_SECONDS}s"
}

file_has() {
	[ -f "$1" ] && { [ -z "$2" ] || grep -q -- "$2" "$1"; }
}

# wait_for_file FILE [PATTERN] [SECONDS]: wait until FILE exists and matches.
wait_for_file() {
	retry "${3:-$WAIT_SECONDS}" file_has "$1" "${2:-}" ||
		fail "file $1 did not get '${2:-}' within ${3:-$WAIT_SECONDS}s: '$(cat "$1" 2>&1)'"
}

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	local st
	# The state letter follows the parenthesised command name, which may hold spaces.
	st="$(sed -n 's/.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

pid_gone() {
	! pid_alive "$1"
}

wait_for_gone() {
	retry "${2:-$WAIT_SECONDS}" pid_gone "$1" || fail "process $1 still alive after ${2:-$WAIT_SECONDS}s"
}

# read_pid FILE: the pid file's content; fails unless it is a bare decimal
# number without a trailing newline.
read_pid() {
	local pid
	pid="$(cat "$1")" || fail "pid file $1 missing"
	[[ "$pid" =~ ^[1-9][0-9]*$ ]] || fail "pid file $1 holds '$pid'"
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ] || fail "pid file $1 ends with a newline"
	echo "$pid"
}

# cgroup_dir PID [CONTROLLER]: PID's cgroup directory in the CONTROLLER
# hierarchy (default pids) with cgroup v1, or in the unified hierarchy on a
# pure cgroup v2 host.
cgroup_dir() {
	local path
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		path="$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
		echo "/sys/fs/cgroup$path"
	else
		path="$(awk -F: -v c="${2:-pids}" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3}' "/proc/$1/cgroup")"
		echo "/sys/fs/cgroup/${2:-pids}$path"
	fi
}

# requires FEATURE...: skip the test, with a reason, unless the host has it.
requires() {
	local f
	for f in "$@"; do
		case $f in
		root)
			[ "$(id -u)" -eq 0 ] || skip "requires root"
			;;
		landlock)
			[ -x "$HELPER_BIN/landlockabi" ] || skip "requires $HELPER_BIN/landlockabi (built by .ci/run)"
			[ "$("$HELPER_BIN/landlockabi")" -gt 0 ] || skip "requires Landlock"
			;;
		cgroup2)
			[ -e /sys/fs/cgroup/cgroup.controllers ] || skip "requires a unified cgroup2 hierarchy"
			;;
		cgroupv1)
			grep -q ' /sys/fs/cgroup/[^ ]* cgroup ' /proc/self/mounts || skip "requires cgroup v1 hierarchies"
			;;
		runc)
			command -v runc >/dev/null || skip "requires runc"
			;;
		recvtty)
			[ -x "$HELPER_BIN/recvtty" ] || skip "requires $HELPER_BIN/recvtty (built by .ci/run)"
			;;
		*)
			fail "requires: unknown feature $f"
			;;
		esac
	done
}

# marked_pids: processes carrying this test's EXEC2_TEST_ID marker (the
# runtime, its init, container programs and helpers the test started).
marked_pids() {
	local env pid
	for env in $(grep -lzx "EXEC2_TEST_ID=$CID" /proc/[0-9]*/environ 2>/dev/null); do
		pid="${env#/proc/}"
		echo "${pid%/environ}"
	done
}

# leftover_cgroups: cgroup directories named after this test's containers.
leftover_cgroups() {
	find /sys/fs/cgroup -mindepth 1 -type d -name "$CID*" 2>/dev/null
}

# leftover_mounts: mount points under this test's temporary directory, as
# seen from the host mount namespace.
leftover_mounts() {
	awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo
}

# assert_no_leftovers: nothing of this test's containers remains: no state
# directory, no cgroup, no marked process, no mount.
assert_no_leftovers() {
	local left
	if [ -d "$EXEC2_ROOT" ]; then
		left="$(find "$EXEC2_ROOT" -mindepth 1 -maxdepth 1)"
		[ -z "$left" ] || fail "left under --root: $left"
	fi
	left="$(leftover_cgroups)"
	[ -z "$left" ] || fail "cgroups left: $left"
	retry "$WAIT_SECONDS" no_marked_pids || fail "processes left: $(marked_pids | xargs -r ps -o pid=,args= -p)"
	left="$(leftover_mounts)"
	[ -z "$left" ] || fail "mounts left: $left"
}

no_marked_pids() {
	[ -z "$(marked_pids)" ]
}

# teardown_bundle: delete --force every container under the test root, then
# end whatever is still there (by pid, marked as this test's), remove leaked
# cgroups and mounts, remove the bundle, and fail the test if anything had
# leaked past `delete --force`.
teardown_bundle() {
	[ -n "${CID:-}" ] || return 0
	local problems="" id pid dir m i
	if [ -d "$EXEC2_ROOT" ]; then
		for dir in "$EXEC2_ROOT"/*/; do
			[ -d "$dir" ] || continue
			id="$(basename "$dir")"
			exec2 delete --force "$id" >/dev/null 2>&1 </dev/null ||
				problems+="delete --force $id failed; "
			[ ! -e "$dir" ] || problems+="state dir $dir survived delete --force; "
		done
	fi
	# Processes: allow the foreground `run`s and helpers a moment to exit.
	if ! retry "$WAIT_SECONDS" no_marked_pids; then
		pid="$(marked_pids | tr '\n' ' ')"
		problems+="processes left: $pid; "
		for i in $pid; do
			kill -KILL "$i" 2>/dev/null || true
		done
		retry "$WAIT_SECONDS" no_marked_pids || true
	fi
	# Pid files the test wrote name inits that may not carry the marker yet.
	for m in "$BATS_TEST_TMPDIR"/*.pid "$BATS_TEST_TMPDIR"/*/*.pid; do
		[ -f "$m" ] || continue
		pid="$(cat "$m" 2>/dev/null)"
		[[ "$pid" =~ ^[0-9]+$ ]] || continue
		if pid_alive "$pid" && [ "$(readlink -f "/proc/$pid/exe")" = "$(readlink -f "$EXEC2")" ]; then
			problems+="init $pid from $m left; "
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	# Deepest first so nested groups go before their parents.
	for dir in $(leftover_cgroups | sort -r); do
		problems+="cgroup $dir left; "
		if [ -f "$dir/cgroup.procs" ]; then
			for pid in $(cat "$dir/cgroup.procs"); do
				kill -KILL "$pid" 2>/dev/null || true
			done
		fi
		retry "$WAIT_SECONDS" rmdir "$dir" 2>/dev/null || problems+="(rmdir $dir failed) "
	done
	for m in $(leftover_mounts | sort -r); do
		problems+="mount $m left; "
		umount -l "$m" || true
	done
	# --one-file-system: never follow a leaked bind mount into the host.
	[ -n "$(leftover_mounts)" ] || rm -rf --one-file-system "$BUNDLE" "$EXEC2_ROOT"
	[ -z "$problems" ] || fail "teardown: $problems"
}
