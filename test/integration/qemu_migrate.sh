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
#   - the guest's ping loop lost nothing during the switches (from 0.5 s before the source
#     stops the device to 3 s after the destination's is ready), except at most one request
#     sent in the 200 ms before the stop whose reply reached the old host after the guest's
#     device there had stopped; at most 5% over the whole run, where a machine shared with
#     other work stalls the TCG guest or vseal for seconds;
#   - the peer's pings are answered again and the guest's kernel is sound (a guest QEMU itself
#     broke in the migration -- silent serial port, kernel BUG -- is reported as such and
#     replaced by a new one, QM_RETRIES times, default 1).
#
# Measurement mode: QM_MEASURE=N (e.g. 10) does N hops back and forth per announce mode
# (QM_ANNOUNCE=on, off or both; default on) and prints per hop, all on this machine's clock:
# QEMU's downtime (info migrate); source stop -> destination device ready (vhost's
# GET_VRING_BASE on the old host, "virtio is now ready" on the new one); ready -> the
# announcement (first broadcast/multicast frame from the guest's MAC the new host floods:
# gratuitous ARP, IPv6 neighbour advertisement or RARP, captured on the underlay);
# announcement -> last table update (old host's "moved" log line, kernel VTEP's fdb event)
# and -> the peer answered again; the peer's ping gap and unanswered pings; the guest's lost
# pings. docs/migration.md has a run's figures.
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
ov_check "vseal host A starts" qm_vseal A "$OV_TMP/A.ini" "-l 0,1" || { ov_summary; exit 1; }
ov_check "vseal host B starts" qm_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" ||
	{ ov_summary; exit 1; }

# Event sources for the measurements, all on this machine's clock: the kernel VTEP's fdb
# changes, and what each vseal host sends on the underlay from the guest's MAC (inner source
# MAC at UDP payload offset 8 + 6).
mac_hi=0x$(tr -d ':' <<<"$M" | cut -c1-8) mac_lo=0x$(tr -d ':' <<<"$M" | cut -c9-12)
ip netns exec "$K" bridge monitor fdb > >(qm_ts >"$OV_TMP/kfdb.log") 2>&1 &
OV_PIDS+=("$!")
# What the peer itself sees of the guest's pings (its requests in, its replies out).
ip netns exec "$K" tcpdump -i vxlan100 -l -tt -nn "icmp and host $IPM" >"$OV_TMP/kicmp.txt" \
	2>"$OV_TMP/kicmp.err" &
OV_PIDS+=("$!")
for h in A B; do
	tcpdump -i "${WIRE[$h]}" -l -tt -nn -e "udp dst port 4789 and src host ${U[$h]} and \
udp[22:4] = $mac_hi and udp[26:2] = $mac_lo" >"$OV_TMP/wire-$h.txt" 2>"$OV_TMP/wire-$h.err" &
	OV_PIDS+=("$!")
done
sleep 1

# wire_events HOST: the frames host HOST sent from the guest's MAC, one line each: the
# capture time, then the inner frame as tcpdump decodes it (it prints the outer headers and
# the inner frame on two lines).
wire_events() {
	awk '$1 ~ /^[0-9]+\.[0-9]+$/ { ts = $1; next } ts != "" { print ts, $0; ts = "" }' \
		"$OV_TMP/wire-$1.txt"
}

# first_to HOST VTEP AFTER: time of the first frame from the guest's MAC that HOST sent to
# VTEP (outer destination) after time AFTER.
first_to() {
	awk -v a="$3" -v d="$2.4789:" '$1 ~ /^[0-9]+\.[0-9]+$/ && $1 > a {
			for (i = 2; i < NF; i++) if ($i == ">" && $(i + 1) == d) { print $1; exit } }' \
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

