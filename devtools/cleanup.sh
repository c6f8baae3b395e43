#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Remove what integration test runs that were killed (SIGKILL, a lost terminal) left behind.
# Everything a one-host run (lib.sh) creates is named vs-<test>-<pid>-...: a name whose <pid>
# is no longer a running process is a leftover. A multi-host run (lib_overlay.sh) names
# everything after its short id and records its PID in /tmp/vseal-<id>.*/pid. Live runs and the lab (vs-lab-*, see lab.sh --stop) are not
# touched, and no process is killed: processes of dead runs are only listed.
#
#   sudo ./devtools/cleanup.sh [-n]     (-n: only show what would be removed)

set -uo pipefail

dry=0
[ "${1:-}" = -n ] && dry=1
[ "$(id -u)" = 0 ] || { echo "cleanup.sh: run as root" >&2; exit 1; }

run() {
	echo "  $*"
	[ "$dry" = 1 ] || "$@"
}

# The run's PID in NAME (vs-<test>-<pid>-... or vs-<test>-<pid>.XXXXXX), or nothing.
run_pid() {
	sed -n 's/^vs-.*-\([0-9][0-9]*\)\([-.].*\)\{0,1\}$/\1/p' <<<"$1"
}

dead() { # NAME
	local pid
	pid=$(run_pid "$1")
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
}

echo "network namespaces:"
for ns in $(ip netns list | awk '{ print $1 }' | grep '^vs-' || true); do
	dead "$ns" && run ip netns del "$ns"
done
echo "DPDK runtime directories and hugepage files:"
for d in /var/run/dpdk/vs-*; do
	[ -e "$d" ] || continue
	p=$(basename "$d")
	dead "$p" && run rm -rf "$d"
done
for f in /dev/hugepages/vs-*; do
	[ -e "$f" ] || continue
	p=$(basename "$f" | sed 's/map\(data\)\{0,1\}_[0-9]*$//')
	dead "$p" && run rm -f "$f"
done
echo "temporary directories:"
for d in /tmp/vs-*.*; do
	[ -d "$d" ] || continue
	dead "$(basename "$d")" && run rm -rf "$d"
done
echo "multi-host runs (lib_overlay.sh: everything named after the run's id):"
for d in /tmp/vseal-ov*.*; do
	[ -f "$d/pid" ] || continue
	kill -0 "$(cat "$d/pid")" 2>/dev/null && continue
	id=$(basename "$d" | sed 's/^vseal-//; s/\..*$//')
	# The id is short (interface names): another live run may have the same one.
	live=0
	for o in /tmp/vseal-"$id".*; do
		[ "$o" != "$d" ] && [ -f "$o/pid" ] && kill -0 "$(cat "$o/pid")" 2>/dev/null && live=1
	done
	if [ "$live" = 1 ]; then
		echo "  $d: a live run has the same id $id; left alone"
		continue
	fi
	for ns in $(ip netns list | awk '{ print $1 }' | grep "^$id" || true); do
		run ip netns del "$ns"
	done
	for l in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
			grep "^$id" || true); do
		# Deleting one end of a veth took the other with it.
		ip link show "$l" >/dev/null 2>&1 && run ip link del "$l"
	done
	for f in /var/run/dpdk/"$id"* /dev/hugepages/"$id"*; do
		[ -e "$f" ] && run rm -rf "$f"
	done
	run rm -rf "$d"
done
echo "processes of dead runs (not killed; end them by PID if they are yours):"
ps -eo pid=,args= | awk '/--file-prefix=vs-[^ ]*-[0-9]+-/ && !/awk/' | while read -r pid args; do
	p=$(sed -n 's/.*--file-prefix=\(vs-[^ ]*\).*/\1/p' <<<"$args")
	dead "$p" && echo "  $pid $args"
done
exit 0
