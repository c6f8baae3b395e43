#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Real guests on vseal: QEMU (TCG) running Debian's kernel with virtio-net over vhost-user
# (test/tools/guest, image built and cached on first use), two vseal hosts and the kernel's
# vxlan device as a third VTEP on a bridged veth underlay.
#
#   1. host A: vm1 in client mode (QEMU owns the socket), vm2 in server mode (vseal owns it).
#      Both boot and ping each other and the kernel VTEP; `show guest`
#      report the features they negotiated, in words (mergeable buffers, checksum offload,
#      TSO both ways), and they match the guest driver's own view.
#      TCP vm1 -> vm2 (local) and vm1 -> kernel VTEP (through the uplink), bytes checked by
#      sha256: vm1's 64 KB TSO frames reach vm2 intact (vhost size counters on both ports,
#      vm2's driver counts frames larger than the MTU), and towards the uplink every outer
#      packet on the wire fits the underlay MTU (tcpdump on host A's wire).
#   2. vseal on host A restarted under the running guests: vm1 (client mode) reconnects and
#      answers again without anything done to QEMU; vm2 (server mode, QEMU reconnect=1) too.
#   3. vm2 stopped on host A and booted on host B (client mode): vm1 and vm2 ping each other
#      across hosts and move TCP data (sha256 checked), outer packets fit the MTU.
. "$(dirname "$0")/lib_overlay.sh"
. "$(dirname "$0")/lib_qemu.sh"
ov_hugepages
ov_check "QEMU and the guest image (test/tools/guest/mkguest.sh)" qm_init || { ov_summary; exit 1; }
ov_underlay
ov_wire "${OV_ID}wa"
ov_wire "${OV_ID}wb"
UA=192.168.81.1 UB=192.168.81.2 UK=192.168.81.3
K=${OV_ID}-k
ov_kernel_vtep "$K" "${OV_ID}wk" $UK 100 10.81.0.5/24 $UA $UB
M1=52:54:00:81:00:01 M2=52:54:00:81:00:02
IP1=10.81.0.1 IP2=10.81.0.2 IPK=10.81.0.5
BYTES=${QM_BYTES:-4000000}

# host_config NAME VTEP-IP WIRE FLOOD GUEST-SECTIONS WORKER-PORTS
host_config() {
	cat >"$OV_TMP/$1.ini" <<-CFG
	[host]
	vtep-ip = $2
	ctl-socket = $OV_TMP/$1.ctl
	[uplink]
	device = net_af_packet_$1,iface=${3}0
	[vni.100]
	flood = $4
	$5
	[lcores]
	control = 0
	worker.1 = $6
	idle-sleep = 50
	CFG
}
guest() { printf '[guest.%s]\nsocket = %s\nmode = %s\nvni = 100\nmac = %s\n' "$@"; }
host_config A $UA "${OV_ID}wa" "$UB $UK" \
	"$(guest vm1 "$OV_TMP/vm1.sock" client $M1; guest vm2 "$OV_TMP/vm2.sock" server $M2)" \
	"uplink vm1 vm2"
host_config B $UB "${OV_ID}wb" "$UA $UK" "$(guest vm2 "$OV_TMP/vm2b.sock" client $M2)" \
	"uplink vm2"
ov_check "vseal host A starts" qm_vseal A "$OV_TMP/A.ini" "-l 0,1" || { ov_summary; exit 1; }
ov_check "vseal host B starts" qm_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" ||
	{ ov_summary; exit 1; }

# ---------------------------------------------------------------------------------------
ov_log "=== 1. two real guests on host A: vm1 client mode, vm2 server mode"
qm_start vm1 "$OV_TMP/vm1.sock" client $M1 $IP1/24
qm_start vm2 "$OV_TMP/vm2.sock" server $M2 $IP2/24
ov_check "vm1 (client mode) boots and brings up eth0" qm_wait_ready vm1 || { ov_summary; exit 1; }
ov_check "vm2 (server mode) boots and brings up eth0" qm_wait_ready vm2 || { ov_summary; exit 1; }
ov_check "vseal A: vm1 and vm2 connected" ov_wait_connected A vm1 vm2

