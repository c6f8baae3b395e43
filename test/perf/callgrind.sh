#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per packet of encap, decap and table lookups: vs-perf under
# valgrind --tool=callgrind, one benchmark per run, with collection switched on only inside
# the function measured (--toggle-collect), so the count is that function and its callees
# and nothing else. Instruction counts do not depend on the machine's load, unlike cycles.
#
#   test/perf/callgrind.sh VS_PERF OUTDIR [--quick]
#
# Writes OUTDIR/callgrind.csv (bench,size,table,function,packets,instructions,per_packet)
# and keeps each run's callgrind.out.* for callgrind_annotate.

set -euo pipefail

perf=${1:?usage: callgrind.sh VS_PERF OUTDIR [--quick]}
out=${2:?usage: callgrind.sh VS_PERF OUTDIR [--quick]}
quick=${3:-}
iters=500
burst=32
tables="1000 100000 1000000"
if [ "$quick" = --quick ]; then
	iters=200
	tables="1000 100000"
fi
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
mkdir -p "$out"
csv=$out/callgrind.csv
echo "bench,size,table,function,packets,instructions,per_packet" > "$csv"

# bench size table function
run() {
	local bench=$1 size=$2 table=$3 fn=$4 tag log ir pkts per
	tag=$bench-$size-$table
	log=$out/callgrind.$tag.log
	# --no-huge: valgrind cannot follow DPDK's hugepage mappings; one lcore, no files left.
	if ! valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out.$tag" \
			--toggle-collect="$fn" --toggle-collect="$fn.*" \
			"$perf" --no-huge --no-pci --no-shconf --no-telemetry \
			--file-prefix="perf-cg-$$" -l 0 -m 768 --log-level=lib.eal:error -- \
			--only "$bench" --sizes "$size" --tables "$table" --iters "$iters" \
			--burst "$burst" --ws 256 > "$log" 2>&1; then
		rm -rf "/var/run/dpdk/perf-cg-$$"
		echo "callgrind.sh: $bench failed, see $log" >&2
		tail -5 "$log" >&2
		return 1
	fi
	rm -rf "/var/run/dpdk/perf-cg-$$"
	ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$out/callgrind.out.$tag")
	# Lookups run warm-up bursts too: vs-perf says how many packets went through.
	pkts=$(awk -v b="$bench" '$1 == "#" && $2 == "calls:" && $3 == b { print $4; exit }' \
		"$log")
	pkts=${pkts:-$((iters * burst))}
	per=$(awk -v i="$ir" -v p="$pkts" 'BEGIN { printf "%.1f", i / p }')
	echo "$bench,$size,$table,$fn,$pkts,$ir,$per" >> "$csv"
	printf 'callgrind: %-12s size=%-5s table=%-8s %-22s %8s instructions/packet\n' \
		"$bench" "$size" "$table" "$fn" "$per"
}

# vs-perf's perf_* wrappers: one call each, whatever the build inlined (LTO), so the count
# is the library function plus a call and a return ("$fn.*": GCC's clones of it, e.g.
# perf_decap.constprop.0).
run encap 64 1000 perf_encap
run encap 1518 1000 perf_encap
run encap-fast 64 1000 perf_encap_fast
run encap-sport 64 1000 perf_src_port
run decap 64 1000 perf_decap
run decap 1518 1000 perf_decap
for t in $tables; do
	run lookup-bulk 64 "$t" perf_lookup_bulk
done
run lookup-one 64 1000 perf_lookup
