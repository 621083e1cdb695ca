#!/usr/bin/env bats
# cgroups against the kernel, on cgroup v1/hybrid hosts and (tests/vm/run-bats
# cgroups) on pure cgroup v2: memory, pids and cpu limits hold; update changes
# live limits; pause freezes and resume thaws; ps, events --stats, kill --all;
# delete leaves no group in any hierarchy; the forms of linux.cgroupsPath.

load helpers
load cgroups_helpers

# Parents the cgroupsPath tests create; removed (rmdir only) in teardown.
ABS_PARENT=/exec2-oci-bats
REL_PARENT=/exec2-oci/bats
SLICE=exec2oci-bats.slice
SLICE_DIRS=(/exec2oci.slice/exec2oci-bats.slice /exec2oci.slice)

setup() {
	setup_bundle
	SHARED="$BATS_TEST_TMPDIR/shared"
	mkdir -p "$SHARED"
}

teardown() {
	teardown_bundle
	cg_rmdir_parents "$ABS_PARENT" "$REL_PARENT" "${SLICE_DIRS[@]}"
}

# set_sh SCRIPT: the program is busybox sh -c SCRIPT, with a rw /shared.
set_sh() {
	set_args sh -c "$1"
	add_bind "$SHARED" /shared
}

# set_resources JSON: merge JSON's keys into linux.resources.
set_resources() {
	update_config '.linux.resources = ((.linux.resources // {}) + $r)' --argjson r "$1"
}

# An allocation of 100 MB inside busybox sh: the shell holds the whole
# command substitution in its memory.
# One read(2) of 100 MB from /dev/zero into one buffer: the kernel faults the
# pages in without returning to user code, so the OOM kill comes at once
# instead of after a slow reclaim of the shell's own pages.
ALLOC='dd if=/dev/zero of=/dev/null bs=100000000 count=1 2>/dev/null && echo "allocated 100000000"'

@test "cgroups: state records the driver, the host's layout and the default path" {
	start_container "$CID"
	run jq -c .cgroup "$EXEC2_ROOT/$CID/state.json"
	assert_success
	assert_output "{\"driver\":\"cgroupfs\",\"mode\":\"$(cg_mode)\",\"path\":\"/exec2-oci/$CID\"}"
	cg_pid_in "$CID" "$(state_field "$CID" .pid)" || fail "init is not in /exec2-oci/$CID: $(cat "/proc/$(state_field "$CID" .pid)/cgroup")"
}

@test "cgroups: a 32 MiB memory limit OOM-kills a 100 MB allocation; run exits 137 and says so" {
	set_sh "$ALLOC"
	set_resources '{"memory": {"limit": 33554432, "swap": 33554432}}'
	exec2_io run run --bundle "$BUNDLE" "$CID"
	assert_equal "$status" 137
	refute_regex "$output" "allocated"
	assert_regex "$stderr" "killed by the OOM killer"
	assert_no_leftovers
}

@test "cgroups: an OOM kill in a running container is an oom event and counted by the kernel" {
	set_sh 'until [ -e /shared/go ]; do sleep 0.05; done
		sh -c '"'$ALLOC'"'; echo $? >/shared/child; exec sleep 600'
	set_resources '{"memory": {"limit": 33554432, "swap": 33554432}}'
	start_container "$CID"
	assert_equal "$(cg_memory_limit "$CID")" 33554432
	cg_swap_ok "$CID" 33554432 || fail "swap is not capped at the memory limit"
	assert_equal "$(cg_oom_kills "$CID")" 0

	local events="$BATS_TEST_TMPDIR/events.out" epid
	exec2 events --interval 100ms "$CID" >"$events" 2>"$BATS_TEST_TMPDIR/events.err" &
	epid=$!
	wait_for_file "$events" '"type":"stats"' 30
	touch "$SHARED/go"
	wait_for_file "$SHARED/child" "" 60
	wait_for_file "$events" '"type":"oom"' 30
	kill "$epid"
	wait "$epid" || true

	assert_equal "$(cat "$SHARED/child")" 137
	[ "$(cg_oom_kills "$CID")" -ge 1 ] || fail "oom_kill is $(cg_oom_kills "$CID")"
	run jq -c 'select(.type == "oom")' "$events"
	assert_output "{\"type\":\"oom\",\"id\":\"$CID\"}"
	assert_equal "$(state_field "$CID" .status)" running
	# The usage peaked at the limit. (v1 kernels since 6.x leave memory.failcnt
	# at 0, so failcnt is no evidence there.)
	run exec2 events --stats "$CID"
	assert_success
	jq -e '.data.memory.usage.max >= 32505856 or .data.memory.usage.failcnt >= 1' <<<"$output" ||
		fail "no sign of the limit being hit in events --stats: $output"
}

