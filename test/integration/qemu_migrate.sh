#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live migration of a real guest between two vseal hosts: QEMU (TCG, Debian's kernel,
# virtio-net over vhost-user, test/tools/guest) migrates over loopback from host A to host B
# and back, while the guest pings a peer every 0.1 s and the peer pings the guest every
# 20 ms. The peer is the Linux kernel's vxlan device (a third VTEP). Both vseal hosts have the
# guest in their configuration (client mode: each QEMU owns its vhost-user socket); the one
# whose QEMU runs it has it "local", the other must learn where it went from its
# announcement.
#
# For guest_announce on (the guest driver sends gratuitous ARPs from the new host) and off
# (QEMU asks vhost for a RARP, which DPDK's vhost library injects): A -> B -> A, and after
# each hop, through vseal-ctl:
#   - the new host has the guest local, the old host has it learned at the new host's VTEP
#     (replaced at once: "moved" logged, not aged out), the kernel VTEP sends to the new host;
#   - the guest's ping loop lost nothing (every request sent was answered).
#
# Measurement mode: QM_MEASURE=N (e.g. 10) does N hops back and forth per announce mode
# (QM_ANNOUNCE=on, off or both; default on) and prints, per hop: QEMU's downtime and total
# time (info migrate), the ping gap the peer saw, the peer's unanswered pings, the time from
# the announcement reaching the new host (first ARP/RARP it floods, on the underlay) to the
# last host updating its table (old host's "moved" log line, kernel VTEP's fdb event), and
# the guest's lost pings. docs/migration.md has a run's figures.
. "$(dirname "$0")/lib_overlay.sh"
. "$(dirname "$0")/lib_qemu.sh"
MEASURE=${QM_MEASURE:-0}
ANNOUNCE=${QM_ANNOUNCE:-}
[ -n "$ANNOUNCE" ] || { [ "$MEASURE" -gt 0 ] && ANNOUNCE=on || ANNOUNCE=both; }
[ "$ANNOUNCE" = both ] && ANNOUNCE="on off"
HOPS=$MEASURE
[ "$HOPS" -gt 0 ] || HOPS=2

ov_hugepages
ov_check "QEMU and the guest image (test/tools/guest/mkguest.sh)" qm_init || { ov_summary; exit 1; }
ov_underlay
ov_wire "${OV_ID}wa"
ov_wire "${OV_ID}wb"
declare -A U=([A]=192.168.82.1 [B]=192.168.82.2) WIRE=([A]=${OV_ID}wa1 [B]=${OV_ID}wb1)
UK=192.168.82.3
K=${OV_ID}-k
ov_kernel_vtep "$K" "${OV_ID}wk" $UK 100 10.82.0.5/24 "${U[A]}" "${U[B]}"
M=52:54:00:82:00:09 IPM=10.82.0.9 IPK=10.82.0.5

for h in A B; do
	o=A; [ $h = A ] && o=B
	cat >"$OV_TMP/$h.ini" <<-CFG
	[host]
	vtep-ip = ${U[$h]}
	ctl-socket = $OV_TMP/$h.ctl
	[uplink]
	device = net_af_packet_$h,iface=${OV_ID}w${h,,}0
	[vni.100]
	flood = ${U[$o]} $UK
	[guest.vm]
	socket = $OV_TMP/vm-$h.sock
	mode = client
	vni = 100
	mac = $M
	[lcores]
	control = 0
	worker.1 = uplink vm
	idle-sleep = 50
	CFG
done
qm_vseal A "$OV_TMP/A.ini" "-l 0,1" || { ov_summary; exit 1; }
qm_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" || { ov_summary; exit 1; }

# Event sources for the measurements, all on this machine's clock: the kernel VTEP's fdb
# changes, and what each vseal host sends on the underlay from the guest's MAC (inner source
# MAC at UDP payload offset 8 + 6).
mac_hi=0x$(tr -d ':' <<<"$M" | cut -c1-8) mac_lo=0x$(tr -d ':' <<<"$M" | cut -c9-12)
ip netns exec "$K" bridge monitor fdb > >(qm_ts >"$OV_TMP/kfdb.log") 2>&1 &
OV_PIDS+=($!)
for h in A B; do
	tcpdump -i "${WIRE[$h]}" -l -tt -nn -e "udp dst port 4789 and src host ${U[$h]} and \
udp[22:4] = $mac_hi and udp[26:2] = $mac_lo" >"$OV_TMP/wire-$h.txt" 2>"$OV_TMP/wire-$h.err" &
	OV_PIDS+=($!)
done
sleep 1

