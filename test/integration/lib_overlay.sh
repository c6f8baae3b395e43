# SPDX-License-Identifier: BSD-3-Clause
# Two-host (and kernel VTEP) topologies for vseal's overlay tests. Sourced by the tests.
#
#   underlay: a Linux bridge (STP off) with one veth per host; each vseal owns its veth end
#             through net_af_packet; the kernel's vxlan device sits in a namespace of its own.
#   guests:   vs-guestemu (test/tools) bridges virtio-user ports to vnet-header taps, each
#             tap in a namespace of its own, so a kernel TCP/IP stack is the guest OS.
#
# Everything created is named with a per-run prefix and removed by ov_cleanup (EXIT trap);
# only processes this script started are stopped, by PID.

set -u

OV_BUILD=${VSEAL_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}
OV_VSEAL=$OV_BUILD/app/vseal
OV_GEMU=$OV_BUILD/test/tools/vs-guestemu
OV_ID=${OV_ID:-ov$$}
OV_ID=${OV_ID:0:6}
OV_TMP=$(mktemp -d "/tmp/vseal-$OV_ID.XXXXXX")
# Whose run this is: devtools/cleanup.sh removes what a run killed without its trap left
# (everything named $OV_ID...) once this PID is gone.
echo $$ >"$OV_TMP/pid"
OV_PIDS=()
OV_NETNS=()
OV_LINKS=()
OV_PREFIXES=()
OV_PASS=0
OV_FAIL=0

ov_log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*"; }

