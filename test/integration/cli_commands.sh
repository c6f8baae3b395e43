#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Every command of the CLI (DESIGN.md section 6) through vseal-ctl against two running vseal
# hosts, asserting what it prints and, for the commands that change tables, what the data
# path then does:
# - location add sends frames for that MAC to that VTEP (tshark on the underlay) and show
#   location lists it as static; location del stops it; location flush empties the table;
# - set learning off stops learning, on resumes it; set aging ages learned entries out;
# - flood del stops head-end replication to a VTEP, flood add restores it;
# - neigh add gives a VTEP its underlay MAC without ARP, neigh del takes it back;
# - counters: show port stats|xstats|info, clear port stats, show lcores, clear lcores,
#   show drops (every reason from vs_drop.h by name, a spoofed frame counted);
# - show guest, show config (running values), help, load, --cmdline-file, several clients.
. "$(dirname "$0")/cli_lab.sh"

for t in tcpdump tshark; do
	command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
PY=/usr/bin/python3
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MX=02:72:00:00:00:0f       # a MAC on no host; a1 sends to it through a static ARP entry
NX=02:72:00:00:ee:03       # the underlay MAC we give 192.168.72.3 with neigh add

# Host B runs a start file: a static location and an aging time.
cat >"$OV_TMP/B.cmds" <<EOF
# run by vseal --cmdline-file at start
location add 100 02:72:00:00:00:77 $UA
set aging 250
EOF
cli_lab_up --cmdline-file "$OV_TMP/B.cmds" || { ov_log "lab did not come up"; exit 1; }

# ---- help ----
run ctlA help
missing=""
for u in "show port stats all|NAME" "show port xstats NAME" "show port info NAME" \
		"clear port stats all" "show guest" "show lcores" "show drops" "show location" \
		"location add VNI MAC VTEP-IP" "location del VNI MAC" "location flush" \
		"show flood" "flood add VNI VTEP-IP" "flood del VNI VTEP-IP" "show neigh" \
		"neigh add VTEP-IP MAC" "neigh del VTEP-IP" "set learning on|off" \
		"set aging SECONDS" "show config" "quit" "help" "clear lcores" "load FILE"; do
	grep -qF -- "  $u" "$CLI_OUT" || missing+=" [$u]"
done
expect_true "help lists every command of DESIGN.md section 6 ${missing:+(missing:$missing)}" \
	[ -z "$missing" ]

# ---- show guest ----
expect_ok "show guest: a1 connected" '^guest a1: connected' ctlA show guest
expect_ok "show guest a1: VNI, MAC, queues" "vni 100, mac $MA1, queues 1, mtu 1500" \
	ctlA show guest a1
expect_ok "show guest a1: vhost-user client mode and its socket" \
	"vhost-user client mode, socket $OV_TMP/a1.sock" ctlA show guest a1
expect_ok "show guest: a2 in VNI 200" "vni 200, mac $MA2" ctlA show guest

# ---- counters ----
ip netns exec "$NA1" ping -q -c 10 -i 0.05 $IB1 >/dev/null
expect_ok "show port stats uplink: ethdev counters" '^  ethdev rx: packets [1-9][0-9]* bytes' \
	ctlA show port stats uplink
expect_ok "show port stats all: a1's vseal counters" '^port a1 \(net_vhost_a1, ethdev 1\): link up' \
	ctlA show port stats all
expect_ok "show port xstats a1: vhost's own counters" '^  rx_good_packets +[1-9]' \
	ctlA show port xstats a1
expect_ok "show port info a1: driver" 'driver net_vhost' ctlA show port info a1
expect_ok "show port info a1: negotiated virtio features" '^  virtio features +0x[0-9a-f]{16}' \
	ctlA show port info a1
expect_ok "show port info a1: VERSION_1 among them" ' VERSION_1( |$)' ctlA show port info a1
expect_ok "show port info uplink: af_packet, offloads, link" 'driver net_af_packet' \
	ctlA show port info uplink
expect_ok "show port info uplink: large-frame path" '^  large frames ' ctlA show port info uplink

