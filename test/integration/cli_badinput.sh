#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input never hurts the data plane. Each class of mistake (unknown command, wrong
# argument count, malformed MAC, IP or VNI, a location for a VNI that does not exist, flood
# del of a VTEP not on the list, and a few more) is answered with exactly one "error: ..."
# line saying what is wrong plus the usage, and vseal-ctl exits 1. Then thousands of bad
# commands arrive (one interactive session fed 3000 lines, and 400 one-shot clients) while
# a1 pings b1 across the two hosts every 10 ms: no ping may be lost, and vseal still answers.
. "$(dirname "$0")/cli_lab.sh"

cli_lab_up || { ov_log "lab did not come up"; exit 1; }
M=02:72:00:00:00:0f

# ---- one error line and the usage, per class ----
expect_err "unknown command" "unknown command 'frobnicate'$" \
	"COMMAND [ARGUMENTS], COMMAND one of: help, load, quit, exit, show, clear, location, flood, neigh, set ('help' lists them all)" \
	ctlA frobnicate now
expect_err "unknown subcommand" "location: expected add, del or flush, got 'move'$" \
	"location add VNI MAC VTEP-IP" ctlA location move 100 $M $UB
expect_err "wrong argument count (too few)" \
	"location add: expected 3 arguments \(VNI MAC VTEP-IP\), got 2 arguments$" \
	"location add VNI MAC VTEP-IP" ctlA location add 100 $M
expect_err "wrong argument count (too many)" \
	"flood del: expected 2 arguments \(VNI VTEP-IP\), got 3 arguments$" \
	"flood del VNI VTEP-IP" ctlA flood del 100 $UB $UA
expect_err "wrong argument count (none)" "set aging: expected 1 argument \(SECONDS\), got 0 arguments$" \
	"set aging SECONDS" ctlA set aging
expect_err "malformed MAC" \
	"location add: expected a MAC address \(xx:xx:xx:xx:xx:xx\), got '02:72:zz:00:00:01'$" \
	"location add VNI MAC VTEP-IP" ctlA location add 100 02:72:zz:00:00:01 $UB
expect_err "malformed MAC (dashes)" \
	"neigh add: expected a MAC address \(xx:xx:xx:xx:xx:xx\), got '02-72-00-00-00-01'$" \
	"neigh add VTEP-IP MAC" ctlA neigh add $UX 02-72-00-00-00-01
expect_err "multicast MAC" \
	"location add: expected a unicast, non-zero MAC address, got '01:00:5E:00:00:01'$" \
	"location add VNI MAC VTEP-IP" ctlA location add 100 01:00:5e:00:00:01 $UB
expect_err "malformed IP" \
	"location add: expected an IPv4 address \(a.b.c.d\), got '192.168.72.300'$" \
	"location add VNI MAC VTEP-IP" ctlA location add 100 $M 192.168.72.300
expect_err "malformed IP (3 octets)" "flood add: expected an IPv4 address \(a.b.c.d\), got '1.2.3'$" \
	"flood add VNI VTEP-IP" ctlA flood add 100 1.2.3
expect_err "our own VTEP as a location" \
	"location add: expected a remote VTEP, not this host's vtep-ip, got '$UA'$" \
	"location add VNI MAC VTEP-IP" ctlA location add 100 $M $UA
expect_err "malformed VNI (too large)" "location add: expected a VNI 0..16777215, got '16777216'$" \
	"location add VNI MAC VTEP-IP" ctlA location add 16777216 $M $UB
expect_err "malformed VNI (not a number)" "show location vni: expected a VNI 0..16777215, got 'blue'$" \
	"show location vni N" ctlA show location vni blue
expect_err "malformed VNI (negative)" "location del: expected a VNI 0..16777215, got '-1'$" \
	"location del VNI MAC" ctlA location del -1 $M
expect_err "location for a VNI that does not exist" \
	"location add: expected a VNI served here \(100 200\), got '999'$" \
	"location add VNI MAC VTEP-IP" ctlA location add 999 $M $UB
expect_err "flood del of a VTEP not on the list" \
	"flood del: expected a VTEP on VNI 100's flood list \($UB\), got '192.168.72.9'$" \
	"flood del VNI VTEP-IP" ctlA flood del 100 192.168.72.9
expect_err "flood add twice" "flood add: expected a VTEP not on VNI 100's flood list yet, got '$UB'$" \
	"flood add VNI VTEP-IP" ctlA flood add 100 $UB