# wire_events HOST: the frames host HOST sent from the guest's MAC, one line each: the
# capture time, then the inner frame as tcpdump decodes it (it prints the outer headers and
# the inner frame on two lines).
wire_events() {
	awk '$1 ~ /^[0-9]+\.[0-9]+$/ { ts = $1; next } ts != "" { print ts, $0; ts = "" }' \
		"$OV_TMP/wire-$1.txt"
}

# ---------------------------------------------------------------------------------------
# tables_at HOST: every vseal host and the kernel VTEP place the guest at HOST.
tables_at() {
	local h=$1 o=A
	[ "$h" = A ] && o=B
	qm_wait_loc "$h" 100 $M "local vm" 5 && qm_wait_loc "$o" 100 $M "learned ${U[$h]}" 5 &&
		qm_wait_kfdb "$K" vxlan100 $M "${U[$h]}" 5
}

# moved_logged HOST VTEP AFTER: HOST logged the guest's entry moved to VTEP after time AFTER
# (its table entry was replaced, not aged out); the log line's time goes to MOVED_TS.
moved_logged() {
	MOVED_TS=$(awk -v a="$3" -v m="$(tr 'A-F' 'a-f' <<<"$M")" -v ip="$2" \
		'$1 > a && tolower($0) ~ "moved to " ip "$" && tolower($0) ~ m { print $1; exit }' \
		"$OV_TMP/$1.ts")
	[ -n "$MOVED_TS" ]
}

# Ping gap the peer saw in [FROM, TO]: the longest time between two replies (s), and the
# requests without reply among those sent in between (from the icmp_seq numbers).
peer_gap() { # FROM TO -> "GAP LOST"
	awk -v a="$1" -v b="$2" -F'[][]' '/bytes from/ && $2 >= a && $2 <= b {
			split($3, f, "icmp_seq="); split(f[2], g, " "); s = g[1] + 0
			if (n++) { if ($2 - t > gap) gap = $2 - t; if (s - q > 1) lost += s - q - 1 }
			t = $2; q = s
		} END { printf "%.3f %d\n", gap, lost }' "$OV_TMP/kping.log"
}

# peer_back AFTER: within 5 s, the peer gets a reply sent after time AFTER.
peer_back() {
	local i
	for i in $(seq 50); do
		awk -v a="$1" -F'[][]' '/bytes from/ && $2 > a { f = 1 } END { exit !f }' \
			"$OV_TMP/kping.log" && return 0
		sleep 0.1
	done
	return 1
}

# The guest's ping loop: lost = requests without reply below the last answered one.
guest_ping_start() {
	qm_cmd "$1" "ping -i 0.1 $IPK >/tmp/ping.log 2>&1 & echo \$! >/tmp/ping.pid" >/dev/null
}
guest_ping_stop() { # INST LOG -> "SENT ANSWERED LOST LOST-IN-HOPS"
	qm_cmd "$1" 'kill -INT $(cat /tmp/ping.pid); sleep 0.3; cat /tmp/ping.log' >"$2"
	# Each lost request's time: when it left a vseal host on the underlay (tcpdump), else
	# (lost before) estimated from the last request seen before it. In a hop: between the
	# start of the migration and 3 s after QEMU reported it completed.
	{ for h in A B; do
		wire_events $h | awk '/echo request/ { for (i = 1; i < NF; i++) if ($i == "seq")
			{ s = $(i + 1); sub(",", "", s); print "W", s + 0, $1 } }'
	done; printf 'H %s\n' "${HOPWIN[@]}"; cat "$2"; } | awk '
		$1 == "W" { if (!($2 in t) || $3 < t[$2]) t[$2] = $3; next }
		$1 == "H" { h0[nh] = $2; h1[nh++] = $3 + 3; next }
		/bytes from/ { split($0, f, "seq="); split(f[2], g, " "); got[g[1] + 0] = 1
			if (g[1] + 0 > max) max = g[1] + 0; n++ }
		/packets transmitted/ { sent = $1 }
		END {
			for (i = 0; i <= max; i++) {
				if (i in got) continue
				lost++
				if (i in t) { tt = t[i]; how = "left a host at" }
				else { for (j = i - 1; j >= 0 && !(j in t); j--) ; tt = (j >= 0) ? t[j] + (i - j) * 0.1 : 0
					how = "never on the underlay, due about" }
				inhop = 0
				for (k = 0; k < nh; k++) if (tt >= h0[k] && tt <= h1[k]) inhop = 1
				if (inhop) lh++
				printf "lost seq %d: %s %.3f, %s\n", i, how, tt, inhop ? "during a hop" : "outside the hops" > "/dev/stderr"
			}
			printf "%d %d %d %d\n", sent, n, lost, lh }' 2>"$2.lost"
}

