#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Reassembly bad input (VNI with fragment = on): outer IPv4 fragments crafted with scapy on
# the underlay towards vseal's uplink. Overlapping, duplicate, missing (never completed),
# oversized (past 65535 bytes, or more fragments than a packet may have) fragments and a
# flood of distinct IDs are each counted in their drop reason, every fragment exactly once
# (frag-invalid, frag-table-full, frag-timeout); what is held stays within the table's
# bound and is given back after the timeout (mbufs in use back to idle); well-formed
# fragments, also reordered or with a duplicate, are reassembled and delivered; a guest's
# ping across the same vseal keeps flowing throughout; and the kernel's vxlan device still
# gets 30000-byte pings through afterwards.
#
# Topology: vseal's uplink (net_pcap, so fragments arrive as they are) on one end of a
# veth, the kernel VTEP (and scapy) on the other, no bridge.
. "$(dirname "$0")/lib_overlay.sh"
. "$(dirname "$0")/lib_frag.sh"
ov_hugepages
T0=$SECONDS
UA=192.168.67.1 UK=192.168.67.3
W=${OV_ID}ak
K=${OV_ID}-k
fr_pair "$W"
MA1=02:67:00:00:00:a1
cat >"$OV_TMP/A.ini" <<CFG
[host]
vtep-ip = $UA
ctl-socket = $OV_TMP/A.ctl
[uplink]
device = net_pcap_A,iface=${W}0,phy_mac=1
[vni.100]
flood = $UK
fragment = on
[guest.a1]
socket = $OV_TMP/a1.sock
vni = 100
mac = $MA1
mtu = 65000
[lcores]
control = 0
worker.1 = uplink a1
idle-sleep = 50
CFG
ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
AMAC=$(cat "/sys/class/net/${W}0/address")
fr_kernel_vtep_on "$K" "${W}1" $UK 100 10.67.0.5/24 65000 $UA || exit 1
# Whole inner packets from the kernel (see large_udp.sh): the vxlan device fragments the
# outer packet.
ip -n "$K" route replace 10.67.0.0/24 dev vxlan100 proto kernel scope link src 10.67.0.5 \
	mtu lock 65000
NA1=${OV_ID}-a1
ov_guests main "a1,$OV_TMP/a1.sock,$MA1,$NA1,10.67.0.1/24,server,mtu=65000" || exit 1
ov_check "guest connected" ov_wait_connected A a1 || exit 1
ov_check "guest reaches the kernel VTEP's address" fr_wait_ping "$NA1" 10.67.0.5 || exit 1
rx=$(fr_big_ping "$K" 10.67.0.1 30000 3 -M do)
ov_check "before: ping -s 30000 kernel -> guest, reassembled by vseal ($rx of 3 intact)" [ "$rx" -eq 3 ]
sleep 0.5
idle=$(ov_mbufs A)
ov_log "mbufs in use when idle: $idle"
# back_to_idle: mbufs in use at or below the idle level within 3 s (a packet a missed
# fragment left incomplete is held until its 1 s timeout).
back_to_idle() {
	for _ in $(seq 15); do
		[ "$(ov_mbufs A)" -le "$idle" ] && return 0
		sleep 0.2
	done
	return 1
}

# One scapy process (started once: importing scapy takes seconds on a busy machine) reads
# "KIND N ID0" lines and sends N packets' worth of fragments of that kind (IDs ID0..) from
# the kernel VTEP's wire to vseal's uplink; 0.2 s later it asks vseal for a counter dump
# (SIGUSR1), so what vseal holds is seen well within the 1 s reassembly timeout; then it
# prints the number of fragments sent. Each packet is VXLAN (VNI 100) with an inner UDP
# datagram to the guest's closed port 9 (the guest counts a whole one in Udp NoPorts, a
# damaged one in InCsumErrors); its outer IPv4 packet of 2430 bytes is cut by hand:
#   good        [0,1480) MF, [1480,2410)                     -> reassembled
#   reordered   [1480,2410), [0,1480) MF                     -> reassembled
#   duplicate   [0,1480) MF twice, [1480,2410)               -> reassembled, 1 frag-invalid
#   overlap     [0,1480) MF, [1472,2410)                     -> 2 frag-invalid
#   missing     [0,1480) MF only                             -> 1 frag-timeout after 1 s
#   oversize    [0,1480) MF, [65512,65576) MF (past 65535)   -> 2 frag-invalid
#   too-many    49 fragments of 8 bytes, MF (48 per packet)  -> 49 frag-invalid
#   flood       [0,1480) MF only, N distinct IDs             -> frag-table-full once the
#               table (128 packets) is full, frag-timeout for those it held
cat >"$OV_TMP/frags.py" <<'PY'
import os, signal, sys, time
from scapy.all import Ether, IP, UDP, Raw, conf
from scapy.layers.vxlan import VXLAN
conf.verb = 0
iface, amac, ua, uk, ma1, vseal = sys.argv[1:7]
inner = Ether(src="02:67:00:00:00:ee", dst=ma1) / IP(src="10.67.0.77", dst="10.67.0.1") / \
    UDP(sport=4321, dport=9) / Raw(bytes(range(256)) * 9 + b"z" * 48)