@test "cgroups: pids.max 8 holds against a fork loop" {
	# The outer sh and the looping sh take two pids; each child is a sleep.
	set_sh 'sh -c "i=0; while [ \$i -lt 20 ]; do i=\$((i+1)); (echo \$i >>/shared/ok; exec sleep 600) & done" 2>/shared/err
		echo $? >/shared/done; exec sleep 600'
	set_resources '{"pids": {"limit": 8}}'
	start_container "$CID"
	assert_equal "$(cg_pids_max "$CID")" 8

	local most=0 cur deadline=$((SECONDS + 60))
	until [ -e "$SHARED/done" ]; do
		cur="$(cg_pids_current "$CID")"
		[ "$cur" -le "$most" ] || most=$cur
		[ "$SECONDS" -lt "$deadline" ] || fail "the fork loop did not end within 60s"
		sleep 0.02
	done
	[ "$most" -le 8 ] || fail "pids.current reached $most"

	local started
	started="$(line_count "$SHARED/ok")"
	[ "$started" -ge 1 ] && [ "$started" -le 6 ] || fail "$started children started under pids.max 8"
	run cat "$SHARED/err"
	assert_output --regexp "(Resource temporarily unavailable|can't fork)"
	# The forks that failed are counted by the kernel.
	[ "$(cg_pids_max_events "$CID")" -ge 1 ] || fail "pids.events max is 0"
	# Left: the children and the outer sh, now a sleep.
	retry 10 pids_current_is "$CID" $((started + 1)) ||
		fail "pids.current $(cg_pids_current "$CID"), want $((started + 1))"
}

@test "cgroups: a cpu quota of 0.2 CPU holds a busy loop to about 0.2 CPU" {
	set_sh 'while :; do :; done'
	set_resources '{"cpu": {"quota": 20000, "period": 100000}}'
	start_container "$CID"
	assert_equal "$(cg_cpu_max "$CID")" "20000 100000"

	retry 10 cpu_used "$CID" || fail "the busy loop used no CPU"
	# Every 3 s window stays under the quota (with room for accounting
	# slack); a loaded host may starve the loop, so up to three windows
	# get the chance to show it reaching about its quota. Under TCG on a
	# busy host the guest's timers run late and so does the quota refill:
	# the VM gets a lower floor.
	local ratio got=() reached="" thr0 window floor=0.1
	[ -z "${EXEC2_VM:-}" ] || floor=0.04
	thr0="$(cg_nr_throttled "$CID")"
	for window in 1 2 3; do
		ratio="$(cpu_share "$CID" 3)"
		got+=("$ratio")
		ratio_between "$ratio" 0 0.35 || fail "the busy loop used $ratio CPU under a 0.2 CPU quota (windows: ${got[*]})"
		if ratio_between "$ratio" "$floor" 0.35; then
			reached=1
			break
		fi
	done
	echo "# cpu used per 3 s window: ${got[*]} CPU" >&3
	[ -n "$reached" ] || fail "the busy loop never got $floor CPU in 3 windows: ${got[*]}"
	[ "$(cg_nr_throttled "$CID")" -gt "$thr0" ] || fail "the group was never throttled"
	assert_equal "$(state_field "$CID" .status)" running
}

@test "cgroups: update changes live limits (flags and --resources -)" {
	set_resources '{"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	start_container "$CID"
	assert_equal "$(cg_memory_limit "$CID")" 67108864
	assert_equal "$(cg_pids_max "$CID")" 50

	run --separate-stderr exec2 update --memory 48m --pids-limit 20 "$CID"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(cg_memory_limit "$CID")" 50331648
	assert_equal "$(cg_pids_max "$CID")" 20

	run --separate-stderr exec2 update --cpu-quota 30000 --cpu-period 100000 "$CID"
	assert_success
	assert_equal "$(cg_cpu_max "$CID")" "30000 100000"

	run --separate-stderr exec2 update --resources - "$CID" <<<'{"memory": {"limit": 41943040, "swap": 41943040},
		"pids": {"limit": 12}, "cpu": {"quota": 50000, "period": 200000}}'
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(cg_memory_limit "$CID")" 41943040
	cg_swap_ok "$CID" 41943040 || fail "swap is not capped at the new memory limit"
	assert_equal "$(cg_pids_max "$CID")" 12
	assert_equal "$(cg_cpu_max "$CID")" "50000 200000"

	# The merged limits are kept in state; the container keeps running.
	run jq -c '[.resources.memory.limit, .resources.pids.limit, .resources.cpu.quota, .resources.cpu.period]' \
		"$EXEC2_ROOT/$CID/state.json"
	assert_output "[41943040,12,50000,200000]"
	assert_equal "$(state_field "$CID" .status)" running
	pid_alive "$(state_field "$CID" .pid)"

	run exec2 kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run --separate-stderr exec2 update --memory 64m "$CID"
	assert_failure
	assert_regex "$stderr" "container not running"
	run --separate-stderr exec2 update --resources - "$CID" <<<'{"pids": {"limit": 30}}'
	assert_failure
	assert_regex "$stderr" "container not running"
}