# hop FROM-INST FROM-HOST TO-INST TO-HOST ANNOUNCE: migrate the guest, check or measure.
hop() {
	local from=$1 fh=$2 to=$3 th=$4 ann=$5 port
	port=$(qm_free_port)
	qm_start "$to" "$OV_TMP/vm-$th.sock" client $M $IPM/24 incoming="$port" label=vm \
		announce="$ann"
	ov_check "hop $HOPNO: destination QEMU on host $th waits, vhost-user connected" \
		qm_wait_incoming "$to" || return 1
	sleep 0.5
	ov_check "hop $HOPNO: migration host $fh -> host $th completed" \
		qm_migrate "$from" "$to" "$port" || return 1
	HOPWIN+=("$QM_MIG_T0 $QM_MIG_T1")
	qm_quit "$from"
	ov_check "hop $HOPNO: guest local on host $th, learned at ${U[$th]} on host $fh, kernel VTEP -> ${U[$th]}" \
		tables_at "$th"
	ov_check "hop $HOPNO: host $fh replaced its entry (moved to ${U[$th]} logged)" \
		moved_logged "$fh" "${U[$th]}" "$QM_MIG_T0"
	ov_check "hop $HOPNO: vseal-ctl show guest vm on host $th: connected" \
		bash -c "'$QM_CTL' -s '$OV_TMP/$th.ctl' show guest vm | grep -q '^guest vm: connected'"
	ov_check "hop $HOPNO: the peer's pings are answered again" peer_back "$QM_MIG_T1"
	ov_check "hop $HOPNO: the guest's kernel is sound after the move" qm_guest_ok "$to"
	sleep 1
	hop_measure "$fh" "$th" "$ann"
}