ov_cleanup() {
	local pid p ns l
	for pid in "${OV_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${OV_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${OV_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	for l in "${OV_LINKS[@]}"; do ip link del "$l" 2>/dev/null; done
	for p in "${OV_PREFIXES[@]}"; do
		rm -f /dev/hugepages/"$p"map_* 2>/dev/null
		rm -rf /var/run/dpdk/"$p" 2>/dev/null
	done
	if [ "$OV_FAIL" -ne 0 ] || [ -n "${OV_KEEP_LOGS:-}" ]; then
		for f in "$OV_TMP"/*.log; do
			[ -f "$f" ] || continue
			echo "----- $f (last 40 lines)"; grep -v '^VHOST_CONFIG' "$f" | tail -40
		done
	fi
	rm -rf "$OV_TMP"
}
trap ov_cleanup EXIT

ov_hugepages() {
	local have
	have=$(cat /proc/sys/vm/nr_hugepages)
	[ "$have" -ge 1024 ] || sysctl -qw vm.nr_hugepages=1024
	mkdir -p /dev/hugepages
	mountpoint -q /dev/hugepages || mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages
}

# ov_check DESCRIPTION COMMAND...: run COMMAND, count and print the result.
ov_check() {
	local what=$1
	shift
	if "$@"; then
		OV_PASS=$((OV_PASS + 1)); ov_log "PASS: $what"
	else
		OV_FAIL=$((OV_FAIL + 1)); ov_log "FAIL: $what"
		return 1
	fi
}

# ov_usr1 PIDVAR LOG PATTERN: SIGUSR1 to the process whose PID is in variable PIDVAR, then
# wait (up to 5 s) until LOG has one more line matching PATTERN than before. Prints how many
# there were before, so a caller can find the new dump.
ov_usr1() {
	local pidvar=$1 log=$2 pat=$3 n
	n=$(grep -c -- "$pat" "$log")
	kill -USR1 "${!pidvar}"
	for _ in $(seq 100); do
		[ "$(grep -c -- "$pat" "$log")" -gt "$n" ] && break
		sleep 0.05
	done
	echo "$n"
}

# ov_gemu_field EMU GUEST DIRECTION FIELD: a counter from the SIGUSR1 dump of the guest
# emulator started as EMU (its log $OV_TMP/gemu-EMU.log), e.g. for the line
# "port->tap: 11821 frames, 764828510 bytes, 11768 gso; checksums: 11806 partial, 0 valid"
# DIRECTION is port->tap and FIELD frames, bytes, gso or partial. 0 when absent.
ov_gemu_field() {
	local log=$OV_TMP/gemu-$1.log c
	ov_usr1 "OV_PID_gemu_$1" "$log" '^guest ' >/dev/null
	# The dump is one block per guest: wait until it stops growing.
	for _ in $(seq 20); do
		c=$(wc -l <"$log")
		sleep 0.1
		[ "$(wc -l <"$log")" -eq "$c" ] && break
	done
	awk -v g="guest $2 " -v d="$3:" -v f="$4" '
		index($0, g) == 1 {inb = 1; next}
		/^guest / {inb = 0}
		inb && $1 == d {for (i = 3; i <= NF; i++) if (index($(i), f) == 1) {v = $(i - 1)}}
		END {gsub(",", "", v); print (v == "" ? 0 : v)}' "$log"
}

ov_summary() {
	echo "$OV_PASS passed, $OV_FAIL failed"
	[ "$OV_FAIL" -eq 0 ]
}

# ov_netns NAME: a namespace removed at exit.
ov_netns() {
	ip netns add "$1"
	OV_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# ov_underlay: the bridge every host's uplink plugs into.
ov_underlay() {
	OV_BR=${OV_ID}br
	ip link add "$OV_BR" type bridge stp_state 0 forward_delay 0
	OV_LINKS+=("$OV_BR")
	ip link set "$OV_BR" up
}

# ov_wire NAME: a veth NAME0 (for DPDK) whose peer NAME1 is plugged into the bridge.
ov_wire() {
	ip link add "${1}0" type veth peer name "${1}1"
	OV_LINKS+=("${1}0")
	ip link set "${1}1" master "$OV_BR"
	ip link set "${1}1" up
	ip link set "${1}0" up
	# The kernel must not leave checksums for a NIC to finish on these veths.
	ethtool -K "${1}0" tx off tso off gso off >/dev/null 2>&1 || true
	sysctl -qw "net.ipv6.conf.${1}0.disable_ipv6=1" 2>/dev/null || true
}

# ov_kernel_vtep NS WIRE IP VNI INNER-CIDR REMOTE...: the Linux kernel's vxlan device as a
# remote VTEP (IP on the underlay, static flood list REMOTE...), inner address on vxlan$VNI.
# Its wire WIRE0 (in NS) plugs into the bridge, or, with OV_DIRECT=HOSTWIRE, is the other
# end of the veth HOSTWIRE0 that a vseal owns (no bridge, no host firewall in between).
ov_kernel_vtep() {
	local ns=$1 wire=$2 ip=$3 vni=$4 inner=$5 r
	shift 5
	ov_netns "$ns"
	if [ -n "${OV_DIRECT:-}" ]; then
		ip link add "${OV_DIRECT}0" type veth peer name "${wire}0"
		OV_LINKS+=("${OV_DIRECT}0")
		ip link set "${OV_DIRECT}0" up
		ethtool -K "${OV_DIRECT}0" tx off tso off gso off >/dev/null 2>&1 || true
		sysctl -qw "net.ipv6.conf.${OV_DIRECT}0.disable_ipv6=1" 2>/dev/null || true
	else
		ip link add "${wire}0" type veth peer name "${wire}1"
		OV_LINKS+=("${wire}1")
		ip link set "${wire}1" master "$OV_BR"
		ip link set "${wire}1" up
	fi
	ip link set "${wire}0" netns "$ns"
	# No IPv6 chatter (router/neighbour solicitations) from this peer on the underlay:
	# tests count vseal's underlay-proto drops exactly.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.${wire}0.disable_ipv6=1" 2>/dev/null || true
	ip -n "$ns" addr add "$ip/24" dev "${wire}0"
	ip -n "$ns" link set "${wire}0" up
	ip netns exec "$ns" ethtool -K "${wire}0" tx off tso off gso off >/dev/null 2>&1
	ip -n "$ns" link add "vxlan$vni" type vxlan id "$vni" dstport 4789 local "$ip" \
		dev "${wire}0"
	for r in "$@"; do
		bridge -n "$ns" fdb append 00:00:00:00:00:00 dev "vxlan$vni" dst "$r"
	done
	ip -n "$ns" link set "vxlan$vni" mtu 1450 up
	ip -n "$ns" addr add "$inner" dev "vxlan$vni"
}

# ov_vseal NAME CONFIG EAL-LCORES: start vseal, wait (up to 30 s: EAL's start on a machine
# busy with other work can take 10) for "vseal: running". Its output goes to $OV_TMP/NAME.log;
# with OV_VSEAL_TS=FILTER also through FILTER (e.g. one adding a timestamp per line) into
# $OV_TMP/NAME.ts. OV_VSEAL_LOGLEVEL (default lib.vhost:warning) is given as --log-level.
# DPDK 22.11's af_packet PMD names its PACKET_FANOUT group (pid ^ ifindex) & 0xffff; when a
# second process's group collides with the first's on another interface the kernel refuses
# it (EINVAL). A new process has a new pid, so such a start is tried again once.
ov_vseal() {
	local name=$1 cfg=$2 lcores=$3 prefix=${OV_ID}$1 pid try
	local args
	OV_PREFIXES+=("$prefix")
	# shellcheck disable=SC2206  # $lcores is a list of words on purpose
	args=($lcores --no-pci --file-prefix="$prefix"
		--log-level="${OV_VSEAL_LOGLEVEL:-lib.vhost:warning}" -- -f "$cfg")
	for try in 1 2; do
		if [ -n "${OV_VSEAL_TS:-}" ]; then
			"$OV_VSEAL" "${args[@]}" > >(tee "$OV_TMP/$name.log" |
				"$OV_VSEAL_TS" >>"$OV_TMP/$name.ts") 2>&1 &
		else
			"$OV_VSEAL" "${args[@]}" >"$OV_TMP/$name.log" 2>&1 &
		fi
		pid=$!
		OV_PIDS+=("$pid")
		eval "OV_PID_$name=$pid"
		for _ in $(seq 300); do
			grep -q '^vseal: running' "$OV_TMP/$name.log" && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		grep -q 'could not set PACKET_FANOUT' "$OV_TMP/$name.log" || break
		ov_log "vseal $name: af_packet fanout group collision, starting it again"
	done
	ov_log "vseal $name did not start:"; tail -20 "$OV_TMP/$name.log"
	return 1
}

# ov_guests NAME SPEC...: one vs-guestemu process for several guests.
# SPEC = GUEST,SOCKET,MAC,NETNS,CIDR[,mtu=N][,server]: the tap is created, moved into NETNS
# (created if needed) and given CIDR.
ov_guests() {
	local name=$1 spec g sock mac ns cidr extra args=() prefix=${OV_ID}g$1 pid tap
	shift
	OV_PREFIXES+=("$prefix")
	for spec in "$@"; do
		IFS=, read -r g sock mac ns cidr extra <<<"$spec"
		args+=(--guest "$g,$sock,${OV_ID}$g,$mac${extra:+,$extra}")
	done
	"$OV_GEMU" --lcores=0@0 --no-pci --file-prefix="$prefix" --single-file-segments \
		--socket-mem=512 --log-level=lib.vhost:warning -- --idle-sleep 50 "${args[@]}" \
		>"$OV_TMP/gemu-$name.log" 2>&1 &
	pid=$!
	OV_PIDS+=("$pid")
	eval "OV_PID_gemu_$name=$pid"
	for spec in "$@"; do
		IFS=, read -r g sock mac ns cidr extra <<<"$spec"
		tap=${OV_ID}$g
		for _ in $(seq 100); do ip link show "$tap" >/dev/null 2>&1 && break; sleep 0.1; done
		ip netns list | grep -qw "^$ns" || ov_netns "$ns"
		ip link set "$tap" netns "$ns" || return 1
		ip -n "$ns" link set "$tap" up
		ip -n "$ns" addr add "$cidr" dev "$tap"
		case ",$extra," in
		*,mtu=*) ;;
		*) ip -n "$ns" link set "$tap" mtu 1450 ;;
		esac
	done
}

# ov_guests_tap NAME SPEC...: as ov_guests, but the emulator is dpdk-testpmd forwarding
# net_virtio_user <-> net_tap pairs (no vnet header: the guest kernel segments and checksums
# itself, frames stay <= 1514 bytes). SPEC as for ov_guests; the socket must be vseal's
# client-mode socket (testpmd listens: server=1).
ov_guests_tap() {
	local name=$1 spec g sock mac ns cidr extra i=0 vdevs=() prefix=${OV_ID}t$1 pid tap
	shift
	OV_PREFIXES+=("$prefix")
	for spec in "$@"; do
		IFS=, read -r g sock mac ns cidr extra <<<"$spec"
		vdevs+=(--vdev="net_virtio_user$i,path=$sock,queues=1,server=1")
		i=$((i + 1))
	done
	i=0
	for spec in "$@"; do
		IFS=, read -r g sock mac ns cidr extra <<<"$spec"
		vdevs+=(--vdev="net_tap$i,iface=${OV_ID}$g,mac=$mac")
		i=$((i + 1))
	done
	# Ports 0..n-1 are the virtio_users, n..2n-1 the taps: pair port k with port k+n.
	local n=$# pl="" k
	for ((k = 0; k < n; k++)); do pl+="${pl:+,}$k,$((k + n))"; done
	stdbuf -oL dpdk-testpmd --lcores=0@1,1@0 --file-prefix="$prefix" --no-pci --in-memory \
		--single-file-segments --socket-mem=256 "${vdevs[@]}" -- --forward-mode=io \
		--auto-start --stats-period=10 --portlist="$pl" --total-num-mbufs=16384 \
		</dev/null >"$OV_TMP/gemu-$name.log" 2>&1 &
	pid=$!
	OV_PIDS+=("$pid")
	eval "OV_PID_gemu_$name=$pid"
	for _ in $(seq 150); do
		grep -q 'Start automatic packet forwarding\|Press enter\|Port statistics' \
			"$OV_TMP/gemu-$name.log" && break
		sleep 0.1
	done
	sleep 0.5
	for spec in "$@"; do
		IFS=, read -r g sock mac ns cidr extra <<<"$spec"
		tap=${OV_ID}$g
		ip netns list | grep -qw "^$ns" || ov_netns "$ns"
		ip link set "$tap" netns "$ns" || return 1
		ip -n "$ns" link set "$tap" up
		ip -n "$ns" addr add "$cidr" dev "$tap"
		ip -n "$ns" link set "$tap" mtu 1450
	done
}

# ov_wait_connected NAME GUEST...: vseal NAME has logged each guest as connected.
ov_wait_connected() {
	local name=$1 g
	shift
	for g in "$@"; do
		for _ in $(seq 100); do
			grep -q "guest $g: connected" "$OV_TMP/$name.log" && break
			sleep 0.1
		done
		grep -q "guest $g: connected" "$OV_TMP/$name.log" || return 1
	done
}

# ov_stats NAME: ask vseal NAME for its counters (SIGUSR1); prints the newest dump.
ov_stats() {
	local log=$OV_TMP/$1.log n
	n=$(ov_usr1 "OV_PID_$1" "$log" '^mbufs in-use')
	awk -v n="$n" '/^port uplink /{d++} d>n' "$log"
}

# ov_drop NAME PORT REASON: current count of one drop reason (0 when absent).
ov_drop() {
	ov_stats "$1" | awk -v p="$2" -v r="$3" '$1=="drop" && $2==p && $3==r {v=$4} END {print v+0}'
}

# ov_mbufs NAME: mbufs in use now.
ov_mbufs() {
	ov_stats "$1" | sed -n 's/^mbufs in-use=\([0-9]*\).*/\1/p' | tail -1
}