# Ping gap the peer saw around time STOP (the source stopping the device): from its last reply
# before STOP to its first reply after, and the requests unanswered in between (icmp_seq).
peer_gap() { # STOP -> "GAP LOST"
	awk -v s="$1" -F'[][]' '/bytes from/ {
			split($3, f, "icmp_seq="); split(f[2], g, " ")
			if ($2 < s) { t0 = $2; q0 = g[1] + 0 } else { printf "%.3f %d\n", $2 - t0, g[1] - q0 - 1; f1 = 1; exit }
		} END { if (!f1) print "- -" }' "$OV_TMP/kping.log"
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
guest_ping_stop() { # INST LOG SINCE -> "SENT ANSWERED LOST LOST-IN-SWITCHES LOST-AT-STOPS"
	qm_cmd "$1" 'kill -INT $(cat /tmp/ping.pid); sleep 0.3; cat /tmp/ping.log' >"$2"
	# Each lost request's time: when it left a vseal host on the underlay (tcpdump), else
	# (lost before) estimated from the last request seen before it. In a switch: from 0.5 s
	# before the source stopped to 3 s after the destination was ready; "at the stop": sent
	# in the 200 ms before the source stopped (its reply reached the old host after the
	# guest's device there stopped: no host can deliver it, see docs/migration.md).
	{ for h in A B; do
		# (Only since this guest's loop started: every guest's busybox ping has the same id.)
		wire_events $h | awk -v a="$3" '$1 > a && /echo request/ { for (i = 1; i < NF; i++) if ($i == "seq")
			{ s = $(i + 1); sub(",", "", s); print "W", s + 0, $1 } }'
	done; printf 'H %s\n' "${HOPWIN[@]}"; cat "$2"; } | awk '
		$1 == "W" { if (!($2 in t) || $3 + 0 < t[$2]) t[$2] = $3 + 0; next }
		$1 == "H" { hs[nh] = $2 + 0; h0[nh] = $2 - 0.5; h1[nh++] = $3 + 3; next }
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
				for (k = 0; k < nh; k++) if (tt >= h0[k] && tt <= h1[k])
					inhop = (tt >= hs[k] - 0.2 && tt <= hs[k] + 0.05) ? 2 : 1
				if (inhop == 1) lh++
				if (inhop == 2) ls++
				printf "lost seq %d: %s %.3f, %s\n", i, how, tt, inhop == 2 ? "sent just before the source stopped (in flight at the stop)" : inhop ? "during a switch" : "outside the switches" > "/dev/stderr"
			}
			printf "%d %d %d %d %d\n", sent, n, lost, lh, ls }' 2>"$2.lost"
}

# guest_alive INST: the guest answers on its serial command port (which does not depend on
# the network) and its console shows no kernel BUG, Oops or panic.
guest_alive() {
	qm_alive "$1" && [ "$(qm_cmd "$1" -t 8 echo alive 2>/dev/null)" = alive ] &&
		qm_guest_ok "$1" >/dev/null
}