expect_ok "clear port stats a1" 'cleared the counters of a1$' ctlA clear port stats a1
expect_ok "clear port stats all" 'cleared the counters of every port' ctlA clear port stats all
run ctlA show port stats a1
rx0=$(out_num '^  vseal: +rx ([0-9]+) .*')
ip netns exec "$NA1" ping -q -c 5 -i 0.05 $IB1 >/dev/null
run ctlA show port stats a1
rx1=$(out_num '^  vseal: +rx ([0-9]+) .*')
ov_log "a1's vseal rx: $rx0 right after clear port stats, $rx1 after 5 pings"
expect_true "clear port stats: counting restarts from 0 (then 5 pings: 5..8 frames)" \
	[ "${rx0:-x}" -le 2 ] && [ "${rx1:-0}" -ge 5 ] && [ "${rx1:-0}" -le 10 ]

expect_ok "show lcores: worker on lcore 1 polls uplink, a1, a2" \
	'^  polls +uplink:0 a1:0 a2:0$' ctlA show lcores
expect_ok "show lcores: main lcore runs control" '^lcore 0: main .*control' ctlA show lcores
ip netns exec "$NA1" ping -q -c 20 -i 0.02 $IB1 >/dev/null
run ctlA show lcores
cpp=$(out_num '^  cycles per packet +([0-9.]+) .*')
busy=$(out_num '^  busy cycles +([0-9]+) .*')
idle=$(out_num '^  idle cycles +([0-9]+) .*')
pct=$(sed -nE 's/^  (busy|idle) cycles +[0-9]+ \(([0-9.]+)%\)/\2/p' "$CLI_OUT" |
	awk '{ s += $1 } END { printf "%.0f", s }')
ov_log "host A worker: busy $busy idle $idle cycles, $cpp cycles/packet, busy+idle = $pct%"
expect_true "show lcores: busy, idle and cycles per packet measured (busy+idle = 100%)" \
	[ "${busy:-0}" -gt 0 ] && [ "${idle:-0}" -gt 0 ] && [ -n "$cpp" ] && [ "$pct" = 100 ]
expect_ok "clear lcores" 'cleared the counters of 1 worker lcore' ctlA clear lcores
run ctlA show lcores
rx=$(out_num '^  rx packets +([0-9]+)$')
loops=$(out_num '^  loops +([0-9]+)$')
ov_log "right after clear lcores: rx $rx, loops $loops"
expect_true "clear lcores: packets restart from 0" [ "${rx:-x}" -le 3 ]
expect_ok "show lcores says since when" "counted since the last 'clear lcores'" ctlA show lcores

# show drops: every reason of vs_drop.h, by name, per port; a spoofed frame is counted.
reasons=$(sed -nE 's/^[[:space:]]*X\([A-Z_0-9]+, *"([a-z0-9-]+)".*/\1/p' \
	"$SRC/lib/common/vs_drop.h")
ctlA clear port stats all >/dev/null
ip netns exec "$NA1" $PY - "$TA1" <<'EOF'
import sys
from scapy.all import Ether, IP, ICMP, sendp
sendp(Ether(src="02:72:00:00:00:ff", dst="02:72:00:00:00:b1") / IP(dst="10.72.0.2") / ICMP(),
      iface=sys.argv[1], count=7, verbose=False)
EOF
sleep 0.3
run ctlA show drops
missing=""
for r in $reasons; do
	grep -qE "^$r +[0-9]+ +[0-9]+ +[0-9]+$" "$CLI_OUT" || missing+=" $r"
done
expect_true "show drops: all $(wc -w <<<"$reasons") reasons of vs_drop.h by name, one count per port${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
expect_false "show drops: no unnamed 'other' row" grep -qiE '^(other|unknown)( |$)' "$CLI_OUT"
expect_ok "show drops: header names the ports" '^REASON +uplink +a1 +a2$' ctlA show drops
run ctlA show drops
spoof=$(awk '$1 == "spoofed-src-mac" { print $3 }' "$CLI_OUT")
ov_log "spoofed-src-mac on a1 after 7 forged frames: $spoof"
expect_true "show drops: 7 forged frames from a1 counted as spoofed-src-mac on a1" \
	[ "${spoof:-0}" -eq 7 ]
expect_ok "show drops: NIC counters named too" '^nic-rx-missed +[0-9]+' ctlA show drops
expect_ok "show drops: control lcore's losses named" '^learn-table-full +[0-9]+' ctlA show drops

