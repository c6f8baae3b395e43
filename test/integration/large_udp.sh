#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Large UDP datagrams across hosts (guest MTU 65000, underlay MTU 1500): frames that cannot
# be segmented and do not fit the underlay.
#
#   VNI 100, default mode (RFC 7348: a VTEP must not fragment): dropped and counted
#     `too-big` on the sending guest's port, and the guest gets ICMP "fragmentation needed"
#     with MTU 1450, which its kernel caches (path MTU discovery): ping -M do reports it;
#     iperf3 -u stops with "Message too long" (its connected socket is told), and run again
#     gets through because the guest now fragments on its own.
#   VNI 200, `fragment = on`: vseal fragments the outer IPv4 packet (every outer packet on
#     the wire <= 1500 bytes) and the receiving VTEP reassembles it; ping -s 30000 and
#     iperf3 -u -l 30000 with DF set in the guest arrive intact (every byte; no loss but
#     for fragments the uplink's kernel socket dropped before vseal read them, which a busy
#     machine causes and nic-rx-missed shows), between two vseal hosts and between vseal
#     and the Linux kernel's vxlan device, both ways.
#
# Topology: vseal A and vseal B uplinks on the two ends of one veth (net_pcap); for the
# kernel part, B is stopped and its veth end becomes the kernel VTEP's underlay interface
# (same address), so A's uplink sees exactly what the kernel sends.
. "$(dirname "$0")/lib_overlay.sh"
. "$(dirname "$0")/lib_frag.sh"
ov_hugepages
T0=$SECONDS
UA=192.168.66.1 UB=192.168.66.2
W=${OV_ID}ab
fr_pair "$W"

# host_config NAME VTEP-IP IFACE PEER GUEST1 GUEST2 MAC1 MAC2
host_config() {
	cat >"$OV_TMP/$1.ini" <<CFG
[host]
vtep-ip = $2
ctl-socket = $OV_TMP/$1.ctl
[uplink]
device = net_pcap_$1,iface=$3,phy_mac=1
mtu = 1500
[vni.100]
flood = $4
[vni.200]
flood = $4
fragment = on
[guest.$5]
socket = $OV_TMP/$5.sock
vni = 100
mac = $7
mtu = 65000
[guest.$6]
socket = $OV_TMP/$6.sock
vni = 200
mac = $8
mtu = 65000
[lcores]
control = 0
worker.1 = uplink $5 $6
idle-sleep = 50
CFG
}
MA1=02:66:00:00:00:a1 MA2=02:66:00:00:00:a2 MB1=02:66:00:00:00:b1 MB2=02:66:00:00:00:b2
host_config A $UA "${W}0" $UB a1 a2 $MA1 $MA2
host_config B $UB "${W}1" $UA b1 b2 $MB1 $MB2
ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
ov_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" || exit 1
NA1=${OV_ID}-a1 NA2=${OV_ID}-a2 NB1=${OV_ID}-b1 NB2=${OV_ID}-b2 K=${OV_ID}-k
ov_guests main \
	"a1,$OV_TMP/a1.sock,$MA1,$NA1,10.66.1.1/24,server,mtu=65000" \
	"a2,$OV_TMP/a2.sock,$MA2,$NA2,10.66.2.1/24,server,mtu=65000" \
	"b1,$OV_TMP/b1.sock,$MB1,$NB1,10.66.1.2/24,server,mtu=65000" \
	"b2,$OV_TMP/b2.sock,$MB2,$NB2,10.66.2.2/24,server,mtu=65000" || exit 1
ov_check "guests connected to host A" ov_wait_connected A a1 a2 || exit 1
ov_check "guests connected to host B" ov_wait_connected B b1 b2 || exit 1
ov_check "a1 reaches b1 (VNI 100)" fr_wait_ping "$NA1" 10.66.1.2 || exit 1
ov_check "a2 reaches b2 (VNI 200)" fr_wait_ping "$NA2" 10.66.2.2 || exit 1

