#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input on the underlay: scapy-crafted frames sent to vseal's uplink each raise exactly
# their own drop counter, a guest's ping keeps flowing meanwhile with no loss, and the mbuf
# pool returns to its idle level afterwards.
. "$(dirname "$0")/lib_overlay.sh"
ov_hugepages
UA=192.168.63.1 UK=192.168.63.3
K=${OV_ID}-k
# A veth straight from the kernel VTEP to vseal's uplink: a bridge (and whatever firewall
# the host runs on bridged traffic) would eat malformed IPv4 before vseal saw it. The uplink
# is net_pcap here, not net_af_packet: DPDK 22.11's af_packet PMD always sets
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel would reassemble (or hold) IP fragments.
OV_DIRECT=${OV_ID}wa ov_kernel_vtep "$K" "${OV_ID}wk" $UK 100 10.63.0.5/24 $UA
MA1=02:63:00:00:00:a1
cat >"$OV_TMP/A.ini" <<CFG
[host]
vtep-ip = $UA
ctl-socket = $OV_TMP/A.ctl
[uplink]
device = net_pcap_A,iface=${OV_ID}wa0
[vni.100]
flood = $UK
[guest.a1]
socket = $OV_TMP/a1.sock
vni = 100
mac = $MA1
[lcores]
control = 0
worker.1 = uplink a1
idle-sleep = 50
CFG
ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
NA1=${OV_ID}-a1
ov_guests main "a1,$OV_TMP/a1.sock,$MA1,$NA1,10.63.0.1/24,server" || exit 1
ov_check "guest connected" ov_wait_connected A a1
ov_check "guest reaches the kernel VTEP's address" ov_ping "$NA1" 10.63.0.5 3
idle=$(ov_mbufs A)

AMAC=$(cat "/sys/class/net/${OV_ID}wa0/address")
# accounted COUNTED MISSED: vseal counted some and at most N frames, and every frame sent
# was counted or missed before vseal (missed may include a background ping frame or two).
accounted() { [ "$1" -gt 0 ] && [ "$1" -le "$N" ] && [ $(($1 + $2)) -ge "$N" ]; }
# missed: frames the kernel dropped before net_pcap read them (ethdev imissed).
missed() {
	local v
	v=$("$OV_BUILD/app/vseal-ctl" -s "$OV_TMP/A.ctl" show port stats uplink |
		sed -n 's/.*ethdev rx:.* missed \([0-9]*\).*/\1/p')
	echo "${v:-0}"
}
N=25
# send KIND: N frames of one kind from the kernel VTEP's wire to vseal's uplink.
send() {
	ip netns exec "$K" /usr/bin/python3 - "$1" "${OV_ID}wk0" "$AMAC" $UA $UK $N <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, Dot1Q, sendp, conf
from scapy.layers.vxlan import VXLAN
conf.verb = 0
kind, iface, amac, ua, uk, n = sys.argv[1:7]
inner = Ether(src="02:63:00:00:00:ee", dst="02:63:00:00:00:a1") / IP(src="10.63.0.77", dst="10.63.0.1") / UDP(sport=1, dport=9) / Raw(b"x" * 32)
base = Ether(dst=amac) / IP(src=uk, dst=ua)
vx = lambda **kw: base / UDP(sport=50000, dport=4789) / VXLAN(**kw)
pkts = {
    "wrong-udp-port": base / UDP(sport=50000, dport=4790) / VXLAN(vni=100) / inner,
    "vxlan-i-flag-clear": vx(flags=0, vni=100) / inner,
    "unknown-vni": vx(vni=999) / inner,
    "vxlan-truncated": base / UDP(sport=50000, dport=4789) / Raw(b"\x08\x00\x00"),
    "inner-runt": vx(vni=100) / Raw(b"\x02" * 10),
    "ip-fragment": Ether(dst=amac) / IP(src=uk, dst=ua, flags="MF", id=7) / UDP(sport=50000, dport=4789) / VXLAN(vni=100) / inner,
    "ip-fragment-last": Ether(dst=amac) / IP(src=uk, dst=ua, frag=16, id=8, proto=17) / Raw(b"f" * 64),
    "not-our-vtep-ip": Ether(dst=amac) / IP(src=uk, dst="192.168.63.77") / UDP(sport=50000, dport=4789) / VXLAN(vni=100) / inner,
    "inner-vlan": vx(vni=100) / Ether(src="02:63:00:00:00:ee", dst="02:63:00:00:00:a1") / Dot1Q(vlan=5) / IP(src="10.63.0.77", dst="10.63.0.1") / UDP() / Raw(b"y" * 32),
    "ip-options": Ether(dst=amac) / IP(src=uk, dst=ua, options=b"\x01\x01\x01\x00") / UDP(sport=50000, dport=4789) / VXLAN(vni=100) / inner,
    "ip-malformed": Ether(dst=amac) / IP(src=uk, dst=ua, chksum=0x1234) / UDP(sport=50000, dport=4789) / VXLAN(vni=100) / inner,
    "not-udp": Ether(dst=amac) / IP(src=uk, dst=ua, proto=6) / Raw(b"z" * 40),
    "underlay-proto": Ether(dst=amac, type=0x88b5) / Raw(b"q" * 46),
}
sendp([pkts[kind]] * int(n), iface=iface)
PY
}

ip netns exec "$NA1" ping -q -i 0.05 -c 200 -W 1 10.63.0.5 >"$OV_TMP/bg-ping.txt" 2>&1 &
bgping=$!
for kind in ip-fragment-last wrong-udp-port vxlan-i-flag-clear unknown-vni vxlan-truncated inner-runt \
		ip-fragment not-our-vtep-ip inner-vlan ip-options ip-malformed not-udp underlay-proto; do
	reason=${kind%-last}
	before=$(ov_drop A uplink "$reason")
	m0=$(missed)
	send "$kind"
	for _ in $(seq 30); do
		after=$(ov_drop A uplink "$reason")
		[ $((after - before + $(missed) - m0)) -ge $N ] && break
		sleep 0.1
	done
	sleep 0.2
	after=$(ov_drop A uplink "$reason")
	lost=$(($(missed) - m0))
	# Frames the kernel dropped before net_pcap read them (its ring holds as few as 8 when
	# frames trickle in and vseal is not scheduled: a loaded machine) are the ethdev's
	# missed count, not vseal's; every frame that reached vseal must be counted.
	[ "$lost" -eq 0 ] || ov_log "  $lost of the $N frames were lost before vseal (ethdev rx missed)"
	ov_check "$N '$kind' frames counted as $reason ($before -> $after, $lost missed)" \
		accounted $((after - before)) "$lost" ||
		ov_stats A | grep -E "^(drop|port uplink)" | sed "s/^/    /"
done
wait $bgping
grep -E 'packet loss' "$OV_TMP/bg-ping.txt" | sed 's/^/    /'
ov_check "guest's ping kept flowing with no loss while bad frames arrived" \
	grep -q ' 0% packet loss' "$OV_TMP/bg-ping.txt"
ov_check "mbufs in use back to the idle level ($idle)" [ "$(ov_mbufs A)" -le "$idle" ]
ov_summary