# show guest: connection, mode and the negotiated features in words.
guest_shows() { # GUEST MODE
	local out
	out=$(qm_ctl A show guest "$1")
	echo "$out" | sed 's/^/    /'
	grep -q "^guest $1: connected" <<<"$out" && grep -q "vhost-user $2 mode" <<<"$out"
}
ov_check "show guest vm1: connected, client mode" guest_shows vm1 client
ov_check "show guest vm2: connected, server mode" guest_shows vm2 server
features_in_words() { # GUEST
	local out w missing=
	out=$(qm_ctl A show guest "$1" | sed -n '/virtio features/,/^  [a-z]/p')
	echo "$out" | sed 's/^/    /'
	for w in MRG_RXBUF CSUM GUEST_CSUM GUEST_TSO4 GUEST_TSO6 HOST_TSO4 HOST_TSO6 VERSION_1; do
		grep -qw -- "$w" <<<"$out" || missing+=" $w"
	done
	[ -z "$missing" ] || echo "    missing:$missing"
	[ -z "$missing" ]
}
ov_check "vm1's negotiated features in words: MRG_RXBUF CSUM GUEST_CSUM GUEST_TSO4/6 HOST_TSO4/6" \
	features_in_words vm1
ov_check "vm2's negotiated features in words" features_in_words vm2
# The guest driver's own view (virtio bits: 0 CSUM, 1 GUEST_CSUM, 7/8 GUEST_TSO4/6,
# 11/12 HOST_TSO4/6, 15 MRG_RXBUF, 32 VERSION_1).
guest_view() {
	local b
	ov_log "  $1's driver: features $(qm_features "$1")"
	for b in 0 1 7 8 11 12 15 32; do qm_feature_bit "$1" $b || return 1; done
}
ov_check "vm1's driver negotiated the same (its /sys/bus/virtio features)" guest_view vm1
ov_check "vm2's driver negotiated the same" guest_view vm2

gping() { # GUEST DST COUNT: ping from inside a guest, every reply back
	local out
	out=$(qm_cmd "$1" -t 60 ping -q -c "$3" -i 0.2 -W 2 "$2")
	echo "$out" | grep -E 'transmitted' | sed 's/^/    /'
	grep -q " $3 packets received" <<<"$out" && return 0
	drops
	return 1
}
# drops: vseal's non-zero drop counters on both hosts (when something was lost).
drops() {
	local h
	for h in A B; do
		qm_ctl $h show drops | awk -v h=$h 'NR > 1 { for (i = 2; i <= NF; i++)
			if ($i + 0 > 0) { print "    host " h ": " $0; break } }'
	done
}
gping_first() { # GUEST DST: the first ping may wait for ARP; a few tries
	qm_cmd "$1" -t 30 ping -q -c 1 -W 5 "$2" >/dev/null ||
		qm_cmd "$1" -t 30 ping -q -c 1 -W 5 "$2" >/dev/null
}
gping_first vm1 $IP2
ov_check "ping vm1 -> vm2 (same host, 10 pings)" gping vm1 $IP2 10
ov_check "ping vm2 -> vm1" gping vm2 $IP1 10
gping_first vm1 $IPK
ov_check "ping vm1 -> kernel VTEP across the underlay" gping vm1 $IPK 10
ov_check "ping kernel VTEP -> vm2" ov_ping "$K" $IP2 10

# vcnt HOST PORT rx|tx: vseal's own count of frames received from / sent to a port.
vcnt() {
	qm_ctl "$1" show port stats "$2" | awk -v w="$3" '$1 == "vseal:" {
		for (i = 2; i < NF; i++) if ($i == w) print $(i + 1) }'
}
# gstat GUEST NAME: a statistic of the guest's eth0 (/sys/class/net/eth0/statistics); the
# driver counts a TSO frame as one packet.
gstat() { qm_cmd "$1" cat /sys/class/net/eth0/statistics/"$2" | tr -d '\r\n '; }
avg() { echo $(($1 / ($2 > 0 ? $2 : 1))); }