# ov_ping NS DST COUNT [INTERVAL]: succeed when no reply is lost.
ov_ping() {
	ip netns exec "$1" ping -q -c "$3" -i "${4:-0.2}" -W 1 "$2" >"$OV_TMP/ping.out" 2>&1
	local rc=$?
	grep -E 'packet loss|rtt' "$OV_TMP/ping.out" | sed 's/^/    /'
	return $rc
}

# ov_no_ping NS DST: succeed when nothing answers.
ov_no_ping() {
	! ip netns exec "$1" ping -q -c 3 -i 0.3 -W 1 "$2" >/dev/null 2>&1
}

# ov_iperf SERVER-NS SERVER-IP CLIENT-NS SECONDS [ARGS...]: TCP run; prints Gbit/s.
ov_iperf() {
	local sns=$1 sip=$2 cns=$3 t=$4 out spid
	shift 4
	ip netns exec "$sns" iperf3 -s -1 >"$OV_TMP/iperf-s.log" 2>&1 &
	spid=$!
	sleep 0.5
	out=$(ip netns exec "$cns" timeout $((t + 20)) iperf3 -c "$sip" -t "$t" -J "$@" \
		2>"$OV_TMP/iperf.err")
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	python3 -c 'import json,sys
j=json.loads(sys.stdin.read())
if "error" in j: sys.exit("iperf3: " + j["error"])
e=j["end"]; s=e.get("sum_received") or e.get("sum")
print("%.3f" % (s["bits_per_second"]/1e9), e.get("sum_sent",{}).get("retransmits","-"), s["bytes"])' <<<"$out"
}

# ov_iperf_ok RESULT: ov_iperf printed a result that moved bytes.
ov_iperf_ok() {
	[ -n "$1" ] && [ "$(echo "$1" | awk '{print ($3 > 0)}')" = 1 ]
}