# --- VNI 100, default mode ----------------------------------------------------------------
ov_log "VNI 100 (fragment = off)"
tb_a=$(ov_drop A a1 too-big)
rx=$(fr_big_ping "$NA1" 10.66.1.2 30000 3 -M do)
sed 's/^/    /' "$OV_TMP/bigping.out" | grep -E 'Frag|mtu|received' | head -4
tb_a2=$(ov_drop A a1 too-big)
# Each echo that left the guest before its kernel learnt the path MTU (the first; on a
# busy machine the second may leave before the ICMP is back) is dropped and answered.
icmp=$(grep -c 'Frag needed and DF set (mtu = 1450)' "$OV_TMP/bigping.out")
ov_check "ping -M do -s 30000 a1 -> b1: no reply (got ${rx:-?})" [ "${rx:-1}" -eq 0 ]
ov_check "ping saw ICMP 'Frag needed' with mtu 1450 from vseal ($icmp)" [ "$icmp" -ge 1 ]
ov_check "each echo too big dropped and counted too-big on a1's port, one ICMP each ($tb_a -> $tb_a2)" \
	[ $((tb_a2 - tb_a)) -eq "$icmp" ]
ov_check "then ping's own kernel refuses: message too long, mtu=1450" \
	grep -q 'message too long, mtu=1450' "$OV_TMP/bigping.out"
route=$(ip -n "$NA1" route get 10.66.1.2 | tr -s ' \n' ' ')
ov_log "a1: ip route get 10.66.1.2: $route"
ov_check "a1's kernel cached path MTU 1450 towards b1" grep -q ' mtu 1450' <<<"$route"

# iperf3 UDP b1 -> a1 (b1 knows no path MTU yet): the first datagrams are dropped at B and
# the ICMP reaches b1's socket: iperf3 stops with "Message too long" (EMSGSIZE, as any
# connected UDP socket is told). Run again, the guest now fragments on its own to the
# cached MTU and every byte arrives, with nothing dropped by vseal.
tb_b=$(ov_drop B b1 too-big)
res=$(fr_udp "$NA1" 10.66.1.1 "$NB1" 2 30000 10M 2>&1)
tb_b2=$(ov_drop B b1 too-big)
ov_log "iperf3 -u -l 30000 b1 -> a1: $(grep -m1 -o 'unable to write.*' <<<"$res"); too-big on B $tb_b -> $tb_b2"
ov_check "iperf3 UDP b1 -> a1 stopped by the ICMP: Message too long" \
	grep -q 'Message too long' <<<"$res"
ov_check "datagrams too big for the underlay dropped, counted too-big on b1's port ($((tb_b2 - tb_b)))" \
	fr_true "tb_b2 - tb_b >= 1 && tb_b2 - tb_b <= 5"
route=$(ip -n "$NB1" route get 10.66.1.1 | tr -s ' \n' ' ')
ov_check "b1's kernel cached path MTU 1450 towards a1 ($route)" grep -q ' mtu 1450' <<<"$route"
m0=$(fr_missed A)
res=$(fr_udp "$NA1" 10.66.1.1 "$NB1" 2 30000 10M)
tb_b3=$(ov_drop B b1 too-big)
missed=$(( $(fr_missed A) - m0 ))
ov_log "iperf3 -u -l 30000 b1 -> a1 again (2 s, 10 Mbit/s): $res (sent, received bytes, datagrams, lost, receiver socket overflows); A nic-rx-missed +$missed"
read -r sent got dgrams lost rcvbuf <<<"${res:-0 0 0 -1 0}"
ov_check "then the guest fragments itself: $dgrams datagrams, $lost lost, $got of $sent bytes" \
	fr_udp_near "$lost" "$dgrams" "$got" "$sent" "$missed"
ov_check "nothing more counted too-big ($tb_b2 -> $tb_b3)" [ "$tb_b3" -eq "$tb_b2" ]