# ---- locations ----
expect_ok "show location: a1 is local" "^100 +$MA1 +local +a1 " ctlA show location
expect_ok "show location: b1 learned from host B" "^100 +$MB1 +learned +$UB " ctlA show location
expect_ok "show location vni 200: a2 only" "^200 +$MA2 +local +a2" ctlA show location vni 200
expect_no "show location vni 200: nothing of VNI 100" '^100 ' ctlA show location vni 200

# capture VXLAN on host A's underlay port while a1 sends 5 frames to MX
cap_to_mx() { # LABEL -> one line "outer-dst vni outer-eth-dst" per frame to MX
	local f=$OV_TMP/$1.pcap
	cli_capture_start "$WA" "$f" udp port 4789
	sleep 0.3
	ip netns exec "$NA1" ping -q -c 5 -i 0.1 -W 0.2 10.72.0.99 >/dev/null 2>&1
	cli_capture_stop
	tshark -r "$f" -Y "vxlan && eth.dst == $MX" -T fields -e ip.dst -e vxlan.vni \
		-e eth.dst -E separator=' ' -E occurrence=f 2>/dev/null
}
ip -n "$NA1" neigh replace 10.72.0.99 lladdr $MX dev "$TA1" nud permanent
before=$(cap_to_mx before)
ov_log "frames to $MX before location add: $(wc -l <<<"$before") ($(head -1 <<<"$before"))"
expect_true "unknown MAC: frames flooded to host B's VTEP" grep -q "^$UB 100 " <<<"$before"

expect_ok "neigh add: static underlay MAC for $UX" "neighbour $UX is-at $NX \(static\)" \
	ctlA neigh add $UX $NX
expect_ok "show neigh: $UX static" "^$UX +$NX +static " ctlA show neigh
expect_ok "show neigh: $UB resolved by ARP" "^$UB +[0-9a-f:]{17} +(reachable|probe) " ctlA show neigh
expect_ok "location add: prints the new location" "location VNI 100 $MX -> $UX \(static\)" \
	ctlA location add 100 $MX $UX
expect_ok "show location: $MX listed as static at $UX" "^100 +$MX +static +$UX " ctlA show location
after=$(cap_to_mx after)
ov_log "frames to $MX after location add: $(wc -l <<<"$after") ($(head -1 <<<"$after"))"
expect_true "location add: 5 frames to $MX go to VTEP $UX with outer MAC $NX, VNI 100" \
	[ "$(grep -c "^$UX 100 $NX$" <<<"$after")" -eq 5 ]
expect_false "location add: and none is flooded to $UB any more" grep -q "^$UB " <<<"$after"
expect_ok "location del" "location VNI 100 $MX deleted" ctlA location del 100 $MX
expect_no "show location: $MX gone" "$MX" ctlA show location
gone=$(cap_to_mx gone)
ov_log "frames to $MX after location del: $(wc -l <<<"$gone") ($(head -1 <<<"$gone"))"
expect_false "location del: nothing goes to $UX any more" grep -q "^$UX " <<<"$gone"
expect_true "location del: frames to $MX flooded to $UB again" grep -q "^$UB 100 " <<<"$gone"

expect_ok "neigh del: a VTEP still uses it" "neighbour $UX deleted" ctlA neigh del $UX
expect_ok "show neigh: $UX back to incomplete (ARP)" "^$UX +- +incomplete " ctlA show neigh

# learning off / on
expect_ok "set learning off" '^learning off' ctlA set learning off
expect_ok "location flush" '^flushed [0-9]+ locations? \(static and learned, all VNIs\)' \
	ctlA location flush
expect_no "location flush: no learned entry left" 'learned +[0-9]' ctlA show location
expect_ok "location flush keeps the guests' own" "^100 +$MA1 +local" ctlA show location
ctlA location add 200 02:72:00:00:00:2f $UB >/dev/null
ctlA location add 100 02:72:00:00:00:1f $UB >/dev/null
expect_ok "location flush vni 200: only VNI 200's" '^flushed 1 location \(static and learned, VNI 200\)' \
	ctlA location flush vni 200
expect_ok "location flush vni 200 left VNI 100's static one" "^100 +02:72:00:00:00:1f +static" \
	ctlA show location