# hop FROM-INST FROM-HOST TO-INST TO-HOST ANNOUNCE: migrate the guest, check and measure.
# Returns 2 when the guest itself died in QEMU's migration (serial port silent or kernel BUG
# on the console), which is QEMU's doing, not the network's: QEMU 7.2's TCG loses guest
# stores during a migration (see lib_qemu.sh and docs/migration.md; the guest's RAM size
# avoids it). The caller then boots a new guest, QM_RETRIES times (default 1), and says so.
hop() {
	local from=$1 fh=$2 to=$3 th=$4 ann=$5 port tr mr pr
	port=$(qm_free_port)
	qm_start "$to" "$OV_TMP/vm-$th.sock" client $M $IPM/24 incoming="$port" label=vm \
		announce="$ann"
	ov_check "hop $HOPNO: destination QEMU on host $th waits, vhost-user connected" \
		qm_wait_incoming "$to" || return 1
	sleep 0.5
	ov_check "hop $HOPNO: migration host $fh -> host $th completed" \
		qm_migrate "$from" "$to" "$port" || return 1
	qm_quit "$from"
	# The switch: from half a second before the source stopped the device to 3 s after the
	# destination's was ready. (Before it, the guest still runs on the source while QEMU
	# copies its memory; TCG's dirty tracking then stalls its vCPU now and then.)
	local stop ready
	stop=$(awk -v a="$QM_MIG_T0" '$1 > a && /GET_VRING_BASE/ { print $1; exit }' "$OV_TMP/$fh.ts")
	ready=$(awk -v a="$QM_MIG_T0" '$1 > a && /virtio is now ready/ { print $1; exit }' \
		"$OV_TMP/$th.ts")
	HOPWIN+=("${stop:-$QM_MIG_T0} ${ready:-$QM_MIG_T1}")
	tables_at "$th" >"$OV_TMP/tables.txt"
	tr=$?
	moved_logged "$fh" "${U[$th]}" "$QM_MIG_T0"
	mr=$?
	peer_back "$QM_MIG_T1"
	pr=$?
	if ! guest_alive "$to"; then
		ov_log "hop $HOPNO: the guest died in QEMU's migration (not the network: its serial" \
			"port is silent or its kernel reported a BUG); console of qemu $to:"
		grep -m 8 -E 'BUG|Oops|panic|corruption|RIP|lockup' "$OV_TMP/qm-$to-console.log" |
			sed 's/^/    /'
		QEMU_DEATHS+=("hop $HOPNO ($fh -> $th, announce $ann, QEMU downtime $QM_MIG_DOWNTIME ms)")
		return 2
	fi
	cat "$OV_TMP/tables.txt"
	ov_check "hop $HOPNO: guest local on host $th, learned at ${U[$th]} on host $fh, kernel VTEP -> ${U[$th]}" \
		[ $tr -eq 0 ]
	ov_check "hop $HOPNO: host $fh replaced its entry (moved to ${U[$th]} logged)" [ $mr -eq 0 ]
	ov_check "hop $HOPNO: vseal-ctl show guest vm on host $th: connected" \
		bash -c "'$QM_CTL' -s '$OV_TMP/$th.ctl' show guest vm | grep -q '^guest vm: connected'"
	ov_check "hop $HOPNO: the peer's pings are answered again" [ $pr -eq 0 ]
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
	local fh=$1 th=$2 ann=$3 stop ready ann_ts what kts last gap plost w0 back first fwhat
	w0=$QM_MIG_T0
	stop=$(awk -v a="$w0" '$1 > a && /GET_VRING_BASE/ { print $1; exit }' "$OV_TMP/$fh.ts")
	ready=$(awk -v a="$w0" '$1 > a && /virtio is now ready/ { print $1; exit }' "$OV_TMP/$th.ts")
	# The announcement: the first broadcast or multicast frame from the guest's MAC that the
	# new host floods after the switch (gratuitous ARP, IPv6 unsolicited neighbour
	# advertisement, RARP). After the source stopped, not after the "ready" line: that line
	# may be read a little late, and QEMU's first RARP comes with it.
	read -r ann_ts what < <(wire_events "$th" | awk -v a="${stop:-$w0}" '$1 > a {
			d = $4; sub(",", "", d)
			if (index("13579bdf", substr(d, 2, 1)) == 0) next
			k = "multicast"
			if ($0 ~ /Reverse ARP/) k = "RARP"; else if ($0 ~ /ethertype ARP/) k = "GARP"
			else if ($0 ~ /neighbor advertisement/) k = "IPv6-NA"
			print $1, k; exit }')
	# The first frame of any kind from the guest's MAC the new host forwards after the switch:
	# what the network can learn from first (often the guest's own ping, unicast
	# to the peer, or flooded when the new host does not know the peer's MAC yet).
	read -r first fwhat < <(wire_events "$th" | awk -v a="${stop:-$w0}" '$1 > a {
			k = "unicast"; d = $4; sub(",", "", d)
			if (index("13579bdf", substr(d, 2, 1)) != 0) k = "multicast"
			if ($0 ~ /Reverse ARP/) k = "RARP"; else if ($0 ~ /ethertype ARP/) k = "ARP"
			else if ($0 ~ /neighbor advertisement/) k = "IPv6-NA"
			else if ($0 ~ /echo request/) k = "ping"; else if ($0 ~ /echo reply/) k = "ping-reply"
			print $1, k; exit }')
	back=$(awk -v a="${first:-9e99}" -F'[][]' '/bytes from/ && $2 > a { print $2; exit }' \
		"$OV_TMP/kping.log")
	kts=$(awk -v a="$w0" -v m="$(tr 'A-F' 'a-f' <<<"$M")" -v ip="${U[$th]}" \
		'$1 > a && $2 == m && $0 ~ "dst " ip " " { print $1; exit }' "$OV_TMP/kfdb.log")
	moved_logged "$fh" "${U[$th]}" "$w0" || MOVED_TS=
	last=
	if [ -n "$MOVED_TS" ] && [ -n "$kts" ]; then
		last=$(printf '%s\n' "$MOVED_TS" "$kts" | sort -g | tail -n 1)
	fi
	read -r gap plost < <(peer_gap "${stop:-$QM_MIG_T1}")
	[ "$gap" = - ] || gap=$(awk -v g="$gap" 'BEGIN { printf "%.0f", g * 1000 }')
	ov_log "  hop $HOPNO ($fh -> $th, announce $ann): QEMU downtime $QM_MIG_DOWNTIME ms" \
		"(total $QM_MIG_TOTAL ms); source stop -> destination device ready $(ms "$stop" "$ready") ms;" \
		"ready -> first frame (${fwhat:-none}) $(ms "$ready" "$first") ms, -> ${what:-no} announcement" \
		"$(ms "$ready" "$ann_ts") ms; first frame -> last table update $(ms "$first" "$last") ms" \
		"(host $fh $(ms "$first" "$MOVED_TS"), kernel VTEP $(ms "$first" "$kts")); first frame ->" \
		"peer answered $(ms "$first" "$back") ms; peer's ping gap $gap ms, $plost unanswered"
	# The network's own time: each host from the first frame from the guest's MAC that the
	# new host sent to it (outer destination on the underlay) to its table update; the later
	# of the two.
	local hd kd net
	hd=$(ms "$(first_to "$th" "${U[$fh]}" "${stop:-$w0}")" "$MOVED_TS")
	kd=$(ms "$(first_to "$th" "$UK" "${stop:-$w0}")" "$kts")
	net=-
	if [ "$hd" != - ] && [ "$kd" != - ]; then
		net=$(awk -v a="$hd" -v b="$kd" 'BEGIN { print (a > b) ? a : b }')
	fi
	ov_log "  hop $HOPNO: the network's own time $net ms (host $fh $hd ms, kernel VTEP $kd ms," \
		"each from the first frame the new host sent it)"
	ROWS+=("$HOPNO|$fh -> $th|$ann|$QM_MIG_DOWNTIME|$(ms "$stop" "$ready")|${fwhat:-none}|$(ms "$ready" "$first")|${what:-none}|$(ms "$ready" "$ann_ts")|$net|$(ms "$first" "$back")|$gap|$plost")
}