# tcp_guest SRC DST-GUEST DST-IP: SRC sends BYTES random bytes to DST over TCP (busybox nc);
# the sha256 of what DST received must be the sender's.
tcp_guest() {
	local src=$1 dst=$2 ip=$3 s1 s2 t0
	qm_cmd "$src" "head -c $BYTES /dev/urandom >/tmp/tx; sha256sum /tmp/tx" >/dev/null
	# The receiver's stdin must stay open: busybox nc stops at EOF on either side.
	qm_cmd "$dst" "rm -f /tmp/rx /tmp/rxin; mkfifo /tmp/rxin; (sleep 600 >/tmp/rxin &);" \
		"nc -l -p 5001 </tmp/rxin >/tmp/rx 2>/dev/null & echo \$! >/tmp/rx.pid" >/dev/null
	sleep 0.5
	t0=$EPOCHREALTIME
	qm_cmd "$src" -t 120 nc -w 10 "$ip" 5001 "</tmp/tx" || { echo "    nc failed"; return 1; }
	# The sender's nc ends when its socket has the last byte; the receiver's at EOF.
	qm_cmd "$dst" -t 130 'i=0; while kill -0 $(cat /tmp/rx.pid) 2>/dev/null && [ $i -lt 1200 ];' \
		'do sleep 0.1; i=$((i + 1)); done; kill $(pidof sleep) 2>/dev/null' >/dev/null
	local took
	took=$(qm_since "$t0")
	s1=$(qm_cmd "$src" sha256sum /tmp/tx | cut -d' ' -f1)
	s2=$(qm_cmd "$dst" sha256sum /tmp/rx | cut -d' ' -f1)
	echo "    $src -> $dst: $BYTES bytes in $took s, sha256 sent ${s1:0:16}... received ${s2:0:16}..." \
		"($(qm_cmd "$dst" stat -c %s /tmp/rx) bytes)"
	[ -n "$s1" ] && [ "$s1" = "$s2" ]
}

# Local TSO: counters before and after vm1 -> vm2.
c0=("$(gstat vm1 tx_packets)" "$(gstat vm1 tx_bytes)" "$(gstat vm2 rx_packets)" "$(gstat vm2 rx_bytes)"
	"$(vcnt A vm1 rx)" "$(vcnt A vm2 tx)" "$(vcnt A uplink tx)")
ov_check "TCP vm1 -> vm2 (same host): bytes intact (sha256)" tcp_guest vm1 vm2 $IP2
c1=("$(gstat vm1 tx_packets)" "$(gstat vm1 tx_bytes)" "$(gstat vm2 rx_packets)" "$(gstat vm2 rx_bytes)"
	"$(vcnt A vm1 rx)" "$(vcnt A vm2 tx)" "$(vcnt A uplink tx)")
d=(); for i in "${!c1[@]}"; do d[i]=$((c1[i] - c0[i])); done
ov_log "  vm1's driver sent ${d[0]} frames of $(avg ${d[1]} ${d[0]}) bytes on average;" \
	"vm2's driver received ${d[2]} frames of $(avg ${d[3]} ${d[2]}) bytes on average;" \
	"vseal A: ${d[4]} frames from vm1, ${d[5]} to vm2, ${d[6]} to the uplink"
ov_check "vm1 sent TSO frames (its driver's frames average more than 1514 bytes)" \
	[ "$(avg ${d[1]} ${d[0]})" -gt 1514 ]
ov_check "vm2 received them as large frames (average more than 1514 bytes)" \
	[ "$(avg ${d[3]} ${d[2]})" -gt 1514 ]
ov_check "vseal A handed vm1's frames to vm2 one for one, not segmented (vm2 tx <= vm1 rx + 10)" \
	[ "${d[5]}" -le $((d[4] + 10)) ]