# ms A B: (B - A) in milliseconds, one decimal; "-" when either is missing.
ms() {
	if [ -z "$1" ] || [ -z "$2" ]; then echo -; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

# hop_measure FROM-HOST TO-HOST ANNOUNCE: the hop's timeline, from the logs (every time on
# this machine's clock), as one row of ROWS:
#   stop      the source stops the device: vhost GET_VRING_BASE on the old host
#   ready     the destination's device runs: vhost "virtio is now ready" on the new host
#   ann       the announcement (first ARP/RARP from the guest's MAC) leaves the new host
#             on the underlay, i.e. the new host received it from the guest
#   last      the last table updated: old host's "moved" log line, kernel VTEP's fdb event
#   gap       the longest time between two replies the peer got around the hop
hop_measure() {
	local fh=$1 th=$2 ann=$3 stop ready ann_ts what kts last gap plost w0 w1
	w0=$QM_MIG_T0
	w1=$(awk -v t="$QM_MIG_T1" 'BEGIN { printf "%.6f", t + 1.5 }')
	stop=$(awk -v a="$w0" '$1 > a && /GET_VRING_BASE/ { print $1; exit }' "$OV_TMP/$fh.ts")
	ready=$(awk -v a="$w0" '$1 > a && /virtio is now ready/ { print $1; exit }' "$OV_TMP/$th.ts")
	read -r ann_ts what < <(wire_events "$th" | awk -v a="$w0" '$1 > a && / ARP/ {
			print $1, ($0 ~ /Reverse/ ? "RARP" : "ARP"); exit }')
	kts=$(awk -v a="$w0" -v m="$(tr 'A-F' 'a-f' <<<"$M")" -v ip="${U[$th]}" \
		'$1 > a && $2 == m && $0 ~ "dst " ip " " { print $1; exit }' "$OV_TMP/kfdb.log")
	moved_logged "$fh" "${U[$th]}" "$w0" || MOVED_TS=
	last=
	if [ -n "$MOVED_TS" ] && [ -n "$kts" ]; then
		last=$(printf '%s\n' "$MOVED_TS" "$kts" | sort -g | tail -n 1)
	fi
	read -r gap plost < <(peer_gap "$w0" "$w1")
	gap=$(awk -v g="$gap" 'BEGIN { printf "%.0f", g * 1000 }')
	ov_log "  hop $HOPNO ($fh -> $th, announce $ann): QEMU downtime $QM_MIG_DOWNTIME ms" \
		"(total $QM_MIG_TOTAL ms); source stop -> destination device ready $(ms "$stop" "$ready") ms;" \
		"ready -> ${what:-no} announcement $(ms "$ready" "$ann_ts") ms; announcement ->" \
		"last table update $(ms "$ann_ts" "$last") ms (host $fh $(ms "$ann_ts" "$MOVED_TS")," \
		"kernel VTEP $(ms "$ann_ts" "$kts")); peer's ping gap $gap ms, $plost unanswered"
	ROWS+=("$HOPNO|$fh -> $th|$ann|$QM_MIG_DOWNTIME|$(ms "$stop" "$ready")|${what:-none}|$(ms "$ready" "$ann_ts")|$(ms "$ann_ts" "$last")|$gap|$plost")
}

declare -a ROWS=() HOPWIN=()
HOPNO=0
n=0
for ann in $ANNOUNCE; do
	n=$((n + 1))
	ov_log "=== guest_announce=$ann: boot on host A, then $HOPS hops"
	cur=vm$n-0 ch=A
	qm_start "$cur" "$OV_TMP/vm-A.sock" client $M $IPM/24 label=vm announce="$ann"
	ov_check "guest boots on host A (announce $ann)" qm_wait_ready "$cur" || { ov_summary; exit 1; }
	qm_cmd "$cur" ping -c 1 -W 5 $IPK >/dev/null || qm_cmd "$cur" ping -c 1 -W 5 $IPK >/dev/null
	ov_check "before any hop: guest local on host A, learned on host B, kernel VTEP -> A" \
		tables_at A
	rm -f "$OV_TMP/kping.log"
	ip netns exec "$K" ping -D -n -i 0.02 -W 1 $IPM >"$OV_TMP/kping.log" 2>&1 &
	kp=$!
	OV_PIDS+=($kp)
	guest_ping_start "$cur"
	sleep 1
	for i in $(seq "$HOPS"); do
		HOPNO=$((HOPNO + 1))
		nh=B
		[ $ch = B ] && nh=A
		hop "$cur" $ch "vm$n-$i" $nh "$ann" || { ov_summary; exit 1; }
		cur=vm$n-$i ch=$nh
	done
	read -r sent answered lost losthop < <(guest_ping_stop "$cur" "$OV_TMP/gping-$ann.log")
	kill $kp 2>/dev/null
	wait $kp 2>/dev/null
	ov_log "  guest's ping loop (every 0.1 s to the kernel VTEP): $sent sent, $answered answered," \
		"$lost lost, $losthop of them during a hop"
	sed 's/^/    /' "$OV_TMP/gping-$ann.log.lost"
	if [ "${lost:-0}" -gt 0 ]; then
		for h in A B; do ov_stats $h | grep '^drop' | sed "s/^/    host $h: /"; done
	fi
	GUEST_LOSS+=("$ann: $sent sent, $answered answered, $lost lost ($losthop during a hop)")
	ov_check "announce $ann: the guest's ping loop answered throughout ($sent sent, > 20)" \
		[ "${sent:-0}" -gt 20 ]
	ov_check "announce $ann: 0 pings of the guest's loop lost during the $HOPS hops" \
		[ "${losthop:-1}" -eq 0 ]
	ov_check "announce $ann: at most 1% of the guest's pings lost at all (a busy machine stalls)" \
		[ $((${lost:-999} * 100)) -le "${sent:-0}" ]
	ov_check "announce $ann: guest still reaches the peer after the last hop" \
		qm_cmd "$cur" ping -q -c 3 -i 0.2 -W 2 $IPK
	qm_quit "$cur"
done

echo
echo "hop | move | announce | QEMU downtime ms | source stop -> destination ready ms" \
	"| announcement | ready -> announcement ms | announcement -> last table update ms" \
	"| peer ping gap ms | peer pings unanswered"
for r in "${ROWS[@]}"; do
	echo "$r" | sed 's/|/ | /g'
done
printf '%s\n' "${ROWS[@]}" | awk -F'|' '
	function add(k, v) { if (v != "-") { sum[k] += v; n[k]++; if (!(k in mx) || v > mx[k]) mx[k] = v } }
	{ add("downtime", $4); add("switch", $5); add("toann", $7); add("net", $8); add("gap", $9)
	  add("lost", $10) }
	END { for (k in sum) printf "%s: mean %.1f, max %.1f (%d hops)\n", k, sum[k] / n[k], mx[k], n[k] }' |
	sort | sed 's/^/  /'
for r in "${GUEST_LOSS[@]}"; do echo "guest's ping loop, announce $r"; done
if [ "$MEASURE" -gt 0 ]; then
	# The network's share: from the announcement reaching the new host to the last table
	# updated. Goal: at most 50 ms on every hop.
	net_max=$(printf '%s\n' "${ROWS[@]}" | awk -F'|' '$8 != "-" && $8 > m { m = $8 } END { print m + 0 }')
	net_n=$(printf '%s\n' "${ROWS[@]}" | awk -F'|' '$8 != "-" { n++ } END { print n + 0 }')
	ov_check "every hop measured (announcement and table updates found)" [ "$net_n" -eq "${#ROWS[@]}" ]
	ov_check "the network adds at most 50 ms (announcement -> last table update, max $net_max ms)" \
		awk -v m="$net_max" 'BEGIN { exit !(m <= 50) }'
fi
ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_check "host B: no mbuf leaked" [ "$(ov_mbufs B)" -eq 0 ]
ov_summary
