#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Two vseal hosts and a kernel VTEP on one underlay: guests ping, arping and iperf3 across
# hosts; learning (flood lists only, no static locations) converges and stops flooding;
# VNI 100 and 200 stay isolated across hosts; a guest moved from host A to host B is
# reached again within 1 s of its gratuitous ARP.
. "$(dirname "$0")/lib_overlay.sh"
ov_hugepages
ov_underlay
ov_wire "${OV_ID}wa"
ov_wire "${OV_ID}wb"
UA=192.168.61.1 UB=192.168.61.2 UK=192.168.61.3
ov_kernel_vtep "${OV_ID}-k" "${OV_ID}wk" $UK 100 10.61.0.5/24 $UA $UB

# host NAME UPLINK-IP WIRE FLOOD100 FLOOD200 [GUEST-SECTIONS...]
host_config() {
	local name=$1 ip=$2 wire=$3 f100=$4 f200=$5
	shift 5
	{
		printf '[host]\nvtep-ip = %s\nctl-socket = %s/%s.ctl\n' "$ip" "$OV_TMP" "$name"
		printf '[uplink]\ndevice = net_af_packet_%s,iface=%s0\nprefix = 24\n' "$name" "$wire"
		printf '[vni.100]\nflood = %s\n[vni.200]\nflood = %s\n' "$f100" "$f200"
		printf '%s\n' "$@"
	} >"$OV_TMP/$name.ini"
}
guest() { printf '[guest.%s]\nsocket = %s/%s.sock\nvni = %s\nmac = %s\n' "$1" "$OV_TMP" "$2" "$3" "$4"; }

MA1=02:61:00:00:00:a1 MA2=02:61:00:00:00:a2 MB1=02:61:00:00:00:b1 MB2=02:61:00:00:00:b2
MM=02:61:00:00:00:0e
host_config A $UA "${OV_ID}wa" "$UB $UK" "$UB" \
	"$(guest a1 a1 100 $MA1)" "$(guest a2 a2 200 $MA2)" "$(guest m m-on-a 100 $MM)" \
	"$(printf '[lcores]\ncontrol = 0\nworker.1 = uplink a1 a2 m\nidle-sleep = 50')"
host_config B $UB "${OV_ID}wb" "$UA $UK" "$UA" \
	"$(guest b1 b1 100 $MB1)" "$(guest b2 b2 200 $MB2)" "$(guest m m-on-b 100 $MM)" \
	"$(printf '[lcores]\ncontrol = 0\nworker.1 = uplink b1 b2 m\nidle-sleep = 50')"

ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
ov_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" || exit 1
NA1=${OV_ID}-a1 NA2=${OV_ID}-a2 NB1=${OV_ID}-b1 NB2=${OV_ID}-b2 NM=${OV_ID}-m K=${OV_ID}-k
ov_guests main \
	"a1,$OV_TMP/a1.sock,$MA1,$NA1,10.61.0.1/24,server" \
	"a2,$OV_TMP/a2.sock,$MA2,$NA2,10.61.0.3/24,server" \
	"b1,$OV_TMP/b1.sock,$MB1,$NB1,10.61.0.2/24,server" \
	"b2,$OV_TMP/b2.sock,$MB2,$NB2,10.61.0.4/24,server" || exit 1
ov_guests mova "m,$OV_TMP/m-on-a.sock,$MM,$NM,10.61.0.9/24,server" || exit 1
ov_check "guests connected to both hosts" ov_wait_connected A a1 a2 m
ov_check "guests connected to host B" ov_wait_connected B b1 b2

ov_check "ping a1 (host A) -> b1 (host B), VNI 100" ov_ping "$NA1" 10.61.0.2 10
ov_check "ping b2 (host B) -> a2 (host A), VNI 200" ov_ping "$NB2" 10.61.0.3 5
ov_check "arping a1 -> b1 answered across hosts" \
	ip netns exec "$NA1" arping -q -c 2 -w 3 -I "${OV_ID}a1" 10.61.0.2
res=$(ov_iperf "$NB1" 10.61.0.2 "$NA1" 5)
ov_log "iperf3 a1 -> b1 (5 s): $res  (Gbit/s, retransmits, bytes)"
ov_check "iperf3 TCP a1 -> b1 moved data" ov_iperf_ok "$res"