declare -a ROWS=() HOPWIN=() QEMU_DEATHS=() GUEST_LOSS=()
RETRIES=${QM_RETRIES:-1}
HOPNO=0
n=0
for ann in $ANNOUNCE; do
	n=$((n + 1))
	done_hops=0 attempt=0
	while [ $done_hops -lt "$HOPS" ]; do
		attempt=$((attempt + 1))
		if [ $attempt -gt $((RETRIES + 1)) ]; then
			ov_check "announce $ann: a guest that survives QEMU's migrations ($RETRIES new guests tried)" false
			break
		fi
		# The test proper does A -> B -> A with one guest; measurements go on where they were.
		[ "$MEASURE" -gt 0 ] || done_hops=0
		hops_left=$((HOPS - done_hops))
		ov_log "=== guest_announce=$ann: boot on host A, then $hops_left hops (guest $attempt)"
		cur=vm$n.$attempt-0 ch=A
		qm_start "$cur" "$OV_TMP/vm-A.sock" client $M $IPM/24 label=vm announce="$ann"
		ov_check "guest boots on host A (announce $ann)" qm_wait_ready "$cur" ||
			{ ov_summary; exit 1; }
		qm_cmd "$cur" ping -c 1 -W 5 $IPK >/dev/null ||
			qm_cmd "$cur" ping -c 1 -W 5 $IPK >/dev/null
		ov_check "before any hop: guest local on host A, learned on host B, kernel VTEP -> A" \
			tables_at A
		ip netns exec "$K" ping -D -n -i 0.02 -W 1 $IPM >"$OV_TMP/kping.log" 2>&1 &
		kp=$!
		OV_PIDS+=("$kp")
		guest_ping_start "$cur"
		ping_t0=$EPOCHREALTIME
		sleep 1
		rc=0
		for i in $(seq "$hops_left"); do
			HOPNO=$((HOPNO + 1))
			nh=B
			[ $ch = B ] && nh=A
			hop "$cur" $ch "vm$n.$attempt-$i" $nh "$ann"
			rc=$?
			[ $rc -eq 0 ] || break
			cur=vm$n.$attempt-$i ch=$nh
			done_hops=$((done_hops + 1))
		done
		if [ $rc -eq 1 ]; then
			ov_summary
			exit 1
		fi
		if [ $rc -eq 2 ]; then
			kill $kp 2>/dev/null
			wait $kp 2>/dev/null
			qm_quit "$cur"
			qm_quit "vm$n.$attempt-$i"
			continue
		fi
		read -r sent answered lost losthop loststop < <(guest_ping_stop "$cur" \
			"$OV_TMP/gping-$ann.log" "$ping_t0")
		kill $kp 2>/dev/null
		wait $kp 2>/dev/null
		ov_log "  guest's ping loop (every 0.1 s to the kernel VTEP): $sent sent, $answered answered," \
			"$lost lost: $losthop during a switch, $loststop in flight at a stop"
		# For each lost request: did the peer receive it and answer it?
		while read -r _ _ seq _; do
			seq=${seq%:}
			printf '    seq %s at the peer: %s\n' "$seq" "$(awk -v a="$ping_t0" -v q="seq $seq," \
				-v rq="$IPM > $IPK: ICMP echo request" -v rp="$IPK > $IPM: ICMP echo reply" \
				'$1 > a && index($0, q) && index($0, rq) { printf "request in at %s; ", $1 }
				 $1 > a && index($0, q) && index($0, rp) { printf "reply out at %s; ", $1 }' \
				"$OV_TMP/kicmp.txt")"
		done < <(head -n 5 "$OV_TMP/gping-$ann.log.lost")
		sed 's/^/    /' "$OV_TMP/gping-$ann.log.lost"
		if [ "${lost:-0}" -gt 0 ]; then
			for h in A B; do ov_stats $h | grep '^drop' | sed "s/^/    host $h: /"; done
		fi
		GUEST_LOSS+=("$ann: $sent sent, $answered answered, $lost lost ($losthop during a switch, $loststop in flight at a stop), over $hops_left hops")
		ov_check "announce $ann: the guest's ping loop answered throughout ($sent sent, > 20)" \
			[ "${sent:-0}" -gt 20 ]
		ov_check "announce $ann: 0 pings of the guest's loop lost during the $hops_left switches" \
			[ "${losthop:-1}" -eq 0 ]
		ov_check "announce $ann: at most one ping in flight lost per stop ($loststop in $hops_left hops)" \
			[ "${loststop:-99}" -le "$hops_left" ]
		ov_check "announce $ann: at most 5% of the guest's pings lost at all (a busy machine stalls)" \
			[ $((${lost:-999} * 20)) -le "${sent:-0}" ]
		ov_check "announce $ann: guest still reaches the peer after the last hop" \
			qm_cmd "$cur" ping -q -c 3 -i 0.2 -W 2 $IPK
		qm_quit "$cur"
	done