# --- VNI 200, fragment = on, vseal <-> vseal ------------------------------------------------
ov_log "VNI 200 (fragment = on), host A <-> host B"
fr_capture wire "${W}0" || exit 1
tb_a=$(ov_drop A a2 too-big)
tb_b=$(ov_drop B b2 too-big)
for dir in "a2 b2 $NA2 10.66.2.2" "b2 a2 $NB2 10.66.2.1"; do
	read -r src dst ns ip <<<"$dir"
	m0=$(fr_missed A B)
	rx=$(fr_big_ping "$ns" "$ip" 30000 5 -M do)
	missed=$(( $(fr_missed A B) - m0 ))
	ov_log "ping -M do -s 30000 $src -> $dst: $(grep -o '[0-9]* received' "$OV_TMP/bigping.out"), $rx intact; nic-rx-missed +$missed"
	ov_check "ping -s 30000 $src -> $dst: every echo answered intact, but for fragments missed by the uplinks' kernel sockets ($rx of 5, $missed missed)" \
		fr_true "rx >= 1 && 5 - rx <= missed"
done
for dir in "a2 b2 $NB2 10.66.2.2 $NA2 B" "b2 a2 $NA2 10.66.2.1 $NB2 A"; do
	read -r src dst sns sip cns rh <<<"$dir"
	m0=$(fr_missed "$rh")
	res=$(fr_udp "$sns" "$sip" "$cns" 2 30000 10M --dont-fragment)
	missed=$(( $(fr_missed "$rh") - m0 ))
	ov_log "iperf3 -u -l 30000 --dont-fragment $src -> $dst (2 s): $res (sent, received bytes, datagrams, lost, receiver socket overflows); $rh nic-rx-missed +$missed"
	read -r sent got dgrams lost rcvbuf <<<"${res:-0 0 0 -1 0}"
	ov_check "iperf3 UDP $src -> $dst: $dgrams datagrams of 30000 bytes, $lost lost (<= 3% + $missed missed), $got of $sent bytes received" \
		fr_udp_near "$lost" "$dgrams" "$got" "$sent" "$missed"
done
fr_capture_stop wire
big=$(fr_count "$OV_TMP/wire.pcap" 'greater 1515')
frags=$(fr_count "$OV_TMP/wire.pcap" 'ip and ip[6:2] & 0x3fff != 0')
ov_log "underlay: $frags outer IPv4 fragments, $big frames longer than 1514 bytes"
ov_check "outer packets were fragmented on the underlay" [ "$frags" -gt 1000 ]
ov_check "no frame on the underlay exceeds MTU 1500" [ "$big" -eq 0 ]
for h in A B; do
	fr_dump $h
	g=${h,,}2 tb=tb_${h,,}
	v=$(fr_get "$g" too-big)
	ov_check "host $h: nothing counted too-big on $g's port" [ "$v" -eq "${!tb}" ]
	for r in frag-invalid frag-table-full no-mbuf; do
		v=$(fr_get uplink $r)
		ov_check "host $h: no $r drop on the uplink ($v)" [ "$v" -eq 0 ]
	done
	# A packet times out only if one of its fragments never came (21 fragments each).
	v=$(fr_get uplink frag-timeout) missed=$(fr_missed $h)
	ov_check "host $h: frag-timeout drops ($v) only for packets whose fragments the uplink missed ($missed)" \
		fr_true "v <= 20 * missed"
done

# --- VNI 200, fragment = on, vseal <-> Linux kernel vxlan -------------------------------------
ov_log "VNI 200 (fragment = on), host A <-> kernel vxlan200 (inner MTU 65000)"
kill -TERM "$OV_PID_B"
wait "$OV_PID_B" 2>/dev/null
fr_kernel_vtep_on "$K" "${W}1" $UB 200 10.66.2.5/24 65000 $UA || exit 1
# The kernel's vxlan lowers the inner route's path MTU to the underlay's when a packet does
# not fit (skb_tunnel_check_pmtu()), after which the kernel would fragment inner packets
# itself; with the inner MTU locked on the route it keeps sending whole inner packets and
# the vxlan device (df unset) fragments the outer packet, as this mode wants.
ip -n "$K" route replace 10.66.2.0/24 dev vxlan200 proto kernel scope link src 10.66.2.5 \
	mtu lock 65000