# Learning converged: unicast a1 -> b1 no longer reaches the kernel VTEP (which is on
# VNI 100's flood list and so received the first, flooded frames).
k_rx() { ip -n "$K" -s link show "vxlan100" | awk '/RX:/{getline; print $2}'; }
before=$(k_rx)
ov_ping "$NA1" 10.61.0.2 100 0.01 >/dev/null
after=$(k_rx)
ov_log "kernel VTEP received $((after - before)) frames during 100 unicast pings a1 -> b1"
ov_check "learning stopped flooding (kernel VTEP saw < 5 of 200 frames)" [ $((after - before)) -lt 5 ]

# Isolation across hosts: a2 (VNI 200) cannot reach b1 (VNI 100) even with a forged ARP entry,
# and a1's broadcast never reaches b2.
ip -n "$NA2" neigh replace 10.61.0.2 lladdr $MB1 dev "${OV_ID}a2" nud permanent
ov_check "VNI 200 guest cannot ping a VNI 100 guest on another host" ov_no_ping "$NA2" 10.61.0.2
ip netns exec "$NB2" timeout 4 tcpdump -nli "${OV_ID}b2" -c 1 arp and host 10.61.0.1 \
	>"$OV_TMP/b2-arp.txt" 2>/dev/null &
tcpd=$!
sleep 1
ip netns exec "$NA1" arping -q -c 2 -w 2 -I "${OV_ID}a1" 10.61.0.4 >/dev/null 2>&1
wait $tcpd
grep -q ARP "$OV_TMP/b2-arp.txt" && sed 's/^/    b2 saw: /' "$OV_TMP/b2-arp.txt"
ov_check "a1's broadcast ARP never reaches b2 (VNI 200)" bash -c "! grep -q ARP $OV_TMP/b2-arp.txt"

# Move guest m from host A to host B: stop its emulator on A, start it on B, announce.
ov_check "a1 -> m while m lives on host A" ov_ping "$NA1" 10.61.0.9 3
ov_check "b1 -> m while m lives on host A" ov_ping "$NB1" 10.61.0.9 3
# Continuous pings (every 50 ms, timestamped) from host A, host B and the kernel VTEP run
# across the move; the gratuitous ARP's time on m's tap is the announcement.
pingers=()
for src in "$NA1" "$NB1" "$K"; do
	ip netns exec "$src" ping -D -n -i 0.05 -W 1 10.61.0.9 >"$OV_TMP/cping-$src" 2>&1 &
	pingers+=($!)
done
kill -TERM "$OV_PID_gemu_mova"; wait "$OV_PID_gemu_mova" 2>/dev/null
ip netns del "$NM"
ov_guests movb "m,$OV_TMP/m-on-b.sock,$MM,$NM,10.61.0.9/24,server" || exit 1
ov_check "m connected on host B" ov_wait_connected B m
t_up=$(date +%s.%N)
ip netns exec "$NM" tcpdump -nli "${OV_ID}m" -tt -c 1 'arp[6:2] = 1 and arp[14:4] = arp[24:4]' \
	>"$OV_TMP/garp.txt" 2>/dev/null &
tcpd=$!
sleep 0.3
ip netns exec "$NM" arping -q -U -c 1 -I "${OV_ID}m" 10.61.0.9
wait "$tcpd"
sleep 1.2
kill "${pingers[@]}" 2>/dev/null
wait "${pingers[@]}" 2>/dev/null
t_garp=$(awk '{print $1; exit}' "$OV_TMP/garp.txt")
ov_log "m's gratuitous ARP left at $t_garp"
# reached SRC: first reply from m after m came up on host B, in s after the announcement.
reached() {
	awk -v up="$t_up" -v g="$t_garp" -F'[][]' '/bytes from/ && $2 > up {printf "%.3f\n", $2 - g; exit}' \
		"$OV_TMP/cping-$1"
}
within_1s() {
	local src d
	[ -n "$t_garp" ] || return 1
	for src in "$NA1" "$NB1" "$K"; do
		d=$(reached "$src")
		ov_log "  $src: first reply from m on host B at ${d:-never} s from the announcement"
		[ -n "$d" ] && [ "$(echo "$d < 1" | bc)" = 1 ] || return 1
	done
}
ov_check "moved guest answers host A, host B and the kernel VTEP within 1 s of its announcement" \
	within_1s

ov_check "host A: no mbuf leaked (in use back to 0 when idle)" [ "$(ov_mbufs A)" -eq 0 ]
ov_check "host B: no mbuf leaked" [ "$(ov_mbufs B)" -eq 0 ]
ov_summary