expect_err "location del of an absent location" \
	"location del: expected a location in the table, got VNI 100 02:72:00:00:00:0F \(no such location\)$" \
	"location del VNI MAC" ctlA location del 100 $M
expect_err "location del of a local guest" \
	"location del: expected a static or learned location, got VNI 100 02:72:00:00:00:A1 \(local guest a1\)$" \
	"location del VNI MAC" ctlA location del 100 $MA1
expect_err "unknown port name" "show port stats: expected a port name \(all uplink a1 a2\), got 'eth0'$" \
	"show port stats all|NAME" ctlA show port stats eth0
expect_err "keyword value" "set learning: expected on or off, got 'maybe'$" "set learning on|off" \
	ctlA set learning maybe
expect_err "non-printable bytes are not echoed" "unknown command '\?\?\[31mred'$" \
	"COMMAND [ARGUMENTS], COMMAND one of: help, load, quit, exit, show, clear, location, flood, neigh, set ('help' lists them all)" \
	ctlA $'\x01\x1b[31mred'
long=$(printf 'x%.0s' $(seq 300))
expect_err "an argument longer than 127 characters" \
	"location add: an argument is too long \(at most 127 characters\)$" \
	"location add VNI MAC VTEP-IP" ctlA location add 100 $M "$long"
expect_no "nothing was added by all that" '^[0-9]+ +[0-9a-f:]+ +static ' ctlA show location

# ---- thousands of bad commands while a ping runs ----
lines=(
	"frobnicate"
	"location add 100 $M"
	"location add 100 02:72:zz:00:00:01 $UB"
	"location add 100 $M 192.168.72.300"
	"location add 16777216 $M $UB"
	"location add 999 $M $UB"
	"flood del 100 192.168.72.9"
	"set learning maybe"
	"show port stats nosuch"
	"neigh del 192.168.72.99"
)
: >"$OV_TMP/bad.cmds"
for i in $(seq 300); do printf '%s\n' "${lines[@]}" >>"$OV_TMP/bad.cmds"; done
echo quit >>"$OV_TMP/bad.cmds"
nbad=$(($(wc -l <"$OV_TMP/bad.cmds") - 1))

ip netns exec "$NA1" ping -q -c 2000 -i 0.01 -W 2 $IB1 >"$OV_TMP/ping.txt" 2>&1 &
ping_pid=$!
sleep 0.5
t0=$(date +%s.%N)
ctlA <"$OV_TMP/bad.cmds" >"$OV_TMP/bad.out" 2>&1
sess_rc=$?
t1=$(date +%s.%N)
for i in $(seq 100); do
	pids=()
	for l in 0 3 5 6; do
		# shellcheck disable=SC2086  # the line's words are the command's arguments
		ctlA ${lines[$l]} >/dev/null 2>>"$OV_TMP/one.err" &
		pids+=($!)
	done
	wait "${pids[@]}"
done
t2=$(date +%s.%N)
one_ok=$(grep -c '^error: ' "$OV_TMP/one.err")
wait $ping_pid
ping_rc=$?
sed 's/^/    /' "$OV_TMP/ping.txt" | grep -E 'transmitted|rtt'
errs=$(grep -c 'error: ' "$OV_TMP/bad.out")
ov_log "interactive session: $nbad bad lines in $(echo "$t1 - $t0" | bc) s, $errs error lines; 400 one-shot clients in $(echo "$t2 - $t1" | bc) s, $one_ok error lines"
expect_true "the session answered each of the $nbad bad lines with an error (status $sess_rc)" \
	[ "$errs" -eq "$nbad" ] && [ "$sess_rc" -eq 0 ]
expect_true "each of the 400 one-shot clients got its error" [ "$one_ok" -eq 400 ]
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$OV_TMP/ping.txt")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$OV_TMP/ping.txt")
expect_true "ping a1 -> b1 every 10 ms meanwhile: $got of $sent answered, none lost" \
	[ "$ping_rc" -eq 0 ] && [ "${sent:-0}" -eq 2000 ] && [ "${got:-0}" -eq 2000 ]
expect_ok "vseal A still answers" '^lcore 1: worker 0' ctlA show lcores
expect_true "vseal A still running" kill -0 "$CLI_PID_A"
ov_check "host A: no mbuf leaked" [ "$(ov_mbufs A)" -eq 0 ]
ov_summary