fr_capture kwire "${W}0" || exit 1
ov_check "a2 reaches the kernel's vxlan200 address" fr_wait_ping "$NA2" 10.66.2.5
for dir in "kernel a2 $K 10.66.2.1" "a2 kernel $NA2 10.66.2.5"; do
	read -r src dst ns ip <<<"$dir"
	m0=$(fr_missed A)
	rx=$(fr_big_ping "$ns" "$ip" 30000 5 -M do)
	missed=$(( $(fr_missed A) - m0 ))
	ov_log "ping -M do -s 30000 $src -> $dst: $(grep -o '[0-9]* received' "$OV_TMP/bigping.out"), $rx intact; nic-rx-missed +$missed"
	ov_check "ping -s 30000 $src -> $dst: every echo answered intact, but for fragments missed by the uplink's kernel socket ($rx of 5, $missed missed)" \
		fr_true "rx >= 1 && 5 - rx <= missed"
done
for dir in "kernel a2 $NA2 10.66.2.1 $K" "a2 kernel $K 10.66.2.5 $NA2"; do
	read -r src dst sns sip cns <<<"$dir"
	m0=$(fr_missed A)
	res=$(fr_udp "$sns" "$sip" "$cns" 2 30000 10M --dont-fragment)
	missed=$(( $(fr_missed A) - m0 ))
	ov_log "iperf3 -u -l 30000 --dont-fragment $src -> $dst (2 s): $res (sent, received bytes, datagrams, lost, receiver socket overflows); A nic-rx-missed +$missed"
	read -r sent got dgrams lost rcvbuf <<<"${res:-0 0 0 -1 0}"
	[ "$src" = kernel ] || missed=0   # the kernel reassembles this direction
	ov_check "iperf3 UDP $src -> $dst: $dgrams datagrams of 30000 bytes, $lost lost (<= 3% + $missed missed), $got of $sent bytes received" \
		fr_udp_near "$lost" "$dgrams" "$got" "$sent" "$missed"
done
fr_capture_stop kwire
ov_log "kernel VTEP's IPv4 reassembly: $(ip netns exec "$K" nstat -az IpReasmOKs IpReasmFails IpReasmTimeout | awk 'NR > 1 {printf "%s=%s ", $1, $2}')"
kfrags=$(fr_count "$OV_TMP/kwire.pcap" "src host $UB and ip[6:2] & 0x3fff != 0")
afrags=$(fr_count "$OV_TMP/kwire.pcap" "src host $UA and ip[6:2] & 0x3fff != 0")
big=$(fr_count "$OV_TMP/kwire.pcap" 'greater 1515')
ov_log "underlay: $kfrags fragments from the kernel, $afrags from vseal, $big frames > 1514 bytes"
ov_check "the kernel sent outer fragments, vseal reassembled them" [ "$kfrags" -gt 1000 ]
ov_check "vseal sent outer fragments, the kernel reassembled them" [ "$afrags" -gt 1000 ]
ov_check "no frame on the underlay exceeds MTU 1500" [ "$big" -eq 0 ]
fr_dump A
for r in frag-invalid frag-table-full no-mbuf; do
	v=$(fr_get uplink $r)
	ov_check "host A: no $r drop on the uplink ($v)" [ "$v" -eq 0 ]
done
v=$(fr_get uplink frag-timeout) missed=$(fr_missed A)
ov_check "host A: frag-timeout drops ($v) only for packets whose fragments the uplink missed ($missed)" \
	fr_true "v <= 20 * missed"
ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_log "took $((SECONDS - T0)) s"
ov_summary
