# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the fragment-mode tests (large_udp.sh, reasm_badinput.sh). Source it after
# lib_overlay.sh.
#
# Fragments must reach vseal as they are on the wire: its uplink is net_pcap here, not
# net_af_packet (DPDK 22.11's af_packet PMD always sets PACKET_FANOUT_FLAG_DEFRAG, so the
# kernel would reassemble outer fragments, and a reassembled packet larger than the ring's
# frame is cut), and the underlay is a direct veth, not a bridge (with
# bridge-nf-call-iptables=1 the host's firewall sees, defragments and may drop bridged
# fragments).

# fr_pair NAME: a veth NAME0 <-> NAME1 in this namespace, both ends for DPDK processes (no
# IPv6 chatter, no checksums left to a NIC, nothing the kernel would forward).
fr_pair() {
	local e
	ip link add "${1}0" type veth peer name "${1}1"
	OV_LINKS+=("${1}0")
	for e in "${1}0" "${1}1"; do
		sysctl -qw "net.ipv6.conf.$e.disable_ipv6=1" 2>/dev/null || true
		sysctl -qw "net.ipv4.conf.$e.forwarding=0" 2>/dev/null || true
		ethtool -K "$e" tx off tso off gso off >/dev/null 2>&1 || true
		ip link set "$e" up
	done
}

# fr_kernel_vtep_on NS IFACE IP VNI INNER-CIDR MTU REMOTE...: move IFACE (a veth end of this
# namespace) into the new namespace NS and make it the underlay of the Linux kernel's vxlan
# device vxlan$VNI there: underlay address IP/24, flood list REMOTE..., inner address
# INNER-CIDR, inner MTU MTU. The kernel's vxlan leaves DF clear on the outer packet
# (df unset), so with an inner MTU above the underlay's it sends outer IPv4 fragments.
fr_kernel_vtep_on() {
	local ns=$1 ifc=$2 ip=$3 vni=$4 inner=$5 mtu=$6 r
	shift 6
	ov_netns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	ip link set "$ifc" netns "$ns" || return 1
	ip -n "$ns" addr add "$ip/24" dev "$ifc"
	ip -n "$ns" link set "$ifc" up
	ip netns exec "$ns" ethtool -K "$ifc" tx off tso off gso off >/dev/null 2>&1
	# No "dev": bound to a lower device, the kernel caps vxlan's MTU at the underlay's.
	ip -n "$ns" link add "vxlan$vni" type vxlan id "$vni" dstport 4789 local "$ip"
	for r in "$@"; do
		bridge -n "$ns" fdb append 00:00:00:00:00:00 dev "vxlan$vni" dst "$r"
	done
	ip -n "$ns" link set "vxlan$vni" mtu "$mtu" up
	ip -n "$ns" addr add "$inner" dev "vxlan$vni"
}

# fr_wait_ping NS DST [TIMEOUT=15]: ping once at a time until DST answers (ARP and the
# VTEPs' neighbour resolution done), at most TIMEOUT s.
fr_wait_ping() {
	local t=$((SECONDS + ${3:-15}))
	until ip netns exec "$1" ping -n -c 1 -W 1 "$2" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$t" ] || return 1
		sleep 0.2
	done
}

# fr_big_ping NS DST SIZE COUNT [PING-ARGS...]: ping with SIZE-byte payloads, 0.3 s apart;
# prints the replies that came back whole and unchanged (SIZE + 8 bytes, no "wrong data
# byte" from ping's payload check, no duplicate). ping's output is in $OV_TMP/bigping.out.
fr_big_ping() {
	local ns=$1 dst=$2 size=$3 count=$4
	shift 4
	ip netns exec "$ns" ping -n -c "$count" -i 0.3 -W 2 -s "$size" "$@" "$dst" \
		>"$OV_TMP/bigping.out" 2>&1
	if grep -Eq 'wrong data|DUP!' "$OV_TMP/bigping.out"; then
		echo 0
		return
	fi
	grep -c "^$((size + 8)) bytes from $dst" "$OV_TMP/bigping.out"
}

# fr_snmp NS PROTO FIELD: a counter of /proc/net/snmp in namespace NS (e.g. Udp
# RcvbufErrors, Ip ReasmFails).
fr_snmp() {
	ip netns exec "$1" cat /proc/net/snmp |
		awk -v p="$2:" -v f="$3" '$1 == p && !h {for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next}
			$1 == p && h {print $c[f]; exit}'
}