ctlA location del 100 02:72:00:00:00:1f >/dev/null
ip netns exec "$NA1" ping -q -c 5 -i 0.05 $IB1 >/dev/null
ip netns exec "$NB1" ping -q -c 5 -i 0.05 $IA1 >/dev/null
expect_no "set learning off: b1 not learned after traffic both ways" "$MB1" ctlA show location
expect_ok "show location: footer says learning off" '^learning off, aging 300 s' ctlA show location
expect_ok "set learning on" '^learning on' ctlA set learning on
ip netns exec "$NB1" ping -q -c 5 -i 0.05 $IA1 >/dev/null
expect_ok "set learning on: b1 learned again" "^100 +$MB1 +learned +$UB " ctlA show location

# aging: learning off first, so that nothing (the guests' ARP probes) learns b1 again
ip netns exec "$NB1" ping -q -c 2 -i 0.05 $IA1 >/dev/null
expect_ok "b1 learned before the aging test" "^100 +$MB1 +learned" ctlA show location
run ctlA show location
aged0=$(out_num '.* ([0-9]+) aged out$')
ctlA set learning off >/dev/null
expect_ok "set aging 2" '^aging 2 s$' ctlA set aging 2
sleep 4
expect_no "set aging 2: b1's learned location aged out within 4 s" "$MB1" ctlA show location
aged1=$(out_num '.* ([0-9]+) aged out$')
expect_true "show location counts it as aged out ($aged0 -> $aged1)" [ "$aged1" -gt "$aged0" ]
expect_ok "set aging 0" 'never age out' ctlA set aging 0
expect_ok "set aging 300" '^aging 300 s$' ctlA set aging 300
ctlA set learning on >/dev/null

# flood lists: a1's broadcasts (ARP for an unknown address) reach host B only while B's VTEP
# is on VNI 100's flood list.
bcast_to_b() {
	local f=$OV_TMP/bcast.pcap
	cli_capture_start "$WA" "$f" udp port 4789 and dst host $UB
	ip netns exec "$NA1" arping -q -c 3 -w 5 -I "$TA1" 10.72.0.77 >/dev/null 2>&1
	cli_capture_stop
	tshark -r "$f" -Y 'vxlan && arp' 2>/dev/null | wc -l
}
expect_ok "show flood: VNI 100 floods to host B (resolved)" "^VNI 100: $UB \(resolved\)$" \
	ctlA show flood
expect_ok "flood del" "^VNI 100: empty" ctlA flood del 100 $UB
n=$(bcast_to_b)
ov_log "ARP broadcasts from a1 to host B's VTEP with an empty flood list: $n"
expect_true "flood del: no broadcast reaches host B" [ "$n" -eq 0 ]
expect_ok "flood add" "^VNI 100: $UB " ctlA flood add 100 $UB
n=$(bcast_to_b)
ov_log "ARP broadcasts from a1 to host B's VTEP after flood add: $n"
expect_true "flood add: broadcasts reach host B again" [ "$n" -ge 3 ]
expect_ok "flood add of a second VTEP" "^VNI 100: $UB \(resolved\) $UX \(unresolved\)$" \
	ctlA flood add 100 $UX
expect_ok "show flood vni 100" "^VNI 100: $UB .* $UX " ctlA show flood vni 100
expect_ok "flood del of it" "^VNI 100: $UB \(resolved\)$" ctlA flood del 100 $UX
expect_ok "show flood vni 200" "^VNI 200: $UB " ctlA show flood vni 200

# ---- configuration ----
ctlA location add 100 $MX $UX >/dev/null
ctlA neigh add $UX $NX >/dev/null
ctlA set aging 120 >/dev/null
run ctlA show config
cfg_ok=1
for line in "vtep-ip    = $UA" "aging      = 120" "learning   = on" \
		"device  = net_af_packet_A,iface=${OV_ID}u0" "[guest.a1]" "mac    = $MA1" \
		"[location.100]" "$MX = $UX" "[neigh]" "$UX = $NX" "worker.1   = uplink a1 a2" \
		"flood    = $UB"; do
	grep -qiF -- "$line" "$CLI_OUT" || { cfg_ok=0; ov_log "    show config lacks: $line"; }
