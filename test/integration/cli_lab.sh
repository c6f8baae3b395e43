# SPDX-License-Identifier: BSD-3-Clause
# The lab the CLI tests (cli_*.sh) share, on lib_overlay.sh's underlay (a Linux bridge, one
# veth per host, each vseal owning its end through net_af_packet; vs-guestemu guests in
# namespaces, MTU 1450):
#
#   host A  vtep 192.168.72.1  -l 0,1             guests a1 (VNI 100), a2 (VNI 200)
#   host B  vtep 192.168.72.2  --lcores=0@1,1@0   guest  b1 (VNI 100)
#   192.168.72.3: a VTEP address nobody has (static locations and neighbours point there)
#
# Sourced. cli_lab_up starts it all; ctlA/ctlB run vseal-ctl against host A/B; the expect_*
# helpers count passes and failures for ov_summary. Everything is named with OV_ID and removed
# by lib_overlay.sh's EXIT trap; only processes started here are stopped, by PID.

OV_ID=${OV_ID:-cli$$}
OV_ID=${OV_ID:0:6}
# shellcheck source=lib_overlay.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib_overlay.sh"

CTL=$OV_BUILD/app/vseal-ctl
UA=192.168.72.1 UB=192.168.72.2 UX=192.168.72.3
MA1=02:72:00:00:00:a1 MA2=02:72:00:00:00:a2 MB1=02:72:00:00:00:b1
IA1=10.72.0.1 IA2=10.72.0.3 IB1=10.72.0.2
NA1=${OV_ID}-a1 NA2=${OV_ID}-a2 NB1=${OV_ID}-b1
TA1=${OV_ID}a1 TA2=${OV_ID}a2 TB1=${OV_ID}b1    # the guests' interfaces (in NA1, NA2, NB1)
WA=${OV_ID}u1 WB=${OV_ID}v1                       # host A's/B's underlay veth, bridge side

ctlA() { "$CTL" -s "$OV_TMP/A.ctl" "$@"; }
ctlB() { "$CTL" -s "$OV_TMP/B.ctl" "$@"; }

# cli_config NAME VTEP-IP WIRE FLOOD100 GUEST-SECTIONS...: host NAME's config file.
cli_config() {
	local name=$1 ip=$2 wire=$3 flood=$4
	shift 4
	{
		printf '[host]\nvtep-ip = %s\nctl-socket = %s/%s.ctl\n\n' "$ip" "$OV_TMP" "$name"
		printf '[uplink]\ndevice = net_af_packet_%s,iface=%s0\nprefix = 24\n\n' "$name" "$wire"
		printf '[vni.100]\nflood = %s\n\n[vni.200]\nflood = %s\n\n' "$flood" "$flood"
		printf '%s\n\n' "$@"
	} >"$OV_TMP/$name.ini"
}

cli_guest() { # NAME VNI MAC
	printf '[guest.%s]\nsocket = %s/%s.sock\nvni = %s\nmac = %s' "$1" "$OV_TMP" "$1" "$2" "$3"
}

# cli_vseal NAME LCORES [APP-ARGS...]: start vseal NAME (config $OV_TMP/NAME.ini, stdin from
# /dev/null), wait for "vseal: running". PID in CLI_PID_NAME, file prefix ${OV_ID}NAME.
cli_vseal() {
	local name=$1 lcores=$2 prefix=${OV_ID}$1 pid
	shift 2
	OV_PREFIXES+=("$prefix")
	# shellcheck disable=SC2086  # $lcores is EAL words
	"$OV_VSEAL" $lcores --no-pci --file-prefix="$prefix" --log-level=lib.vhost:warning \
		-- -f "$OV_TMP/$name.ini" "$@" </dev/null >"$OV_TMP/$name.log" 2>&1 &
	pid=$!
	OV_PIDS+=("$pid")
	eval "CLI_PID_$name=$pid OV_PID_$name=$pid"
	for _ in $(seq 150); do
		grep -q '^vseal: running' "$OV_TMP/$name.log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	ov_log "vseal $name did not start:"
	tail -20 "$OV_TMP/$name.log"
	return 1
}

