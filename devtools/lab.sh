#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A vseal lab on this one machine: set up (devtools/setup.sh), start vseal with
# config/lab.ini and its guests (network namespaces vs-lab-vm1 ...), show what it does, stop.
#
#   sudo ./devtools/lab.sh               run the demo, then tear everything down
#   sudo ./devtools/lab.sh --keep        leave the one-host lab running, print how to use it
#   sudo ./devtools/lab.sh --stop        tear down a lab left running by --keep
#   options: --config FILE (default config/lab.ini), --no-setup (skip setup.sh),
#            --one-host (skip the two-host part)
#
# The demo: guest A pings B (VNI 100), iperf3 A -> B, C (VNI 200, same IP subnet) cannot
# reach A, then vseal's counters. Then devtools/lab_hosts.sh: two vseal hosts joined by
# VXLAN over a veth underlay. It exits non-zero, loudly, if any of that goes wrong.

# shellcheck disable=SC2034  # VS_* variables are read by test/integration/lib.sh
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
config=$src/config/lab.ini
keep=0
stop=0
hosts=1
setup=1
state_dir=/run/vseal-lab
state=$state_dir/lab.state

while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--stop) stop=1 ;;
	--no-setup) setup=0 ;;
	--one-host) hosts=0 ;;
	--config) config=$(realpath "${2:?--config needs a file}"); shift ;;
	-h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "lab.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "lab.sh: run as root (sudo $0): namespaces, hugepages and DPDK need it" >&2
	exit 1
fi

# --- --stop: end what a --keep run left, as recorded in its state file ----------------------
# Lines: "pid PID SIGNAL WHAT", "netns NAME", "prefix DPDK-PREFIX", "dir PATH".
lab_stop() {
	local kind a b c pid i
	if [ ! -f "$state" ]; then
		echo "lab.sh: no lab running (no $state)"
		return 0
	fi
	while read -r kind a b c; do
		[ "$kind" = pid ] || continue
		pid=$a
		# Only if that PID is still the process the lab started (its --file-prefix).
		if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- '--file-prefix=vs-lab-'; then
			echo "stopping $c (pid $pid, SIG$b)"
			kill -"$b" "$pid" 2>/dev/null
			for ((i = 0; i < 100; i++)); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		fi
	done <"$state"
	while read -r kind a b c; do
		case $kind in
		netns) ip netns del "$a" 2>/dev/null && echo "deleted namespace $a" ;;
		prefix) rm -rf "/var/run/dpdk/$a" /dev/hugepages/"$a"map_* ;;
		dir) rm -rf "$a" ;;
		esac
	done <"$state"
	rm -rf "$state_dir"
	echo "lab stopped"
}

if [ "$stop" = 1 ]; then
	lab_stop
	exit 0
fi

if [ -f "$state" ]; then
	echo "lab.sh: a lab is already running (see $state): sudo $0 --stop first" >&2
	exit 1
fi

if [ "$setup" = 1 ]; then
	bash "$src/devtools/setup.sh" || { echo "lab.sh: setup failed" >&2; exit 1; }
fi

# --- the lab, with the integration tests' helpers --------------------------------------------
VS_TEST=lab
VS_PREFIX=vs-lab
VS_IFTAG=vslab
VSEAL_SRC=$src
VSEAL_BUILD=${VSEAL_BUILD:-$src/${VSEAL_BUILDDIR:-build}}
# shellcheck source=../test/integration/lib.sh
. "$src/test/integration/lib.sh"
vs_init
vs_need_cmd ping arping iperf3

# Guests from the config: [guest.NAME] sections, their socket/mode/vni/mac keys and the
# "; lab-ip = CIDR" comment.
guests=()
while read -r name socket mode vni mac ip; do
	[ "$ip" != - ] || vs_fail "$config: [guest.$name] has no '; lab-ip = A.B.C.D/N' line"
	vs_guest_add "$name" "$vni" "$mac" "$ip" "$mode"
	VS_G_SOCK[$name]=$socket
	guests+=("$name")
