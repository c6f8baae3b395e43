#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Local switching on one host: three guests behind one vseal, all in 10.99.0.0/24 on purpose.
#
#   guest A = vm1  VNI 100  10.99.0.1  02:00:00:00:00:01
#   guest B = vm2  VNI 100  10.99.0.2  02:00:00:00:00:02
#   guest C = vm3  VNI 200  10.99.0.3  02:00:00:00:00:03
#
# Asserts: A and B reach each other (ping, iperf3 TCP); A's broadcast reaches B and never C;
# C cannot reach A even with a static ARP entry; A with a forged MAC gets nothing through
# (counted as spoofed-src-mac); A's VLAN-tagged frames are dropped (counted as vlan-tagged).
# Run as root: meson test -C build local_switching, or VSEAL_BUILD=build bash THIS_FILE.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
vs_init
vs_need_cmd ping arping iperf3 tcpdump

A=vm1 B=vm2 C=vm3
MAC_A=02:00:00:00:00:01 MAC_B=02:00:00:00:00:02 MAC_C=02:00:00:00:00:03
FORGED=02:00:00:00:de:ad

vs_step "setup: vseal, guests A ($A) and B ($B) in VNI 100, C ($C) in VNI 200"
vs_guest_add $A 100 $MAC_A 10.99.0.1/24
vs_guest_add $B 100 $MAC_B 10.99.0.2/24
vs_guest_add $C 200 $MAC_C 10.99.0.3/24
vs_vseal_config "$VS_TMP/vseal.ini"
vs_gemu_start emu $A $B $C    # owns the sockets (vseal is the vhost-user client)
vs_vseal_start sw "$VS_TMP/vseal.ini"
vs_gemu_wait emu

vs_step "A -> B: ping and TCP throughput"
vs_wait_ping $A 10.99.0.2 10
vs_log "first answer from B after ${VS_WAIT_S}s"
vs_assert_ping $A 10.99.0.2 5
vs_assert_ping $B 10.99.0.1 3
vs_iperf $A $B 5
# The floor only catches a broken path: an idle 2-CPU machine gives 0.5-1 Gbit/s, one busy
# with other work as little as 0.04.
min=${VS_IPERF_MIN_GBPS:-0.01}
awk -v g="$VS_IPERF_GBPS" -v m="$min" 'BEGIN { exit !(g >= m) }' ||
	vs_fail "iperf3 A -> B: $VS_IPERF_GBPS Gbit/s, expected at least $min"
vs_ok "iperf3 TCP A -> B, 5 s: $VS_IPERF_GBPS Gbit/s"

vs_step "broadcast stays in its VNI: A's ARP reaches B, never C"
vs_capture_start $A capA $B capB $C capC
ip -n "${VS_G_NS[$C]}" neigh flush dev eth0
# arping: ARP requests to ff:ff:ff:ff:ff:ff; -W: how long each waits for its reply.
# A second round only when the first got nothing: seen (rarely, on a loaded machine) vseal
# counting the requests as sent to B's port while the testpmd guest emulator never passed
# them to B's tap. The counters printed below tell the two apart when both rounds fail.
for round in 1 2; do
	out=$(vs_in $A arping -c 3 -W 1 -w 4 -i eth0 10.99.0.2 2>&1) || true
	replies=$(grep -ci "bytes from $MAC_B" <<<"$out" || true)
	[ "$replies" -ge 1 ] && break
	vs_log "arping round $round got no reply"
done
if [ "$replies" -lt 1 ]; then
	# Where did it stop: did B get the requests, did it answer, did A get the answers?
	vs_capture_stop capA capB capC
	sed 's/^/    arping: /' <<<"$out"
	echo "    ARP in A's capture:"; vs_capture_show capA arp
	echo "    ARP in B's capture:"; vs_capture_show capB arp
	vs_vseal_counters sw
	vs_show_counters
fi
vs_assert_ge "$replies" 1 "arping A -> 10.99.0.2 (broadcast): replies from B's MAC $MAC_B"
out=$(vs_in $A arping -c 2 -W 0.5 -w 2 -i eth0 10.99.0.3 2>&1) || true
replies=$(grep -ci "bytes from" <<<"$out" || true)
vs_assert_eq "$replies" 0 "arping A -> 10.99.0.3 (C's address, other VNI): replies"
# C's own broadcast: proves C's capture sees traffic; nobody in VNI 200 may answer.
out=$(vs_in $C arping -c 2 -W 0.5 -w 2 -i eth0 10.99.0.1 2>&1) || true
replies=$(grep -ci "bytes from" <<<"$out" || true)
vs_assert_eq "$replies" 0 "arping C -> 10.99.0.1 (A's address, other VNI): replies"