# TSO towards the uplink: the kernel VTEP receives, every outer packet on host A's wire fits.
tcp_kernel() {
	local s1 s2 t0 took
	qm_cmd vm1 "head -c $BYTES /dev/urandom >/tmp/tx" >/dev/null
	rm -f "$OV_TMP/k-in"
	mkfifo "$OV_TMP/k-in"
	sleep 600 >"$OV_TMP/k-in" &
	local spid=$!
	ip netns exec "$K" busybox nc -l -p 5002 <"$OV_TMP/k-in" >"$OV_TMP/k-rx" 2>/dev/null &
	local npid=$!
	sleep 0.5
	t0=$EPOCHREALTIME
	qm_cmd vm1 -t 120 nc -w 10 $IPK 5002 "</tmp/tx" || { echo "    nc failed"; kill $npid; return 1; }
	for _ in $(seq 1200); do kill -0 $npid 2>/dev/null || break; sleep 0.1; done
	took=$(qm_since "$t0")
	kill $npid $spid 2>/dev/null
	wait $npid $spid 2>/dev/null
	s1=$(qm_cmd vm1 sha256sum /tmp/tx | cut -d' ' -f1)
	s2=$(sha256sum <"$OV_TMP/k-rx" | cut -d' ' -f1)
	echo "    vm1 -> kernel VTEP: $BYTES bytes in $took s, sha256 sent ${s1:0:16}..." \
		"received ${s2:0:16}... ($(stat -c %s "$OV_TMP/k-rx") bytes)"
	[ -n "$s1" ] && [ "$s1" = "$s2" ]
}
# outer_fits PCAP: every frame in the capture is at most 1514 bytes (IPv4 <= 1500), and
# some are full-sized (the TSO frames were cut, not dropped).
outer_fits() {
	local n big max
	read -r n big max < <(tcpdump -nn -r "$1" -e 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "length") { l = $(i + 1) + 0; break }
			n++; if (l > max) max = l; if (l > 1400) big++ }
			END { print n + 0, big + 0, max + 0 }')
	echo "    $n outer frames on the wire, $big longer than 1400 bytes, longest $max bytes"
	[ "$n" -gt 0 ] && [ "$big" -gt 0 ] && [ "$max" -le 1514 ]
}
tcpdump -i "${OV_ID}wa1" -nn -U -s 128 -w "$OV_TMP/wa.pcap" "udp port 4789 and src host $UA" \
	>"$OV_TMP/tcpdump-wa.log" 2>&1 &
tpid=$!
sleep 1
c0=("$(gstat vm1 tx_packets)" "$(gstat vm1 tx_bytes)" "$(vcnt A vm1 rx)" "$(vcnt A uplink tx)")
ov_check "TCP vm1 -> kernel VTEP through the uplink: bytes intact (sha256)" tcp_kernel
c1=("$(gstat vm1 tx_packets)" "$(gstat vm1 tx_bytes)" "$(vcnt A vm1 rx)" "$(vcnt A uplink tx)")
d=(); for i in "${!c1[@]}"; do d[i]=$((c1[i] - c0[i])); done
sleep 0.3
kill -INT $tpid; wait $tpid 2>/dev/null
ov_log "  vm1's driver sent ${d[0]} frames of $(avg ${d[1]} ${d[0]}) bytes on average;" \
	"vseal A: ${d[2]} frames from vm1, ${d[3]} packets to the uplink"
ov_check "vm1 sent TSO frames towards the uplink (average more than 1514 bytes)" \
	[ "$(avg ${d[1]} ${d[0]})" -gt 1514 ]
ov_check "vseal A cut them: more packets to the uplink than frames from vm1" \
	[ "${d[3]}" -gt "${d[2]}" ]
ov_check "every outer packet vseal A sent fits the underlay MTU (1500)" outer_fits "$OV_TMP/wa.pcap"

