# Helpers for tests/bats/cgroups.bats: read a container's cgroup files on a
# cgroup v1 or hybrid host (/sys/fs/cgroup/<controller>/<path>/<v1 file>) and
# on a pure cgroup v2 host (/sys/fs/cgroup/<path>/<v2 file>) alike.

# cg_v2: the host has a pure cgroup v2 hierarchy at /sys/fs/cgroup.
cg_v2() {
	[ -e /sys/fs/cgroup/cgroup.controllers ]
}

# cg_mode: what the runtime should store in state.json (hybrid hosts use v1).
cg_mode() {
	if cg_v2; then echo v2; else echo v1; fi
}

# cg_path ID: the container's cgroup path as create stored it.
cg_path() {
	jq -re .cgroup.path "$EXEC2_ROOT/$1/state.json"
}

# cg_file ID CONTROLLER V1-FILE V2-FILE: the kernel file for this host's layout.
cg_file() {
	local p
	p="$(cg_path "$1")" || fail "no cgroup path in $EXEC2_ROOT/$1/state.json"
	if cg_v2; then
		echo "/sys/fs/cgroup$p/$4"
	else
		echo "/sys/fs/cgroup/$2$p/$3"
	fi
}

# cg_read ID CONTROLLER V1-FILE V2-FILE: that file's content.
cg_read() {
	local f
	f="$(cg_file "$@")"
	cat "$f" || fail "read $f"
}

cg_memory_limit() { cg_read "$1" memory memory.limit_in_bytes memory.max; }
cg_pids_max() { cg_read "$1" pids pids.max pids.max; }
cg_pids_current() { cg_read "$1" pids pids.current pids.current; }

# cg_pids_max_events ID: how often a fork failed against pids.max.
cg_pids_max_events() {
	cg_read "$1" pids pids.events pids.events | awk '$1 == "max" {print $2}'
}

# cg_swap_ok ID LIMIT: swap is capped so the group may use no swap beyond
# LIMIT bytes of memory (v1 memsw = LIMIT; v2 swap.max = 0). Passes where
# the kernel has no swap accounting.
cg_swap_ok() {
	local f
	if cg_v2; then
		f="$(cg_file "$1" memory - memory.swap.max)"
		[ ! -e "$f" ] || [ "$(cat "$f")" = 0 ]
	else
		f="$(cg_file "$1" memory memory.memsw.limit_in_bytes -)"
		[ ! -e "$f" ] || [ "$(cat "$f")" = "$2" ]
	fi
}

# cg_cpu_max ID: "QUOTA PERIOD" (v2 cpu.max; v1 cfs_quota_us, cfs_period_us).
cg_cpu_max() {
	if cg_v2; then
		cg_read "$1" cpu - cpu.max
	else
		echo "$(cg_read "$1" cpu cpu.cfs_quota_us -) $(cg_read "$1" cpu cpu.cfs_period_us -)"
	fi
}

# cg_cpu_usage_ns ID: CPU time the group used so far, in nanoseconds.
cg_cpu_usage_ns() {
	if cg_v2; then
		cg_read "$1" cpu - cpu.stat | awk '$1 == "usage_usec" {printf "%d\n", $2 * 1000}'
	else
		cg_read "$1" cpuacct cpuacct.usage -
	fi
}

# cg_frozen ID: prints 1 when the kernel has the group frozen, else 0.
cg_frozen() {
	if cg_v2; then
		cg_read "$1" freezer - cgroup.events | awk '$1 == "frozen" {print $2}'
	else
		case "$(cg_read "$1" freezer freezer.state -)" in
		FROZEN) echo 1 ;;
		*) echo 0 ;;
		esac
	fi
}

# cg_oom_kills ID: the kernel's OOM kill count for the group.
cg_oom_kills() {
	cg_read "$1" memory memory.oom_control memory.events | awk '$1 == "oom_kill" {print $2}'
}

# cg_hierarchies: the mount point of every cgroup hierarchy (v1 controllers,
# name=systemd, the hybrid unified one, or the one v2 root).
cg_hierarchies() {
	awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts
}

# cg_dirs_of PATH: the directories named PATH that exist in any hierarchy.
cg_dirs_of() {
	local h
	for h in $(cg_hierarchies); do
		[ ! -d "$h$1" ] || echo "$h$1"
	done
}

# assert_cgroup_gone PATH: no hierarchy holds a directory PATH.
assert_cgroup_gone() {
	local left
	[ -n "$(cg_hierarchies)" ] || fail "no cgroup hierarchy is mounted"
	left="$(cg_dirs_of "$1")"
	[ -z "$left" ] || fail "cgroup $1 left in: $left"
}

# cg_rmdir_parents PATH...: rmdir (never rm -r) each PATH, in the order
# given (deepest first), in every hierarchy. Busy or missing ones stay.
cg_rmdir_parents() {
	local h p
	for p in "$@"; do
		for h in $(cg_hierarchies); do
			[ ! -d "$h$p" ] || rmdir "$h$p" 2>/dev/null || true
		done
	done
}

# cg_pid_in ID PID: PID is in the container's group, in the memory and pids
# hierarchies on v1 (cgroup_dir reads /proc/PID/cgroup).
cg_pid_in() {
	local p c
	p="$(cg_path "$1")"
	if cg_v2; then
		[ "$(cgroup_dir "$2")" = "/sys/fs/cgroup$p" ]
	else
		for c in memory pids cpu freezer; do
			[ "$(cgroup_dir "$2" "$c")" = "/sys/fs/cgroup/$c$p" ] || return 1
		done
	fi
}

# ratio_between VALUE LOW HIGH: LOW <= VALUE <= HIGH, as decimals.
ratio_between() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN {exit !(v >= lo && v <= hi)}'
}

# line_count FILE: lines in FILE, 0 when it does not exist.
line_count() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# line_count_above FILE N: FILE has more than N lines.
line_count_above() {
	[ "$(line_count "$1")" -gt "$2" ]
}

# pids_current_is ID N: the group holds exactly N tasks (for retry).
pids_current_is() {
	[ "$(cg_pids_current "$1")" -eq "$2" ]
}

# cpu_used ID: the group has used some CPU time (for retry).
cpu_used() {
	[ "$(cg_cpu_usage_ns "$1")" -gt 0 ]
}

# cg_nr_throttled ID: how many CFS periods the group was throttled in.
cg_nr_throttled() {
	cg_read "$1" cpu cpu.stat cpu.stat | awk '$1 == "nr_throttled" {print $2}'
}

# cpu_share ID SECONDS: the CPUs the group used over SECONDS of wall time.
cpu_share() {
	local u0 u1 t0 t1
	u0="$(cg_cpu_usage_ns "$1")" t0="$(date +%s%N)"
	sleep "$2"
	u1="$(cg_cpu_usage_ns "$1")" t1="$(date +%s%N)"
	awk -v u=$((u1 - u0)) -v t=$((t1 - t0)) 'BEGIN {printf "%.3f\n", u / t}'
}