@test "cgroups: pause freezes the program, resume continues it" {
	set_sh 'i=0; while :; do i=$((i+1)); echo $i >>/shared/counter; sleep 0.02; done'
	start_container "$CID"
	local counter="$SHARED/counter" n1 n2
	retry 30 line_count_above "$counter" 2 || fail "the counter did not advance"

	run --separate-stderr exec2 pause "$CID"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(state_field "$CID" .status)" paused
	assert_equal "$(cg_frozen "$CID")" 1
	# Frozen: no progress at all over half a second (~25 iterations).
	n1="$(line_count "$counter")"
	sleep 0.5
	n2="$(line_count "$counter")"
	assert_equal "$n2" "$n1"

	run --separate-stderr exec2 resume "$CID"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(state_field "$CID" .status)" running
	assert_equal "$(cg_frozen "$CID")" 0
	retry 30 line_count_above "$counter" "$((n2 + 2))" || fail "the counter did not advance after resume"

	run --separate-stderr exec2 resume "$CID"
	assert_failure
	assert_regex "$stderr" "container not paused"
	assert_equal "$(state_field "$CID" .status)" running

	run exec2 kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run --separate-stderr exec2 pause "$CID"
	assert_failure
	assert_regex "$stderr" "container not running"
	run --separate-stderr exec2 resume "$CID"
	assert_failure
	assert_regex "$stderr" "container not paused"
}

@test "cgroups: pause of a paused container fails with runc's 'container not running'" {
	start_container "$CID"
	run exec2 pause "$CID"
	assert_success
	run --separate-stderr exec2 pause "$CID"
	assert_failure
	assert_regex "$stderr" "container not running"
	assert_equal "$(state_field "$CID" .status)" paused
	assert_equal "$(cg_frozen "$CID")" 1
}

@test "cgroups: a paused container can be killed and deleted" {
	start_container "$CID"
	local pid path
	pid="$(state_field "$CID" .pid)"
	path="$(cg_path "$CID")"
	run exec2 pause "$CID"
	assert_success
	run --separate-stderr exec2 delete --force "$CID"
	assert_success
	assert_equal "$stderr" ""
	wait_for_gone "$pid"
	assert_cgroup_gone "$path"
	assert_no_leftovers
}

@test "cgroups: ps lists the container's processes (json and table)" {
	set_sh 'sleep 600 & sleep 600 & echo started >/shared/ready; wait'
	start_container "$CID"
	wait_for_file "$SHARED/ready" started
	local pid procs
	pid="$(state_field "$CID" .pid)"
	retry 10 pids_current_is "$CID" 3 || fail "pids.current $(cg_pids_current "$CID"), want 3"

	run --separate-stderr exec2 ps --format json "$CID"
	assert_success
	assert_equal "$stderr" ""
	jq -e --argjson p "$pid" 'type == "array" and length == 3 and index($p) != null' <<<"$output" ||
		fail "ps --format json: '$output', want 3 pids with $pid"
	procs="$(cg_read "$CID" pids cgroup.procs cgroup.procs | sort -n | jq -sc .)"
	assert_equal "$(jq -c sort <<<"$output")" "$procs"

	run --separate-stderr exec2 ps "$CID"
	assert_success
	assert_line --index 0 --regexp '^UID +PID +PPID'
	assert_equal "${#lines[@]}" 4
	assert_line --regexp "^[^ ]+ +$pid +.*sh -c"
	assert_line --regexp "sleep 600"
}

@test "cgroups: events --stats prints one stats line with memory, pids and cpu" {
	set_sh 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; exec sleep 600'
	set_resources '{"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
	start_container "$CID"
	run --separate-stderr exec2 events --stats "$CID"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	jq -e --arg id "$CID" '.type == "stats" and .id == $id
		and .data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0
		and .data.pids.limit == 20 and .data.pids.current >= 1
		and .data.cpu.usage.total > 0' <<<"$output" || fail "events --stats: $output"

	run exec2 kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run --separate-stderr exec2 events --stats "$CID"
	assert_failure
	assert_regex "$stderr" "is not running"
}