body = bytes(UDP(sport=50001, dport=4789, chksum=0) / VXLAN(vni=100) / inner)
assert len(body) == 2410, len(body)
eth = Ether(dst=amac)
sock = conf.L2socket(iface=iface)

def frag(pid, ofs, data, mf=True):
    return eth / IP(src=uk, dst=ua, id=pid, flags="MF" if mf else 0, frag=ofs // 8,
                    proto=17) / Raw(data)

print("ready", flush=True)
for line in sys.stdin:
    kind, n, id0 = line.split()
    n, id0 = int(n), int(id0)
    pkts = []
    for k in range(n):
        pid = (id0 + k) & 0xffff
        first = frag(pid, 0, body[:1480])
        last = frag(pid, 1480, body[1480:], mf=False)
        if kind == "good":
            pkts += [first, last]
        elif kind == "reordered":
            pkts += [last, first]
        elif kind == "duplicate":
            pkts += [first, first, last]
        elif kind == "overlap":
            pkts += [first, frag(pid, 1472, body[1472:], mf=False)]
        elif kind in ("missing", "flood"):
            pkts += [first]
        elif kind == "oversize":
            pkts += [first, frag(pid, 65512, b"o" * 64)]
        elif kind == "too-many":
            pkts += [frag(pid, 8 * i, body[8 * i:8 * i + 8]) for i in range(49)]
    raw = [bytes(p) for p in pkts]
    for r in raw:
        sock.send(r)
    time.sleep(0.2)
    os.kill(int(vseal), signal.SIGUSR1)
    print(len(raw), flush=True)
PY
coproc SCAPY { ip netns exec "$K" /usr/bin/python3 -u "$OV_TMP/frags.py" "${W}1" "$AMAC" \
	$UA $UK $MA1 "$OV_PID_A" 2>"$OV_TMP/scapy.err"; }
OV_PIDS+=("$SCAPY_PID")
read -r -t 60 ready <&"${SCAPY[0]}"
ov_check "scapy ready" [ "${ready:-}" = ready ] || { cat "$OV_TMP/scapy.err"; exit 1; }
# send KIND N ID0: as above; prints the fragments sent. SENT_DUMP is then the number of
# vseal's counter dump taken 0.2 s after the last fragment (read it with dump_mbufs).
send() {
	SENT_DUMP=$(( $(grep -c '^mbufs in-use' "$OV_TMP/A.log") + 1 ))
	echo "$1 $2 $3" >&"${SCAPY[1]}"
	read -r -t 60 SENT <&"${SCAPY[0]}" || SENT=0
}
# dump_mbufs K: mbufs in use in vseal's K-th counter dump (waits for it, at most 5 s).
dump_mbufs() {
	for _ in $(seq 50); do
		[ "$(grep -c '^mbufs in-use' "$OV_TMP/A.log")" -ge "$1" ] && break
		sleep 0.1
	done
	awk -v k="$1" '/^mbufs in-use=/ && ++d == k {sub(/^mbufs in-use=/, ""); print $1 + 0}' \
		"$OV_TMP/A.log"
}

udp_noports() { fr_snmp "$NA1" Udp NoPorts; }
udp_csumerr() { fr_snmp "$NA1" Udp InCsumErrors; }
# counters ARRAY: one counter dump of vseal A into ARRAY (its frag-* drops), plus the uplink's nic-rx-missed and the guest's Udp NoPorts.
counters() {
	local -n arr=$1
	local w1 w2 w3 w4
	arr=([frag-invalid]=0 [frag-table-full]=0 [frag-timeout]=0)
	while read -r w1 w2 w3 w4; do
		case "$w1 $w2" in
		"drop uplink") arr[$w3]=$w4 ;;
		esac
	done < <(ov_stats A)
	arr[missed]=$(fr_missed A)
	arr[delivered]=$(udp_noports)
}
declare -A before after
snap() { counters before; }
# settle: wait until the fragment counters and the guest's deliveries stop moving (at most
# 3 s; not the uplink's rx-packets, the background ping moves those); leaves them in after.
settle() {
	local prev
	counters after
	for _ in $(seq 15); do
		prev="${after[delivered]} ${after[frag-invalid]} ${after[frag-table-full]} ${after[frag-timeout]}"
		sleep 0.2
		counters after
		[ "$prev" = "${after[delivered]} ${after[frag-invalid]} ${after[frag-table-full]} ${after[frag-timeout]}" ] &&
			return 0
	done
}
# delta NAME: growth of a counter from snap to the last settle.
delta() { echo $(( ${after[$1]} - ${before[$1]} )); }
# expect KIND N INVALID TABLE-FULL TIMEOUT DELIVERED SENT: the counter growth from snap to
# the last settle, each exact (or, if the uplink's kernel socket missed fragments, short by
# at most that many).
expect() {
	local kind=$1 n=$2 want got r missed ok=1 line=""
	local -A w=([frag-invalid]=$3 [frag-table-full]=$4 [frag-timeout]=$5 [delivered]=$6)
	missed=$(delta missed)
	for r in frag-invalid frag-table-full frag-timeout delivered; do
		want=${w[$r]}
		got=$(delta "$r")
		line+=" $r=$got/$want"
		fr_true "got <= want && got >= want - missed" || ok=0
	done
	ov_log "$kind: $7 fragments of $n packets sent;$line (got/expected), nic-rx-missed $missed"
	ov_check "$kind: $n packets counted exactly as expected" [ "$ok" = 1 ]
}