vs_step "C cannot reach A, even with a static ARP entry for A's address"
neigh=$(ip -n "${VS_G_NS[$C]}" neigh show 10.99.0.1)
[ -z "$neigh" ] || vs_fail "C learnt A's address from A's ARP: '$neigh'"
vs_ok "C's ARP table has no entry for 10.99.0.1"
ip -n "${VS_G_NS[$C]}" neigh replace 10.99.0.1 lladdr $MAC_A dev eth0 nud permanent
vs_assert_no_ping $C 10.99.0.1 3
vs_capture_stop capA capB capC
n=$(vs_capture_count capC ether src $MAC_C)
vs_assert_ge "$n" 1 "frames C sent, seen by C's own capture (the capture works)"
n=$(vs_capture_count capC ether src $MAC_A or ether src $MAC_B)
[ "$n" -eq 0 ] || { vs_capture_show capC ether src $MAC_A or ether src $MAC_B; \
	vs_fail "C (VNI 200) received $n frames from A or B (VNI 100)"; }
vs_ok "C received no frame from A or B"
n=$(vs_capture_count capA ether src $MAC_C)
[ "$n" -eq 0 ] || { vs_capture_show capA ether src $MAC_C; \
	vs_fail "A (VNI 100) received $n frames from C (VNI 200)"; }
vs_ok "A received no frame from C"
n=$(vs_capture_count capB ether src $MAC_C)
[ "$n" -eq 0 ] || { vs_capture_show capB ether src $MAC_C; \
	vs_fail "B (VNI 100) received $n frames from C (VNI 200)"; }
vs_ok "B received no frame from C"
n=$(vs_capture_count capB arp and ether src $MAC_A)
vs_assert_ge "$n" 3 "ARP frames from A seen by B"

vs_step "anti-spoofing: A with a forged MAC gets nothing through"
vs_capture_start $A capA2 $B capB2
vs_vseal_counters sw
spoof0=$(vs_cnt $A drop spoofed-src-mac)
ip -n "${VS_G_NS[$A]}" link set dev eth0 address $FORGED
# After the MAC change (which flushes A's ARP table), a permanent entry for B: exactly one
# frame per ping, no ARP. Changing the MAC back flushes it again.
ip -n "${VS_G_NS[$A]}" neigh replace 10.99.0.2 lladdr $MAC_B dev eth0 nud permanent
vs_assert_no_ping $A 10.99.0.2 4
ip -n "${VS_G_NS[$A]}" link set dev eth0 address $MAC_A
vs_capture_stop capA2 capB2
vs_vseal_counters sw
spoof1=$(vs_cnt $A drop spoofed-src-mac)
vs_show_counters
vs_assert_ge $((spoof1 - spoof0)) 4 "vseal's 'drop $A spoofed-src-mac' rise"
sent=$(vs_capture_count capA2 ether src $FORGED)
vs_assert_eq $((spoof1 - spoof0)) "$sent" \
	"frames dropped as spoofed = frames A sent from the forged MAC (A's capture)"
n=$(vs_capture_count capB2 ether src $FORGED)
vs_assert_eq "$n" 0 "frames from the forged MAC $FORGED seen by B"
vs_assert_ping $A 10.99.0.2 3

vs_step "VLAN-tagged frames from A are dropped"
vs_capture_start $B capB3
vlan0=$(vs_cnt $A drop vlan-tagged)
# No 8021q in this kernel for a vlan subinterface: arping writes the tagged frames itself.
vs_in $A arping -V 10 -c 3 -W 0.3 -w 2 -i eth0 10.99.0.2 >/dev/null 2>&1 || true
vs_capture_stop capB3
vs_vseal_counters sw
vlan1=$(vs_cnt $A drop vlan-tagged)
vs_assert_ge $((vlan1 - vlan0)) 3 "vseal's 'drop $A vlan-tagged' rise"
n=$(vs_capture_count capB3 vlan)
vs_assert_eq "$n" 0 "VLAN-tagged frames seen by B"

vs_step "shutdown"
vs_vseal_stop sw
vs_show_counters
rx=$(vs_cnt $B rx-packets)
vs_assert_ge "$rx" 100 "packets vseal received from B"