# A host-pid-namespace container whose sh starts two sleeps; prints the
# three pids once all run.
start_family() {
	remove_namespace pid
	set_sh 'sleep 600 & sleep 600 & echo started >/shared/ready; wait'
	start_container "$CID"
	wait_for_file "$SHARED/ready" started
	retry 10 pids_current_is "$CID" 3 || fail "pids.current $(cg_pids_current "$CID"), want 3"
}

@test "cgroups: kill --all signals every process of the cgroup; delete leaves nothing" {
	start_family
	local pids path p
	pids="$(exec2 ps --format json "$CID" | jq -r '.[]')"
	path="$(cg_path "$CID")"
	[ -n "$(cg_dirs_of "$path")" ] || fail "no directory $path in any hierarchy"
	run exec2 kill --all "$CID" TERM
	assert_success
	for p in $pids; do
		wait_for_gone "$p"
	done
	wait_for_status "$CID" stopped
	run --separate-stderr exec2 delete "$CID"
	assert_success
	assert_equal "$stderr" ""
	assert_cgroup_gone "$path"
	assert_no_leftovers
}

@test "cgroups: delete of a stopped container kills what its cgroup still holds" {
	start_family
	local pid pids path p
	pid="$(state_field "$CID" .pid)"
	pids="$(exec2 ps --format json "$CID" | jq -r '.[]')"
	path="$(cg_path "$CID")"
	# TERM without --all: only the init goes; its sleeps stay in the group.
	run exec2 kill "$CID" TERM
	assert_success
	wait_for_gone "$pid"
	wait_for_status "$CID" stopped
	for p in $pids; do
		[ "$p" = "$pid" ] || pid_alive "$p" || fail "child $p did not outlive the init"
	done
	run --separate-stderr exec2 delete "$CID"
	assert_success
	assert_equal "$stderr" ""
	for p in $pids; do
		wait_for_gone "$p"
	done
	assert_cgroup_gone "$path"
	assert_no_leftovers
}

@test "cgroups: an absolute cgroupsPath is used as given and removed by delete" {
	update_config '.linux.cgroupsPath = $p' --arg p "$ABS_PARENT/$CID"
	start_container "$CID"
	assert_equal "$(cg_path "$CID")" "$ABS_PARENT/$CID"
	cg_pid_in "$CID" "$(state_field "$CID" .pid)" || fail "init not in $ABS_PARENT/$CID"
	[ -n "$(cg_dirs_of "$ABS_PARENT/$CID")" ] || fail "no directory $ABS_PARENT/$CID in any hierarchy"
	run exec2 delete --force "$CID"
	assert_success
	assert_cgroup_gone "$ABS_PARENT/$CID"
	assert_no_leftovers
}

@test "cgroups: a relative cgroupsPath goes under /exec2-oci" {
	update_config '.linux.cgroupsPath = $p' --arg p "bats/$CID"
	start_container "$CID"
	assert_equal "$(cg_path "$CID")" "$REL_PARENT/$CID"
	cg_pid_in "$CID" "$(state_field "$CID" .pid)" || fail "init not in $REL_PARENT/$CID"
	run exec2 delete --force "$CID"
	assert_success
	assert_cgroup_gone "$REL_PARENT/$CID"
	assert_no_leftovers
}

@test "cgroups: a systemd-form cgroupsPath without --systemd-cgroup maps to a cgroupfs path" {
	local want="${SLICE_DIRS[0]}/exec2-$CID.scope"
	update_config '.linux.cgroupsPath = $p' --arg p "$SLICE:exec2:$CID"
	set_resources '{"pids": {"limit": 10}}'
	start_container "$CID"
	run jq -c .cgroup "$EXEC2_ROOT/$CID/state.json"
	assert_output "{\"driver\":\"cgroupfs\",\"mode\":\"$(cg_mode)\",\"path\":\"$want\"}"
	cg_pid_in "$CID" "$(state_field "$CID" .pid)" || fail "init not in $want"
	assert_equal "$(cg_pids_max "$CID")" 10
	run exec2 delete --force "$CID"
	assert_success
	assert_cgroup_gone "$want"
	assert_no_leftovers
}

@test "cgroups: --systemd-cgroup without systemd fails clearly and leaves nothing" {
	[ ! -d /run/systemd/system ] || skip "requires a host where systemd does not run"
	update_config '.linux.cgroupsPath = $p' --arg p "$SLICE:exec2:$CID"
	exec2_io create --systemd-cgroup create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ] || fail "create --systemd-cgroup succeeded without systemd"
	assert_regex "$stderr" "systemd"
	run --separate-stderr exec2 state "$CID"
	assert_failure
	assert_regex "$stderr" "does not exist"
	assert_cgroup_gone "${SLICE_DIRS[0]}/exec2-$CID.scope"
	assert_no_leftovers
}
