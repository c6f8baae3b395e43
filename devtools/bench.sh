#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The performance lab in one command (docs/performance.md): build, then on this machine
#   1. the microbenchmark vs-perf (encap, decap, table lookup: cycles per packet),
#   2. the same under valgrind --tool=callgrind (instructions per packet),
#   3. the benchmark matrix: vseal against dpdk-testpmd io forwarding, case by case,
#      (with --ovs also against OVS-DPDK),
# and write CSV, a markdown table and PNG plots into one results folder.
#
#   sudo ./devtools/bench.sh [--quick] [--out DIR] [--builddir DIR] [--cases REGEX]
#                            [--no-micro] [--no-callgrind] [--no-matrix] [--cpus A,B]
#                            [--wait-idle S] [--profile] [--ovs]
#
#   --quick        a smoke check: 5 matrix cases, 3 windows per run, fewer lookups
#                  (about 2 minutes on a 2-CPU machine; the full run: 12 minutes when
#                  nothing else runs, 40 while other processes keep the CPUs busy)
#   --out DIR      results folder (default results/perf-YYYYmmdd-HHMMSS)
#   --builddir DIR meson build directory (default build-perf, or $VSEAL_PERF_BUILDDIR): a
#                  new one is set up as vseal ships, --buildtype=release -Db_lto=true
#   --cases REGEX  only the matrix cases whose names match (run_matrix.py --list)
#   --cpus A,B     the two CPUs the matrix uses (default 0,1)
#   --wait-idle S  before each case wait up to S seconds for other processes to leave the
#                  CPUs (default 60, --quick 15; 0: never wait)
#   --profile      also run vseal and testpmd io under callgrind on the quick cases (or the
#                  --cases ones): instructions per frame by function (profile-*.txt)
#   --ovs          also run OVS-DPDK 3.1 (Debian's openvswitch-switch-dpdk, installed if
#                  missing, no system service started) as a third DUT in the encap, decap,
#                  local and bidir cases with one worker: a private ovsdb and ovs-vswitchd
#                  per run (test/perf/ovs_dut.py), first a sanity check of its frames
#                  (ovs-check.txt); extra columns in results.csv, a table in results.md
#
# Run as root: hugepages, /var/run/dpdk, and apt-get for what is missing (dpdk,
# valgrind, python3-matplotlib). Exit status: 0, or 1 if a step failed or a case could not
# run. Every DPDK process gets a file prefix starting with "perf" and is stopped by its PID.

set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command_line="$0 $*"
builddir=${VSEAL_PERF_BUILDDIR:-build-perf}
out=
quick=
cases=
cpus=0,1
wait_idle=
micro=1
callgrind=1
matrix=1
profile=0
ovs=0

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--builddir) builddir=${2:?--builddir needs a directory}; shift ;;
	--cases) cases=${2:?--cases needs a regular expression}; shift ;;
	--cpus) cpus=${2:?--cpus needs two CPU numbers, e.g. 0,1}; shift ;;
	--wait-idle) wait_idle=${2:?--wait-idle needs seconds}; shift ;;
	--no-micro) micro=0 ;;
	--no-callgrind) callgrind=0 ;;
	--no-matrix) matrix=0 ;;
	--profile) profile=1 ;;
	--ovs) ovs=1 ;;
	-h|--help) sed -n '4,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "bench.sh: run as root (sudo $0): hugepages, /var/run/dpdk, apt-get" >&2
	exit 1
fi

# What the lab needs beyond the build: testpmd (generator and baseline), valgrind, and
# matplotlib for Debian's python3 (scripts run under /usr/bin/python3: another python3 may
# come first on PATH and lack it).
missing=()
for p in dpdk valgrind python3-matplotlib meson ninja-build gcc pkg-config libdpdk-dev \
		libbsd-dev; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --ovs: Debian's OVS-DPDK (3.1, built against DPDK 22.11), only when asked for. The
