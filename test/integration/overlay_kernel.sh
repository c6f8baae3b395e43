#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop with a VTEP no one here wrote: the Linux kernel's vxlan device. A vseal guest and
# an address on the kernel's vxlan100 ping and iperf3 each other both ways, and tshark
# decodes what vseal sends as VXLAN with VNI 100, UDP port 4789, a source port in
# 49152-65535 and a zero UDP checksum.
. "$(dirname "$0")/lib_overlay.sh"
ov_hugepages
ov_underlay
ov_wire "${OV_ID}wa"
UA=192.168.62.1 UK=192.168.62.3
K=${OV_ID}-k
ov_kernel_vtep "$K" "${OV_ID}wk" $UK 100 10.62.0.5/24 $UA
MA1=02:62:00:00:00:a1
cat >"$OV_TMP/A.ini" <<CFG
[host]
vtep-ip = $UA
ctl-socket = $OV_TMP/A.ctl
[uplink]
device = net_af_packet_A,iface=${OV_ID}wa0
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
# The guest OS sends wire-sized frames here (testpmd with net_tap): this test is about
# interop of the VXLAN encapsulation itself; 64 KB guest frames are the large-frame tests'.
ov_guests_tap main "a1,$OV_TMP/a1.sock,$MA1,$NA1,10.62.0.1/24" || exit 1
ov_check "guest connected" ov_wait_connected A a1

# tshark stops after 20 packets (or 60 s); the pings start once it says it captures: on a
# busy machine its start alone can take longer than a fixed sleep.
ip netns exec "$K" tshark -i "${OV_ID}wk0" -f "udp port 4789" -a duration:60 -c 20 -n -T fields \
	-E occurrence=f -e vxlan.vni -e udp.dstport -e udp.srcport -e udp.checksum -e vxlan.flags -e ip.src \
	>"$OV_TMP/tshark.txt" 2>"$OV_TMP/tshark.err" &
tsh=$!
for _ in $(seq 200); do
	grep -q '^Capturing on' "$OV_TMP/tshark.err" && break
	sleep 0.1
done
ov_check "ping vseal guest -> kernel vxlan100 address" ov_ping "$NA1" 10.62.0.5 10
ov_check "ping kernel vxlan100 -> vseal guest" ov_ping "$K" 10.62.0.1 10
wait $tsh
ov_log "tshark decoded $(wc -l <"$OV_TMP/tshark.txt") VXLAN packets; first: $(head -1 "$OV_TMP/tshark.txt")"
ours=$(awk -v a=$UA '$6 == a' "$OV_TMP/tshark.txt")
ov_check "tshark saw VXLAN from vseal" [ -n "$ours" ]
ov_check "every packet from vseal: VNI 100, dst port 4789, src port 49152-65535, UDP checksum 0" \
	bash -c "awk -v a=$UA '\$6 == a && !(\$1 == 100 && \$2 == 4789 && \$3 >= 49152 && \$3 <= 65535 && (\$4 == \"0x0000\" || \$4 == \"0\")) {bad++} END {exit bad > 0}' '$OV_TMP/tshark.txt'"

res=$(ov_iperf "$K" 10.62.0.5 "$NA1" 5)
ov_log "iperf3 vseal guest -> kernel VTEP (5 s): $res  (Gbit/s, retransmits, bytes)"
ov_check "iperf3 guest -> kernel moved data" ov_iperf_ok "$res"
res=$(ov_iperf "$NA1" 10.62.0.1 "$K" 5)
ov_log "iperf3 kernel VTEP -> vseal guest (5 s): $res"
ov_check "iperf3 kernel -> guest moved data" ov_iperf_ok "$res"
ov_check "vseal answers ping to its VTEP address" ip netns exec "$K" ping -q -c 2 -W 1 $UA
ov_check "no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_summary