done

echo
echo "hop | move | announce | QEMU downtime ms | source stop -> destination ready ms" \
	"| first frame | ready -> first frame ms | announcement | ready -> announcement ms" \
	"| network's own time ms | first frame -> peer answered ms" \
	"| peer ping gap ms | peer pings unanswered"
for r in "${ROWS[@]}"; do
	echo "$r" | sed 's/|/ | /g'
done
printf '%s\n' "${ROWS[@]}" | awk -F'|' '
	function add(k, v) { if (v != "-") { sum[k] += v; n[k]++; if (!(k in mx) || v > mx[k]) mx[k] = v } }
	{ add("1 QEMU downtime", $4); add("2 source stop -> destination ready", $5)
	  add("3 ready -> first frame", $7); add("4 ready -> announcement", $9)
	  add("5 the network own time", $10); add("6 first frame -> peer answered", $11)
	  add("7 peer ping gap", $12); add("8 peer pings unanswered", $13) }
	END { for (k in sum) printf "%s: mean %.1f, max %.1f (%d hops)\n", k, sum[k] / n[k], mx[k], n[k] }' |
	sort | sed 's/^/  /'
for r in "${GUEST_LOSS[@]}"; do echo "guest's ping loop, announce $r"; done
echo "guests QEMU's migration broke (kernel dead on the destination): ${#QEMU_DEATHS[@]}"
for r in "${QEMU_DEATHS[@]}"; do echo "  after $r"; done
if [ "$MEASURE" -gt 0 ]; then
	# The network's own time (see hop_measure). Goal: at most 50 ms on every hop.
	net_max=$(printf '%s\n' "${ROWS[@]}" | awk -F'|' '$10 != "-" && $10 > m { m = $10 } END { print m + 0 }')
	net_n=$(printf '%s\n' "${ROWS[@]}" | awk -F'|' '$10 != "-" { n++ } END { print n + 0 }')
	ov_check "every hop measured (first frame and table updates found)" [ "$net_n" -eq "${#ROWS[@]}" ]
	ov_check "the network adds at most 50 ms (its own time, max $net_max ms)" \
		awk -v m="$net_max" 'BEGIN { exit !(m <= 50) }'
fi
ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_check "host B: no mbuf leaked" [ "$(ov_mbufs B)" -eq 0 ]
ov_summary
