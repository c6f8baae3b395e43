#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Large frames across hosts (issue #5): guests with MTU 65000 and TSO send 64 KB frames;
# the uplinks have MTU 1500. vseal encapsulates each frame once and has it cut to wire size
# (by the NIC's VXLAN tunnel TSO where the uplink offers it, else by librte_gso). Checked on
# the wire with tshark: every outer packet <= 1500 bytes, outer IPv4 and inner IPv4/TCP
# checksums valid. Run twice between two vseal hosts: with the path vseal picks
# (`show port info uplink` says which and why) and GRO on at the receiver (the guest gets
# coalesced large frames), then with `segmentation = software` forced and GRO off (the guest
# gets wire-sized frames). Then against the Linux kernel's vxlan device, both directions.
. "$(dirname "$0")/lib_overlay.sh"
OV_CTL=$OV_BUILD/app/vseal-ctl
SECS=${LARGE_SECONDS:-4}   # iperf3 run length (test/perf/large_frames.sh sets more)
ov_hugepages
ov_underlay
ov_wire "${OV_ID}wa"
ov_wire "${OV_ID}wb"
UA=192.168.66.1 UB=192.168.66.2 UK=192.168.66.3
K=${OV_ID}-k
ov_kernel_vtep "$K" "${OV_ID}wk" $UK 100 10.66.0.5/24 $UA $UB
MA1=02:66:00:00:00:a1 MB1=02:66:00:00:00:b1

# host_config NAME VTEP-IP WIRE GUEST MAC FLOOD [UPLINK-LINES...]
host_config() {
	local name=$1 ip=$2 wire=$3 g=$4 mac=$5 flood=$6
	shift 6
	{
		printf '[host]\nvtep-ip = %s\nctl-socket = %s/%s.ctl\n' "$ip" "$OV_TMP" "$name"
		printf '[uplink]\ndevice = net_af_packet_%s,iface=%s0,framecnt=4096\nmtu = 1500\n' "$name" "$wire"
		printf '%s\n' "$@"
		printf '[vni.100]\nflood = %s\n' "$flood"
		printf '[guest.%s]\nsocket = %s/%s.sock\nvni = 100\nmac = %s\nmtu = 65000\n' \
			"$g" "$OV_TMP" "$g" "$mac"
		printf '[lcores]\ncontrol = 0\nworker.1 = uplink %s\nidle-sleep = 50\n' "$g"
	} >"$OV_TMP/$name.ini"
}
ctl() { local h=$1; shift; "$OV_CTL" -s "$OV_TMP/$h.ctl" "$@"; }
# counter NAME FIELD: one of the "offload ..." counters of vseal NAME's dump.
offload() { ov_stats "$1" | sed -n "s/^offload .*\b$2=\([0-9]*\).*/\1/p" | tail -1; }
# capture IFACE [NETNS]: start writing VXLAN packets seen on IFACE to $OV_TMP/cap.pcap.
capture() {
	rm -f "$OV_TMP/cap.pcap"
	${2:+ip netns exec "$2"} tcpdump -nli "$1" -c 3000 -w "$OV_TMP/cap.pcap" \
		udp port 4789 >/dev/null 2>&1 &
	CAP_PID=$!
	sleep 0.5
}
# wire_ok SRC-VTEP: every VXLAN packet from SRC-VTEP in the capture is <= 1500 bytes of IPv4
# with valid outer IPv4, inner IPv4 and inner TCP checksums and UDP checksum 0 or valid.
wire_ok() {
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	tshark -r "$OV_TMP/cap.pcap" -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-o udp.check_checksum:TRUE -Y "ip.src == $1 && tcp" -T fields -E occurrence=a \
		-E separator=' ' -e frame.len -e ip.len -e ip.checksum.status \
		-e udp.checksum -e tcp.checksum.status >"$OV_TMP/wire.txt" 2>"$OV_TMP/tshark.err"
	awk '
		{n++; if ($1 > max) max = $1}
		$1 > 1514 {big++}
		{split($2, l, ","); if (l[1] > 1500) big++}
		$3 != "1,1" {badip++}
		$4 != "0x0000" && $4 != "0" {udpck++}
		$5 != "1" {badtcp++}
		END {
			printf "    %d VXLAN/TCP packets from %s, largest frame %d bytes; over 1500: %d, bad IPv4 checksum: %d, bad TCP checksum: %d, UDP checksum set: %d\n", n, src, max, big, badip, badtcp, udpck
			exit !(n >= 100 && big == 0 && badip == 0 && badtcp == 0)
		}' src="$1" "$OV_TMP/wire.txt"
}

host_config A $UA "${OV_ID}wa" a1 $MA1 "$UB $UK"
host_config B $UB "${OV_ID}wb" b1 $MB1 "$UA $UK"
ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
ov_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" || exit 1
NA1=${OV_ID}-a1 NB1=${OV_ID}-b1
ov_guests ga "a1,$OV_TMP/a1.sock,$MA1,$NA1,10.66.0.1/24,mtu=65000,server" || exit 1
ov_guests gb "b1,$OV_TMP/b1.sock,$MB1,$NB1,10.66.0.2/24,mtu=65000,server" || exit 1
ov_check "guests connected" ov_wait_connected A a1
ov_check "guests connected to host B" ov_wait_connected B b1
ov_check "ping a1 -> b1 across hosts" ov_ping "$NA1" 10.66.0.2 5