# The guest pings the kernel VTEP every 50 ms throughout.
ip netns exec "$NA1" ping -n -i 0.05 -W 2 10.67.0.5 >"$OV_TMP/bg-ping.txt" 2>&1 &
bgping=$!
OV_PIDS+=("$bgping")
bg_missed0=$(fr_missed A)
csum0=$(udp_csumerr)
N=20

snap; send good $N 1000; settle
expect good $N 0 0 0 $N "$SENT"
snap; send reordered $N 2000; settle
expect reordered $N 0 0 0 $N "$SENT"
snap; send duplicate $N 3000; settle
expect duplicate $N $N 0 0 $N "$SENT"
snap; send overlap $N 4000; settle
expect overlap $N $((2 * N)) 0 0 0 "$SENT"
snap; send oversize $N 5000; settle
expect oversize $N $((2 * N)) 0 0 0 "$SENT"
snap; send too-many 5 6000; settle
expect too-many 5 $((5 * 49)) 0 0 0 "$SENT"

# Missing: held until the timeout (1 s), then given back.
snap; send missing $N 7000
held=$(( $(dump_mbufs "$SENT_DUMP") - idle )) m=$(( $(fr_missed A) - ${before[missed]} ))
ov_check "missing: the $N incomplete packets' fragments are held ($held mbufs above idle)" \
	fr_true "held >= N - m && held <= N + 8"
sleep 1.5; settle
expect missing $N 0 0 $N 0 "$SENT"
ov_check "missing: mbufs in use back to idle after the timeout" back_to_idle

# Flood: 1000 packets' first fragments, distinct IDs. The table holds at most 128 packets
# in progress (16 buckets of 8) and evicts nothing before its timeout: the rest is
# table-full at once, what it holds times out 1 s later. Memory stays within the bound.
F=1000
snap; send flood $F 10000
settle
tf=$(delta frag-table-full)
held=$(( $(dump_mbufs "$SENT_DUMP") - idle )) m=$(( $(fr_missed A) - ${before[missed]} ))
ov_log "flood: $SENT first fragments, $tf frag-table-full at once, $held mbufs held above idle"
ov_check "flood: at most 128 packets held, the rest table-full ($tf)" \
	fr_true "tf >= F - 128 - m && tf <= F"
ov_check "flood: held fragments ($held) within the table's bound and matching what it kept ($((F - tf - m)))" \
	fr_true "held <= 128 + 8 && held >= F - tf - m - 8"
sleep 1.5; settle
expect flood $F 0 "$tf" $((F - tf)) 0 "$SENT"
tf=$(delta frag-table-full) to=$(delta frag-timeout) m=$(delta missed)
ov_check "flood: every fragment counted once (table-full $tf + timeout $to = $F, nic-rx-missed $m)" \
	fr_true "tf + to <= F && tf + to >= F - m"
ov_check "flood: mbufs in use back to idle after the timeout" back_to_idle

kill -INT "$bgping"
wait "$bgping" 2>/dev/null
bg_missed=$(( $(fr_missed A) - bg_missed0 ))
tx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$OV_TMP/bg-ping.txt")
rx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$OV_TMP/bg-ping.txt")
ov_log "guest's background ping: $rx of $tx answered; nic-rx-missed during the test $bg_missed"
ov_check "guest's ping kept flowing while bad fragments arrived (no loss but for missed frames)" \
	fr_true "${tx:-0} > 100 && ${tx:-0} - ${rx:-0} <= bg_missed"
ov_check "no reassembled datagram reached the guest damaged (Udp InCsumErrors)" \
	[ "$(udp_csumerr)" -eq "$csum0" ]
rx=$(fr_big_ping "$K" 10.67.0.1 30000 5 -M do)
ov_check "after: ping -s 30000 kernel -> guest still reassembled ($rx of 5 intact)" [ "$rx" -eq 5 ]
sleep 1
ov_check "mbufs in use back to the idle level ($idle): no leak" back_to_idle
ov_stats A | grep -E '^(drop uplink|port uplink|mbufs)' | sed 's/^/    /'
ov_log "took $((SECONDS - T0)) s"
ov_summary