done
expect_true "show config: the running values (aging 120, static location and neighbour)" \
	[ $cfg_ok = 1 ]
ctlA set aging 300 >/dev/null

# ---- start file (host B) and load ----
expect_ok "--cmdline-file: host B's start file added its static location" \
	"^100 +02:72:00:00:00:77 +static +$UA " ctlB show location
expect_ok "--cmdline-file: and set its aging" '^aging      = 250$' ctlB show config
printf 'show flood vni 100\nlocation add 100 02:72:00:00:00:78 %s\n# comment\n\nflood del 100 192.168.72.9\n' \
	$UA >"$OV_TMP/load.cmds"
run ctlB load "$OV_TMP/load.cmds"
expect_true "load: runs every line, status 1 because one failed" [ "$CLI_RC" -eq 1 ] &&
	grep -q "^VNI 100: $UA" "$CLI_OUT" && grep -q 'location VNI 100 02:72:00:00:00:78' "$CLI_OUT" &&
	grep -q "load.cmds:5: failed: flood del 100 192.168.72.9" "$CLI_ERR" &&
	grep -q '1 of 3 commands failed' "$CLI_ERR"
expect_ok "load: its location is there" '02:72:00:00:00:78 +static' ctlB show location

# ---- a full location table (host C: [host] locations = 1024, filled by its start file) ----
cat >"$OV_TMP/C.ini" <<EOF
[host]
vtep-ip = 192.168.79.1
ctl-socket = $OV_TMP/C.ctl
locations = 1024
[uplink]
device = net_null_C,no-rx=1
[vni.100]
[lcores]
control = 0
worker.1 = uplink
idle-sleep = 100
EOF
for i in $(seq 0 1023); do
	printf 'location add 100 02:79:00:00:%02x:%02x 192.168.79.2\n' $((i >> 8)) $((i & 255))
done >"$OV_TMP/C.cmds"
ctlC() { "$CTL" -s "$OV_TMP/C.ctl" "$@"; }
if cli_vseal C "-l 0,1" --cmdline-file "$OV_TMP/C.cmds" && cli_wait_ctl C; then
	expect_ok "[host] locations: logged at start" 'location table: up to 1024 entries' \
		cat "$OV_TMP/C.log"
	expect_ok "show config: locations = 1024" '^locations += 1024$' ctlC show config
	expect_ok "show location: the start file filled it" '\(table: 1024 of 1024 entries\)' \
		ctlC show location
	expect_err "location add beyond locations: the table is full" \
		'location add: the location table is full \(1024 of 1024 entries: \[host\] locations\)$' \
		'location add VNI MAC VTEP-IP' ctlC location add 100 02:79:00:00:ff:ff 192.168.79.2
	expect_ok "location del frees a place" 'deleted' ctlC location del 100 02:79:00:00:00:00
	expect_ok "and location add takes it" 'location VNI 100 02:79:00:00:ff:ff -> 192.168.79.2' \
		ctlC location add 100 02:79:00:00:ff:ff 192.168.79.2
else
	cli_fail "host C (locations = 1024) did not start"
fi

# ---- several clients at once ----
mkfifo "$OV_TMP/in.fifo"
"$CTL" -s "$OV_TMP/A.ctl" <"$OV_TMP/in.fifo" >"$OV_TMP/session.out" 2>&1 &
sess=$!
exec 7>"$OV_TMP/in.fifo"
echo "show guest a2" >&7
pids=()
for i in $(seq 12); do
	"$CTL" -s "$OV_TMP/A.ctl" show lcores >"$OV_TMP/par$i.out" 2>&1 &
	pids+=($!)
done
okc=0
for i in $(seq 12); do
	wait "${pids[$((i - 1))]}" && grep -q '^lcore 1: worker 0' "$OV_TMP/par$i.out" && okc=$((okc + 1))
done
echo "quit" >&7
exec 7>&-
wait $sess
src=$?
expect_true "12 one-shot clients while an interactive session is open: $okc of 12 answered" \
	[ $okc -eq 12 ]
expect_true "the interactive session answered too and ended with quit (status $src)" \
	[ $src -eq 0 ] && grep -q 'guest a2: connected' "$OV_TMP/session.out"
expect_true "vseal A still running after its session quit" kill -0 "$CLI_PID_A"

ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_summary