# cli_wait_ctl NAME: the control socket answers (the start file, if any, has run).
cli_wait_ctl() {
	for _ in $(seq 100); do
		"$CTL" -s "$OV_TMP/$1.ctl" show lcores >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# cli_lab_up [HOST-B-APP-ARGS...]: the whole lab, guests connected, a1 <-> b1 answering.
cli_lab_up() {
	ov_hugepages
	ov_underlay
	# Wires u (host A) and v (host B): veths ${OV_ID}u0/u1, never a guest's tap name.
	ov_wire "${OV_ID}u"
	ov_wire "${OV_ID}v"
	cli_config A $UA "${OV_ID}u" $UB "$(cli_guest a1 100 $MA1)" "$(cli_guest a2 200 $MA2)" \
		"$(printf '[lcores]\ncontrol = 0\nworker.1 = uplink a1 a2\nidle-sleep = 50')"
	cli_config B $UB "${OV_ID}v" $UA "$(cli_guest b1 100 $MB1)" \
		"$(printf '[lcores]\ncontrol = 0\nworker.1 = uplink b1\nidle-sleep = 50')"
	cli_vseal A "-l 0,1" || return 1
	cli_vseal B "--lcores=0@1,1@0" "$@" || return 1
	ov_guests main \
		"a1,$OV_TMP/a1.sock,$MA1,$NA1,$IA1/24,server" \
		"a2,$OV_TMP/a2.sock,$MA2,$NA2,$IA2/24,server" \
		"b1,$OV_TMP/b1.sock,$MB1,$NB1,$IB1/24,server" || return 1
	ov_wait_connected A a1 a2 || return 1
	ov_wait_connected B b1 || return 1
	cli_wait_ctl A && cli_wait_ctl B || return 1
	# The first frames wait for ARP across the underlay: allow a few seconds.
	for _ in $(seq 20); do
		ip netns exec "$NA1" ping -q -c 1 -W 1 $IB1 >/dev/null 2>&1 && return 0
	done
	ov_log "a1 cannot reach b1"
	return 1
}

# ---- assertions (counted by lib_overlay's OV_PASS / OV_FAIL) ----

CLI_OUT=$OV_TMP/cli.out
CLI_ERR=$OV_TMP/cli.err
CLI_RC=0

# run CMD...: run it, keep stdout/stderr in CLI_OUT/CLI_ERR and the status in CLI_RC.
run() {
	CLI_RC=0
	"$@" >"$CLI_OUT" 2>"$CLI_ERR" || CLI_RC=$?
}

cli_pass() { OV_PASS=$((OV_PASS + 1)); ov_log "PASS: $1"; }
cli_fail() {
	OV_FAIL=$((OV_FAIL + 1))
	ov_log "FAIL: $1"
	sed 's/^/    stdout: /' "$CLI_OUT" | head -40
	sed 's/^/    stderr: /' "$CLI_ERR" | head -20
}

# expect_ok WHAT ERE CMD...: CMD succeeds (status 0) and its stdout has a line matching ERE.
expect_ok() {
	local what=$1 re=$2
	shift 2
	run "$@"
	if [ "$CLI_RC" -eq 0 ] && grep -qiE -- "$re" "$CLI_OUT"; then
		cli_pass "$what"
	else
		cli_fail "$what (status $CLI_RC, expected 0 and /$re/ on stdout)"
	fi
}

# expect_no WHAT ERE CMD...: CMD succeeds and no stdout line matches ERE.
expect_no() {
	local what=$1 re=$2
	shift 2
	run "$@"
	if [ "$CLI_RC" -eq 0 ] && ! grep -qiE -- "$re" "$CLI_OUT"; then
		cli_pass "$what"
	else
		cli_fail "$what (status $CLI_RC, expected 0 and no /$re/ on stdout)"
	fi
}

# expect_err WHAT ERROR-ERE USAGE CMD...: CMD fails (status 1), stderr is exactly one line
# "error: ..." matching ERROR-ERE followed by the usage line(s), the first "usage: USAGE".
expect_err() {
	local what=$1 re=$2 usage=$3 first second
	shift 3
	run "$@"
	first=$(sed -n 1p "$CLI_ERR")
	second=$(sed -n 2p "$CLI_ERR")
	if [ "$CLI_RC" -eq 1 ] && [ "$(grep -c '^error: ' "$CLI_ERR")" -eq 1 ] &&
			grep -qE -- "^error: $re" <<<"$first" && [ "$second" = "usage: $usage" ] &&
			[ "$(grep -vc '^usage: ' "$CLI_ERR")" -eq 1 ]; then
		cli_pass "$what"
		ov_log "    $first"
	else
		cli_fail "$what (status $CLI_RC, expected 1, /^error: $re/ and 'usage: $usage')"
	fi
}

# expect_true WHAT CMD...: a plain condition. expect_false: its negation.
expect_true() {
	local what=$1
	shift
	if "$@"; then cli_pass "$what"; else cli_fail "$what"; fi
}

expect_false() {
	local what=$1
	shift
	if "$@"; then cli_fail "$what"; else cli_pass "$what"; fi
}

# cli_capture_start IFACE FILE FILTER...: tcpdump in the background, returns once it listens.
cli_capture_start() {
	local ifc=$1 file=$2
	shift 2
	timeout 30 tcpdump -i "$ifc" -nn -U -w "$file" "$@" 2>"$file.err" &
	CLI_CAP_PID=$!
	for _ in $(seq 50); do
		grep -q 'listening on' "$file.err" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

cli_capture_stop() {
	sleep 0.5
	kill -INT "$CLI_CAP_PID" 2>/dev/null
	wait "$CLI_CAP_PID" 2>/dev/null
	return 0
}

# A number from the last run's stdout: the first match of sed's ERE capture group \1.
out_num() {
	sed -nE "s/$1/\\1/p" "$CLI_OUT" | head -1
}