done < <(awk '
	function flush() {
		if (name != "") print name, sock, (mode == "" ? "client" : mode), vni, mac,
			(ip == "" ? "-" : ip)
		name = sock = mode = vni = mac = ip = ""
	}
	/^\[/ { flush() }
	/^\[guest\./ { name = $0; sub(/^\[guest\./, "", name); sub(/\].*/, "", name) }
	name != "" && /^; *lab-ip *=/ { ip = $0; sub(/^; *lab-ip *= */, "", ip); sub(/ .*/, "", ip) }
	name != "" && /^[a-z]+ *=/ {
		k = $0; sub(/ *=.*/, "", k); v = $0; sub(/^[^=]*= */, "", v); sub(/ *;.*/, "", v)
		if (k == "socket") sock = v; else if (k == "mode") mode = v
		else if (k == "vni") vni = v; else if (k == "mac") mac = v
	}
	END { flush() }' "$config")
[ ${#guests[@]} -ge 3 ] || vs_fail "$config: the demo needs at least 3 guests (A, B and C)"
A=${guests[0]} B=${guests[1]} C=${guests[2]}
[ "${VS_G_VNI[$A]}" = "${VS_G_VNI[$B]}" ] || vs_fail "$config: $A and $B must share a VNI"
[ "${VS_G_VNI[$C]}" != "${VS_G_VNI[$A]}" ] || vs_fail "$config: $C must be in another VNI"

mkdir -p "$state_dir"
VS_RMDIRS+=("$state_dir")
for g in "${guests[@]}"; do
	mkdir -p "$(dirname "${VS_G_SOCK[$g]}")"
done

vs_step "starting: guest emulator for ${guests[*]}, vseal with $config"
client=() server=()
for g in "${guests[@]}"; do
	if [ "${VS_G_MODE[$g]}" = server ]; then server+=("$g"); else client+=("$g"); fi
done
[ ${#client[@]} -eq 0 ] || vs_gemu_start guests "${client[@]}"
vs_vseal_start vseal "$config"
[ ${#server[@]} -eq 0 ] || vs_gemu_start guests-s "${server[@]}"
[ ${#client[@]} -eq 0 ] || vs_gemu_wait guests
[ ${#server[@]} -eq 0 ] || vs_gemu_wait guests-s
for g in "${guests[@]}"; do
	echo "    guest $g: namespace ${VS_G_NS[$g]}, eth0 ${VS_G_IP[$g]} ${VS_G_MAC[$g]}," \
		"VNI ${VS_G_VNI[$g]}"
done

ipA=$(vs_ip "$A") ipB=$(vs_ip "$B")
vs_step "guest A ($A) pings guest B ($B), both in VNI ${VS_G_VNI[$A]}"
vs_wait_ping "$A" "$ipB" 10
out=$(vs_in "$A" ping -n -c 5 -i 0.2 -W 1 "$ipB" 2>&1) || true
sed 's/^/    /' <<<"$out"
grep -q ' 0% packet loss' <<<"$out" || vs_fail "ping $A -> $B lost packets"

vs_step "iperf3 TCP from A to B, 5 s"
vs_iperf "$A" "$B" 5
echo "    $VS_IPERF_GBPS Gbit/s"

vs_step "guest C ($C, VNI ${VS_G_VNI[$C]}) cannot reach A, even knowing A's MAC"
ip -n "${VS_G_NS[$C]}" neigh replace "$ipA" lladdr "${VS_G_MAC[$A]}" dev eth0 nud permanent
vs_assert_no_ping "$C" "$ipA" 3
ip -n "${VS_G_NS[$C]}" neigh del "$ipA" dev eth0

vs_step "vseal's counters (kill -USR1 ${VS_VSEAL_PID[vseal]})"
vs_vseal_counters vseal
vs_show_counters

if [ "$keep" = 0 ]; then
	vs_step "stopping"
	vs_vseal_stop vseal
	vs_stop_all # the guest emulator: the two-host part needs the CPUs
	if [ "$hosts" = 1 ] && [ -f "$src/devtools/lab_hosts.sh" ]; then
		vs_step "two hosts: each a vseal with two guests, VXLAN over a veth underlay"
		VSEAL_BUILD=$VSEAL_BUILD bash "$src/devtools/lab_hosts.sh" ||
			vs_fail "the two-host lab failed (see above)"
	fi
	exit 0
fi

# --- --keep: leave it running, hand it over to lab.sh --stop ---------------------------------
{
	for pid in "${VS_PID_ORDER[@]}"; do
		[ -n "${VS_PIDS[$pid]:-}" ] || continue
		echo "pid $pid ${VS_PID_SIG[$pid]:-TERM} ${VS_PIDS[$pid]}"
	done
	for ns in "${VS_NETNS[@]}"; do echo "netns $ns"; done
	for p in "${VS_DPDK_PREFIXES[@]}"; do echo "prefix $p"; done
	echo "dir $VS_TMP"
} >"$state"
VS_DONE=1 # lib.sh's EXIT trap: leave everything running
trap - EXIT
cat <<EOF

The lab is running. Guests are network namespaces; their interface is eth0:
$(for g in "${guests[@]}"; do
	printf '  %-6s %-16s %-18s VNI %s\n' "$g" "${VS_G_NS[$g]}" "${VS_G_IP[$g]}" "${VS_G_VNI[$g]}"
done)

  a shell in guest A:   sudo ip netns exec ${VS_G_NS[$A]} bash
  ping from A to B:     sudo ip netns exec ${VS_G_NS[$A]} ping $ipB
  vseal's counters:     sudo kill -USR1 ${VS_VSEAL_PID[vseal]}; tail ${VS_VSEAL_OUT[vseal]}
  logs:                 $VS_TMP
  stop the lab:         sudo $0 --stop
  two-host VXLAN demo:  sudo ./devtools/lab_hosts.sh (better after --stop: 2 CPUs)
EOF
