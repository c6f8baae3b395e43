#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Large-frame figures for docs/offloads.md: iperf3 TCP Gbit/s per guest MTU on one host,
# and across hosts (guest MTU 65000, uplink MTU 1500) with GRO on and off, and with the
# kernel's vxlan device as the peer. It runs the integration tests large_local.sh and
# large_hosts.sh (which also check what they measure) ROUNDS times with longer iperf3 runs
# and prints the median, min and max of each figure as a markdown table.
#
#   sudo test/perf/large_frames.sh [ROUNDS=3] [SECONDS=8] [OUT-DIR]
#
# Figures on a shared 2-CPU machine drift with its load: the load average is printed with
# the table; compare figures of one run with each other, not across runs.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3} secs=${2:-8}
out=${3:-$src/build/perf-large-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
export VSEAL_BUILD=${VSEAL_BUILD:-$src/build} LARGE_SECONDS=$secs
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do
	for t in large_local large_hosts; do
		printf '[%s] round %s/%s: %s (iperf3 runs of %s s)\n' "$(date +%T)" "$r" "$rounds" "$t" "$secs"
		bash "$src/test/integration/$t.sh" >"$out/$t-$r.log" 2>&1 ||
			echo "    $t failed in round $r: see $out/$t-$r.log"
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$out" "$rounds" "$secs" "$load0" "$load1" <<'PY' | tee "$out/large_frames.md"
import glob, re, statistics, sys
out, rounds, secs, load0, load1 = sys.argv[1:6]
cases = [
    ("large_local", r"iperf3 c1500 -> s1500, .*?: ([0-9.]+) ", "one host, guest MTU 1500 (64 KB TSO frames)"),
    ("large_local", r"iperf3 c9000 -> s9000, .*?: ([0-9.]+) ", "one host, guest MTU 9000 (64 KB TSO frames)"),
    ("large_local", r"iperf3 c65000 -> s65000, .*?: ([0-9.]+) ", "one host, guest MTU 65000"),
    ("large_local", r"side by side .*?MTU 1500 moved ([0-9]+) bytes", "one host, MTU 1500 and 65000 pairs at once: the 1500 pair"),
    ("large_local", r"side by side .*?MTU 65000 ([0-9]+) ", "one host, MTU 1500 and 65000 pairs at once: the 65000 pair"),
    ("large_hosts", r"auto path, GRO on: iperf3 .*?: ([0-9.]+) ", "two hosts, guest MTU 65000, uplink 1500: librte_gso, GRO on"),
    ("large_hosts", r"software forced, GRO off: iperf3 .*?: ([0-9.]+) ", "two hosts, same: librte_gso forced, GRO off"),
    ("large_hosts", r"iperf3 a1 \(64 KB frames\) -> kernel VTEP .*?: ([0-9.]+) ", "guest (64 KB frames) -> kernel vxlan device"),
    ("large_hosts", r"iperf3 kernel VTEP -> a1 .*?: ([0-9.]+) ", "kernel vxlan device -> guest (GRO on)"),
]
print("| path | Gbit/s median | min | max | runs |")
print("|---|---|---|---|---|")
for test, rx, label in cases:
    v = []
    for f in sorted(glob.glob("%s/%s-*.log" % (out, test))):
        for line in open(f, errors="replace"):
            m = re.search(rx, line)
            if m:
                x = float(m.group(1))
                v.append(x * 8 / float(secs) / 1e9 if "side by side" in rx else x)
    if v:
        print("| %s | %.2f | %.2f | %.2f | %d |" % (label, statistics.median(v), min(v), max(v), len(v)))
    else:
        print("| %s | - | - | - | 0 |" % label)
print("| two hosts, NIC VXLAN tunnel TSO | n/a | | | 0 |")
print()
print("iperf3 runs of %s s, %s rounds; load average before %s, after %s." % (secs, rounds, load0, load1))
PY
echo "logs and table: $out"