# ---------------------------------------------------------------------------------------
ov_log "=== 2. vseal A restarted under the running guests"
ip netns exec "$K" ping -D -n -i 0.1 -W 1 $IP1 >"$OV_TMP/kping1.log" 2>&1 &
kp1=$!
ip netns exec "$K" ping -D -n -i 0.1 -W 1 $IP2 >"$OV_TMP/kping2.log" 2>&1 &
kp2=$!
sleep 1
ov_check "vseal A stops cleanly under running guests (exit 0)" qm_vseal_stop A
sleep 1
t_down=$(date +%s.%N)
ov_check "vseal A starts again" qm_vseal A "$OV_TMP/A.ini" "-l 0,1" || { ov_summary; exit 1; }
t_up=$(date +%s.%N)
ov_check "vseal A again: vm1 (client mode) reconnected" ov_wait_connected A vm1
sleep 0.5
# first_reply LOG AFTER: seconds from AFTER to the first reply in a ping -D log after it.
first_reply() {
	awk -v a="$2" -F'[][]' '/bytes from/ && $2 > a { printf "%.2f\n", $2 - a; exit }' "$1"
}
wait_reply() { # LOG AFTER TIMEOUT
	local i
	for i in $(seq $(($3 * 10))); do
		[ -n "$(first_reply "$1" "$2")" ] && return 0
		sleep 0.1
	done
	return 1
}
ov_check "kernel VTEP -> vm1 answered again within 10 s of vseal's restart, QEMU untouched" \
	wait_reply "$OV_TMP/kping1.log" "$t_up" 10
ov_log "  vm1 answered $(first_reply "$OV_TMP/kping1.log" "$t_up") s after vseal A was running again"
ov_check "vm1 -> vm2 after the restart (from inside the guest)" gping vm1 $IP2 5
ov_check "vseal A again: vm2 (server mode, QEMU reconnect=1) reconnected" ov_wait_connected A vm2
ov_check "kernel VTEP -> vm2 answered again within 10 s" wait_reply "$OV_TMP/kping2.log" "$t_up" 10
ov_log "  vm2 answered $(first_reply "$OV_TMP/kping2.log" "$t_up") s after vseal A was running again"
ov_check "QEMU of vm1 and vm2 still the same processes" bash -c \
	"kill -0 ${QM_PID[vm1]} && kill -0 ${QM_PID[vm2]}"
kill $kp1 $kp2 2>/dev/null
wait $kp1 $kp2 2>/dev/null
: "$t_down"

# ---------------------------------------------------------------------------------------
ov_log "=== 3. vm2 moved to host B (booted again there, client mode): across hosts"
qm_quit vm2
qm_start vm2b "$OV_TMP/vm2b.sock" client $M2 $IP2/24 label=vm2
ov_check "vm2 boots on host B" qm_wait_ready vm2b || { ov_summary; exit 1; }
ov_check "vseal B: vm2 connected" ov_wait_connected B vm2
qm_cmd vm2b arping -U -c 1 -I eth0 $IP2 >/dev/null
gping_first vm1 $IP2
ov_check "ping vm1 (host A) -> vm2 (host B)" gping vm1 $IP2 10
ov_check "ping vm2 (host B) -> vm1 (host A)" gping vm2b $IP1 10
tcpdump -i "${OV_ID}wa1" -nn -U -s 128 -w "$OV_TMP/wa2.pcap" "udp port 4789 and src host $UA" \
	>"$OV_TMP/tcpdump-wa2.log" 2>&1 &
tpid=$!
sleep 1
ov_check "TCP vm1 (host A) -> vm2 (host B): bytes intact (sha256)" tcp_guest vm1 vm2b $IP2
sleep 0.3
kill -INT $tpid; wait $tpid 2>/dev/null
ov_check "every outer packet of vm1 -> vm2 fits the underlay MTU" outer_fits "$OV_TMP/wa2.pcap"
ov_check "TCP vm2 (host B) -> vm1 (host A): bytes intact (sha256)" tcp_guest vm2b vm1 $IP1
ov_check "host A learned vm2 at host B" qm_wait_loc A 100 $M2 "learned $UB"
ov_check "host B learned vm1 at host A" qm_wait_loc B 100 $M1 "learned $UA"

ov_check "the guests' kernels stayed sound (no BUG/Oops on their consoles)" \
	bash -c "! grep -q -E 'BUG|Oops|panic|Call Trace' '$OV_TMP'/qm-*-console.log"
qm_quit vm1
qm_quit vm2b
ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_check "host B: no mbuf leaked" [ "$(ov_mbufs B)" -eq 0 ]
ov_summary