# run LABEL: a1 -> b1 iperf3 with the wire captured on B's side of the underlay.
run() {
	local label=$1 res g0 g1 s0 s1 fr0 fr1 gso0 gso1
	g0=$(offload A gso-frames)
	s0=$(offload A gso-segments)
	fr0=$(ov_gemu_field gb b1 'port->tap' frames)
	gso0=$(ov_gemu_field gb b1 'port->tap' gso)
	capture "${OV_ID}wb1"
	res=$(ov_iperf "$NB1" 10.66.0.2 "$NA1" "$SECS")
	g1=$(offload A gso-frames)
	s1=$(offload A gso-segments)
	fr1=$(ov_gemu_field gb b1 'port->tap' frames)
	gso1=$(ov_gemu_field gb b1 'port->tap' gso)
	ov_log "$label: iperf3 a1 -> b1 ($SECS s, guest MTU 65000, uplink MTU 1500): $res  (Gbit/s, retransmits, bytes)"
	ov_log "$label: host A cut $((g1 - g0)) large frames into $((s1 - s0)) wire packets in software; b1 got $((fr1 - fr0)) frames, $((gso1 - gso0)) of them GSO"
	ov_check "$label: iperf3 moved data" ov_iperf_ok "$res"
	ov_check "$label: on the wire every outer packet <= 1500 bytes, checksums valid" wire_ok $UA
	RUN_SEGS=$((s1 - s0)) RUN_GSO=$((gso1 - gso0)) RUN_FRAMES=$((fr1 - fr0))
}

# 1. The path vseal picks. af_packet (a veth here) offers no VXLAN tunnel TSO, so librte_gso;
#    with a NIC that has it (i40e, ice, mlx5...) this line says "by the NIC".
ctl A show port info uplink >"$OV_TMP/info.txt" 2>&1
grep -E 'large frames|outer IPv4|large-frame' "$OV_TMP/info.txt" | sed 's/^/    /'
ov_check "show port info uplink names the large-frame path and why" \
	grep -Eq 'large frames +segmented (by the NIC|in software \(librte_gso\): the device offers no VXLAN tunnel TSO)' \
	"$OV_TMP/info.txt"
run "auto path, GRO on"
ov_check "auto path: librte_gso cut the large frames (gso-segments rose)" [ "$RUN_SEGS" -gt 0 ]
ov_check "GRO on: b1 received coalesced large frames ($RUN_GSO GSO frames)" [ "$RUN_GSO" -gt 0 ]
gi=$(offload B gro-in) go=$(offload B gro-out)
ov_log "host B GRO: $gi wire segments -> $go frames to guests"
ov_check "GRO on: host B coalesced segments (gro-in > gro-out > 0)" [ "$go" -gt 0 ] && [ "$gi" -gt "$go" ]

# 2. Software segmentation forced, GRO off at the receiver: both vseal restarted (the
#    guests, vhost-user servers, stay and are reconnected).
host_config A $UA "${OV_ID}wa" a1 $MA1 "$UB $UK" "segmentation = software"
host_config B $UB "${OV_ID}wb" b1 $MB1 "$UA $UK" "gro = off"
kill -TERM "$OV_PID_A" "$OV_PID_B"; wait "$OV_PID_A" "$OV_PID_B" 2>/dev/null
ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
ov_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" || exit 1
ov_check "guests reconnected to the restarted hosts" ov_wait_connected A a1 &&
	ov_wait_connected B b1
ov_check "ping a1 -> b1 after the restart" ov_ping "$NA1" 10.66.0.2 5
ctl A show port info uplink >"$OV_TMP/info.txt" 2>&1
grep -E 'large frames' "$OV_TMP/info.txt" | sed 's/^/    /'
ov_check "show port info uplink: segmented in software" \
	grep -q 'large frames *segmented in software' "$OV_TMP/info.txt"
run "software forced, GRO off"
ov_check "software forced: librte_gso cut the large frames" [ "$RUN_SEGS" -gt 0 ]
ov_check "GRO off: b1 received wire-sized frames only ($RUN_GSO GSO of $RUN_FRAMES)" \
	[ "$RUN_GSO" -eq 0 ] && [ "$RUN_FRAMES" -gt 100 ]

# 3. The kernel's vxlan device as the peer, 64 KB guest frames both ways.
capture "${OV_ID}wk0" "$K"
res=$(ov_iperf "$K" 10.66.0.5 "$NA1" "$SECS")
ov_log "iperf3 a1 (64 KB frames) -> kernel VTEP ($SECS s): $res"
ov_check "iperf3 guest -> kernel VTEP moved data" ov_iperf_ok "$res"
ov_check "kernel side of the wire: every outer packet <= 1500 bytes, checksums valid" wire_ok $UA
res=$(ov_iperf "$NA1" 10.66.0.1 "$K" "$SECS")
ov_log "iperf3 kernel VTEP -> a1 ($SECS s): $res"
ov_check "iperf3 kernel VTEP -> guest moved data" ov_iperf_ok "$res"

ov_stats A | sed 's/^/    host A: /'
sleep 0.5
ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_check "host B: no mbuf leaked" [ "$(ov_mbufs B)" -eq 0 ]
ov_summary
