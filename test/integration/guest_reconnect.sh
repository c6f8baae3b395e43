#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Guests come and go while vseal runs. Three guests in VNI 100, served by two emulator
# processes (two "VMs" from vseal's point of view):
#
#   emulator ab: guest A = vm1 10.99.0.1, guest B = vm2 10.99.0.2
#   emulator c:  guest C = vm3 10.99.0.3
#
# For each vhost-user mode (client: vseal connects to the guest's socket and reconnects, the
# default; server: vseal owns the sockets and the guest connects), while A pings C:
#   - emulator c is killed with SIGKILL (a crashed VM): A's pings go unanswered, and A and B,
#     in the other emulator, still reach each other;
#   - emulator c is started again: A's pings are answered again within 5 s of the restart
#     (counted from when the emulator has initialised DPDK and sets up its vhost-user port);
#   - vseal ran throughout and stops cleanly (exit 0).
# Run as root: meson test -C build guest_reconnect, or VSEAL_BUILD=build bash THIS_FILE.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
vs_init
vs_need_cmd ping

A=vm1 B=vm2 C=vm3
RESTART_MAX=${VS_RESTART_MAX:-5}   # seconds; VS_RESTART_MAX=N on a machine that is busy

vs_guest_add $A 100 02:00:00:00:00:01 10.99.0.1/24
vs_guest_add $B 100 02:00:00:00:00:02 10.99.0.2/24
vs_guest_add $C 100 02:00:00:00:00:03 10.99.0.3/24

# Replies in ping -D output FILE whose timestamp is in [FROM, TO).
replies_between() { # FILE FROM TO
	awk -v a="$2" -v b="$3" -F'[][]' '/bytes from/ { if ($2 >= a && $2 < b) n++ }
		END { print n + 0 }' "$1"
}

# First reply in ping -D output FILE at or after FROM: its timestamp, or nothing.
first_reply_after() { # FILE FROM
	awk -v a="$2" -F'[][]' '/bytes from/ && $2 >= a { print $2; exit }' "$1"
}

# The scenario, for the mode the guests are in; vseal NAME runs CONFIG.
crash_and_restart() { # MODE
	local mode=$1 name=sw-$1 config=$VS_TMP/vseal-$1.ini ping_log t_kill t_start t_restart
	local first took gone

	vs_step "$mode mode: setup"
	vs_guest_set_mode $A "$mode"
	vs_guest_set_mode $B "$mode"
	vs_guest_set_mode $C "$mode"
	vs_vseal_config "$config"
	if [ "$mode" = client ]; then
		# The emulators own the sockets: they may start first and wait for vseal.
		vs_gemu_start ab $A $B
		vs_gemu_start c $C
		vs_vseal_start "$name" "$config"
	else
		# vseal owns the sockets: it must be up before the guests connect.
		vs_vseal_start "$name" "$config"
		vs_gemu_start ab $A $B
		vs_gemu_start c $C
	fi
	vs_gemu_wait ab
	vs_gemu_wait c
	vs_wait_ping $A 10.99.0.3 10
	vs_wait_ping $A 10.99.0.2 10
	vs_assert_ping $A 10.99.0.3 3

	vs_step "$mode mode: kill C's emulator (SIGKILL) while A pings C"
	vs_bg "ping-$mode" ip netns exec "${VS_G_NS[$A]}" stdbuf -oL ping -D -n -i 0.2 -W 1 10.99.0.3
	local ping_pid=$VS_BG_PID
	ping_log=$VS_TMP/ping-$mode.log
	vs_wait_log "$ping_log" 'bytes from' 10 "A's ping to C" "$ping_pid"
	sleep 0.5
	t_kill=$(vs_now)
	vs_gemu_kill c KILL
	vs_assert_ping $A 10.99.0.2 5    # the other emulator's guests are not affected
	vs_assert_ping $B 10.99.0.1 3
	sleep 1
	vs_alive "${VS_VSEAL_PID[$name]}" || vs_fail "vseal died when C's emulator was killed"
	vs_ok "vseal still running"

	vs_step "$mode mode: restart C's emulator"
	t_start=$(vs_now)
	vs_gemu_start c $C
	# The clock starts once the emulator has initialised EAL and goes on to its vhost-user
	# port, as a rebooted VM bringing its NIC up: its own start-up (1 to 4 s of loading DPDK on
	# a busy 2-CPU machine) is not vseal's doing.
	vs_wait_log "${VS_EMU_LOG[c]}" "^EAL: Selected IOVA mode" 20 "C's emulator start-up" \
		"${VS_EMU_PID[c]}"
	t_restart=$(vs_now)
	vs_log "C's emulator initialised in $(vs_since "$t_start")s: the ${RESTART_MAX}s start now"
	vs_gemu_wait c 20
	while [ -z "$(first_reply_after "$ping_log" "$t_restart")" ] &&
		(( ${EPOCHREALTIME/./} - ${t_restart/./} < RESTART_MAX * 1000000 )); do
		sleep 0.1
	done
	first=$(first_reply_after "$ping_log" "$t_restart")
	vs_kill_pid "$ping_pid" INT 3
	[ -n "$first" ] ||
		vs_fail "A's ping to C: no answer within ${RESTART_MAX}s of C's emulator restart"
	took=$(awk -v a="$t_restart" -v b="$first" 'BEGIN { printf "%.1f", b - a }')
	awk -v t="$took" -v m=$RESTART_MAX 'BEGIN { exit !(t <= m) }' ||
		vs_fail "A's ping to C: first answer ${took}s after C's emulator restart" \
			"(limit ${RESTART_MAX}s)"
	vs_assert_ge "$(replies_between "$ping_log" 0 "$t_kill")" 1 \
		"A's ping to C: answers before the kill"
	gone=$(awk -v t="$t_kill" 'BEGIN { printf "%.6f", t + 1.5 }')
	vs_assert_eq "$(replies_between "$ping_log" "$gone" "$t_restart")" 0 \
		"A's ping to C: answers while C's emulator was gone (from 1.5 s after the kill)"
	vs_ok "A's ping to C answered again ${took}s after C's emulator restart (limit ${RESTART_MAX}s)"
	vs_assert_ping $B 10.99.0.3 3
	vs_assert_ping $C 10.99.0.1 3

	vs_step "$mode mode: shutdown"
	vs_gemu_kill ab KILL nowait
	vs_gemu_kill c KILL nowait
	vs_vseal_stop "$name"
	vs_show_counters
}

crash_and_restart client
crash_and_restart server