# fr_udp SERVER-NS SERVER-IP CLIENT-NS SECONDS LEN RATE [IPERF3-ARGS...]: one iperf3 UDP run
# with LEN-byte datagrams at RATE (bits/s, iperf3 syntax) and 2 MB socket buffers (the
# receiver may not get a CPU for a while on a busy machine). Prints, as the server counted
# them: "SENT-BYTES RECEIVED-BYTES SENT-DATAGRAMS LOST-DATAGRAMS RCVBUF-ERRORS", the last
# being the server namespace's UDP receive buffer overflows during the run (datagrams
# that arrived but found the socket full); nothing on error (iperf3's message goes to
# stderr).
fr_udp() {
	local sns=$1 sip=$2 cns=$3 t=$4 len=$5 rate=$6 spid out e0 e1
	shift 6
	ip netns exec "$sns" iperf3 -s -1 -B "$sip" >"$OV_TMP/udp-s.log" 2>&1 &
	spid=$!
	for _ in $(seq 50); do
		ip netns exec "$sns" ss -Hltn "sport = :5201" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	e0=$(fr_snmp "$sns" Udp RcvbufErrors)
	out=$(ip netns exec "$cns" timeout $((t + 20)) iperf3 -c "$sip" -u -l "$len" -b "$rate" \
		-w 2M -t "$t" -J "$@" 2>"$OV_TMP/udp.err")
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	e1=$(fr_snmp "$sns" Udp RcvbufErrors)
	python3 -c 'import json,sys
j=json.loads(sys.stdin.read())
if "error" in j: sys.exit("iperf3: " + j["error"])
c=j["end"]["sum_sent"]
s=j["end"]["sum_received"]
print(c["bytes"], s["bytes"], c["packets"], s["lost_packets"], sys.argv[1])' \
		$((e1 - e0)) <<<"$out" 2>>"$OV_TMP/udp.err" ||
		sed 's/^/    iperf3: /' "$OV_TMP/udp.err" | tail -5 >&2
}

# fr_udp_near LOST DATAGRAMS GOT SENT [MISSED=0]: an iperf3 UDP result with no loss or near:
# at most 3% of the datagrams, plus MISSED (fragments the receiving uplink's kernel socket
# dropped before vseal could read them, nic-rx-missed: on a busy machine the pcap ring
# overflows while vseal is not scheduled; each such fragment costs one datagram); every
# received byte in a whole 30000-byte datagram, and no more bytes missing than that.
fr_udp_near() {
	local allow=$(( $2 * 3 / 100 + ${5:-0} ))
	(( $2 > 0 && $1 <= allow && $3 % 30000 == 0 && $3 >= $4 - allow * 30000 ))
}

# fr_missed NAME...: the sum of the uplink's nic-rx-missed (ethdev imissed: frames the
# kernel dropped before the PMD read them) of the running vseals NAME...
fr_missed() {
	local n sum=0 v
	for n in "$@"; do
		v=$("$OV_BUILD/app/vseal-ctl" -s "$OV_TMP/$n.ctl" show port stats uplink |
			sed -n 's/.*ethdev rx:.* missed \([0-9]*\).*/\1/p')
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# fr_count PCAP FILTER: frames in the capture file PCAP matching the pcap FILTER.
fr_count() {
	tcpdump -nn -r "$1" "$2" 2>/dev/null | wc -l
}

# fr_capture NAME IFACE: capture the headers of everything on IFACE (this namespace) into
# $OV_TMP/NAME.pcap in the background until fr_capture_stop NAME.
fr_capture() {
	local name=$1 pid
	tcpdump -i "$2" -nn -U -s 128 -B 8192 -w "$OV_TMP/$name.pcap" >"$OV_TMP/$name.tcpdump" 2>&1 &
	pid=$!
	OV_PIDS+=("$pid")
	eval "FR_CAP_$name=$pid"
	for _ in $(seq 50); do
		grep -q 'listening on' "$OV_TMP/$name.tcpdump" && return 0
		sleep 0.1
	done
	return 1
}

# fr_capture_stop NAME: stop that capture; prints what tcpdump says it dropped, if anything.
fr_capture_stop() {
	local pidvar=FR_CAP_$1
	sleep 0.3
	kill -INT "${!pidvar}" 2>/dev/null
	wait "${!pidvar}" 2>/dev/null
	grep -E '[1-9][0-9]* packets? dropped by kernel' "$OV_TMP/$1.tcpdump" | sed 's/^/    tcpdump: /'
	return 0
}

# fr_true EXPR: succeed when the bash arithmetic expression EXPR is true (for ov_check).
fr_true() {
	(( $1 ))
}

# fr_dump NAME: take one counter dump of vseal NAME into FR_DUMP (for fr_get).
fr_dump() {
	FR_DUMP=$(ov_stats "$1")
}

# fr_get PORT REASON: a drop counter from the last fr_dump (0 when absent).
fr_get() {
	awk -v p="$1" -v r="$2" '$1 == "drop" && $2 == p && $3 == r {v = $4} END {print v + 0}' \
		<<<"$FR_DUMP"
}