# package would start the system's Open vSwitch service: a policy-rc.d that refuses every
# start is in place while it installs (if the machine has none of its own), and an OVS the
# install started anyway is stopped by its PID file. The lab runs its own, privately.
ovs_pids() {
	local f
	for f in /run/openvswitch/ovsdb-server.pid /run/openvswitch/ovs-vswitchd.pid; do
		[ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
	done
	return 0
}
if [ "$ovs" = 1 ] && ! dpkg-query -W -f='${Status}' openvswitch-switch-dpdk 2>/dev/null |
		grep -q 'install ok installed'; then
	echo "bench: installing openvswitch-switch-dpdk (for --ovs)"
	before=$(ovs_pids)
	policy=/usr/sbin/policy-rc.d
	own_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# devtools/bench.sh --ovs: no service starts while it installs\nexit 101\n' \
			> "$policy"
		chmod 755 "$policy"
		own_policy=1
		trap 'rm -f "$policy"' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	installed=1
	{ apt-get update -q && apt-get install -y -q --no-install-recommends openvswitch-switch-dpdk; } ||
		installed=0
	if [ "$own_policy" = 1 ]; then
		rm -f "$policy"
		trap - EXIT
	fi
	for pid in $(ovs_pids); do
		if ! grep -qw "$pid" <<< "$before"; then
			echo "bench: the package started an Open vSwitch daemon (PID $pid): stopping it"
			kill "$pid" || true
		fi
	done
	if [ "$installed" = 0 ]; then
		echo "bench: cannot install openvswitch-switch-dpdk (--ovs)" >&2
		exit 1
	fi
fi

# shellcheck source=../test/integration/lib.sh
. "$src/test/integration/lib.sh"
vs_hugepages 1024

cd "$src"
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup --buildtype=release -Db_lto=true "$builddir"
fi
buildinfo="$builddir: $(meson introspect --buildoptions "$builddir" |
	/usr/bin/python3 -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print("buildtype %s, -O%s, lto %s" % (o["buildtype"], o["optimization"], o["b_lto"]))')"
echo "bench: build $buildinfo"
ninja -C "$builddir" app/vseal app/vseal-ctl test/perf/vs-perf
vs_perf=$src/$builddir/test/perf/vs-perf

out=${out:-results/perf-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
status=0
{
	echo "date: $(date -Is)"
	echo "host: $(uname -n), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	echo "loadavg at start: $(cat /proc/loadavg)"
	echo "command: $command_line"
	echo "vseal: $(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "build: $buildinfo"
} > "$out/bench.txt"
echo "bench: results in $out; loadavg $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

if [ "$micro" = 1 ]; then
	echo "bench: microbenchmark (vs-perf)"
	prefix=perf-micro-$$
	# One lcore on the second CPU; hugepages without files (--in-memory).
	if ! "$vs_perf" --no-pci --in-memory --no-telemetry --file-prefix="$prefix" \
			-l "${cpus#*,}" --log-level=lib.eal:error -- $quick \
			--csv "$out/micro.csv" --max encap=60 --max-growth lookup-hot=25 | tee "$out/micro.txt"; then
		echo "bench: vs-perf failed or missed its gate (see $out/micro.txt)" >&2
		status=1
	fi
	rm -rf "/var/run/dpdk/$prefix"
fi

if [ "$callgrind" = 1 ]; then
	echo "bench: instructions per packet (valgrind --tool=callgrind)"
	if ! "$src/test/perf/callgrind.sh" "$vs_perf" "$out/callgrind" $quick; then
		status=1
	fi
	[ -f "$out/callgrind/callgrind.csv" ] && cp "$out/callgrind/callgrind.csv" "$out/"
fi

if [ "$matrix" = 1 ]; then
	args=(--vseal "$src/$builddir/app/vseal" --vseal-ctl "$src/$builddir/app/vseal-ctl"
		--out "$out" --cpus "$cpus")
	if [ "$ovs" = 1 ]; then
		echo "bench: benchmark matrix (vseal against testpmd io and OVS-DPDK)"
		args+=(--ovs --ovs-check)
	else
		echo "bench: benchmark matrix (vseal against testpmd io)"
	fi
	[ -n "$quick" ] && args+=(--quick)
	[ -n "$cases" ] && args+=(--cases "$cases")
	[ -n "$wait_idle" ] && args+=(--wait-idle "$wait_idle")
	if ! /usr/bin/python3 "$src/test/perf/run_matrix.py" "${args[@]}"; then
		status=1
	fi
fi

if [ "$profile" = 1 ]; then
	echo "bench: vseal and testpmd io under callgrind (instructions per frame)"
	args=(--vseal "$src/$builddir/app/vseal" --vseal-ctl "$src/$builddir/app/vseal-ctl"
		--out "$out" --cpus "$cpus" --profile 10)
	if [ -n "$cases" ]; then
		args+=(--cases "$cases")
	else
		args+=(--quick)
	fi
	/usr/bin/python3 "$src/test/perf/run_matrix.py" "${args[@]}" | tee "$out/profile.txt" ||
		status=1
fi

/usr/bin/python3 "$src/test/perf/plot.py" "$out" || status=1
echo "loadavg at end: $(cat /proc/loadavg)" >> "$out/bench.txt"
[ -f "$out/results.md" ] && cat "$out/results.md"
echo "bench: done (status $status); results in $out"
exit $status
