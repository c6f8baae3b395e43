# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034  # VS_* results are read by the tests
#
# Shared helpers for vseal's integration tests (and devtools/lab.sh). Source it, then:
#
#   VS_TEST=local_switching            # optional: defaults to the script's name
#   . "$VSEAL_SRC/test/integration/lib.sh"
#   vs_init                            # root check, temp dir, EXIT trap, hugepages
#   vs_guest_add vm1 100 02:00:00:00:01:01 10.99.0.1/24      # one namespace per guest
#   vs_gemu_start emu vm1 vm2          # one dpdk-testpmd serving both guests
#   vs_vseal_config "$VS_TMP/vseal.ini"; vs_vseal_start sw "$VS_TMP/vseal.ini"
#   vs_gemu_wait emu                   # taps into their namespaces, addresses up
#   vs_assert_ping vm1 10.99.0.2 5
#
# A guest is a Linux network namespace whose only interface, eth0, is the kernel side of a
# DPDK net_tap port; a dpdk-testpmd process (the "guest emulator") forwards io-style between
# that tap and a net_virtio_user port on the guest's vhost-user socket, so the namespace's
# TCP/IP stack plays the guest OS. One emulator process may serve several guests.
#
# Everything a run creates carries its prefix VS_PREFIX = vs-<test>-<pid>: namespaces
# (vs-<test>-<pid>-<guest>), DPDK --file-prefix (vs-<test>-<pid>-<process>), the temp dir
# (/tmp/vs-<test>-<pid>.XXXXXX). The EXIT trap stops only the processes this run started (by
# PID), deletes only its namespaces and its DPDK files, and on failure prints every log.
# devtools/cleanup.sh removes what a run killed with SIGKILL left behind.
#
# Environment: VSEAL_BUILD (build dir, default $VSEAL_SRC/build), VSEAL_SRC (source dir,
# default two levels up from this file), VS_KEEP_TMP=1 keeps the temp dir and logs.

# ---------------------------------------------------------------------------------------------
# Globals
# ---------------------------------------------------------------------------------------------

VSEAL_SRC=${VSEAL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VSEAL_BUILD=${VSEAL_BUILD:-$VSEAL_SRC/build}
VS_VSEAL=${VS_VSEAL:-$VSEAL_BUILD/app/vseal}
VS_TESTPMD=${VS_TESTPMD:-dpdk-testpmd}

VS_TMP=
VS_DONE=0
declare -A VS_PIDS=()          # pid -> what it is (only processes this run started)
declare -A VS_PID_SIG=()       # pid -> signal that stops it, when not SIGTERM
declare -a VS_PID_ORDER=()     # start order, stopped in reverse
declare -a VS_NETNS=()         # namespaces this run created
declare -a VS_DPDK_PREFIXES=() # --file-prefix values this run used
declare -a VS_LOGS=()          # log files printed on failure
declare -a VS_RMDIRS=()        # directories of the caller's, removed at exit if empty

declare -a VS_GUESTS=()        # guest names in the order they were added
declare -A VS_G_VNI=() VS_G_MAC=() VS_G_IP=() VS_G_NS=() VS_G_TAP=() VS_G_SOCK=() VS_G_MODE=()

declare -A VS_EMU_PID=() VS_EMU_LOG=() VS_EMU_GUESTS=() VS_EMU_RUNS=() VS_EMU_T0=()
declare -A VS_VSEAL_PID=() VS_VSEAL_OUT=() VS_VSEAL_ERR=() VS_VSEAL_NPORTS=()
declare -A VS_CNT=()           # counters from the last vs_vseal_counters: "PORT KEY" -> N
VS_CNT_TEXT=                   # the lines of that dump
declare -A VS_CAP_PID=()       # capture label -> tcpdump PID
VS_BG_PID=                     # PID of the last vs_bg
VS_KILL_RC=                    # exit status of the last vs_kill_pid

# ---------------------------------------------------------------------------------------------
# Messages and assertions
# ---------------------------------------------------------------------------------------------

# Time as seconds.microseconds (bash's EPOCHREALTIME: no fork).
vs_now() {
	echo "$EPOCHREALTIME"
}

# Seconds elapsed since $1 (a vs_now value), to 0.1 s.
vs_since() {
	local d=$(( ${EPOCHREALTIME/./} - ${1/./} ))
	printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000))
}

vs_log() {
	printf '[%6s] %s\n' "$(vs_since "$VS_T0")" "$*"
}

vs_step() {
	printf '\n[%6s] === %s\n' "$(vs_since "$VS_T0")" "$*"
}

vs_ok() {
	printf '[%6s] ok: %s\n' "$(vs_since "$VS_T0")" "$*"
}

# Fail the test: one clear line, then (from the EXIT trap) every log of the run.
vs_fail() {
	printf '\n[%6s] FAIL: %s\n' "$(vs_since "${VS_T0:-$(vs_now)}")" "$*" >&2
	exit 1
}

vs_assert_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || vs_fail "$3: got '$1', expected '$2'"
	vs_ok "$3: $1"
}

vs_assert_ge() { # ACTUAL MIN WHAT  (integers)
	[ "$1" -ge "$2" ] || vs_fail "$3: got $1, expected at least $2"
	vs_ok "$3: $1 (>= $2)"
}

vs_assert_le() { # ACTUAL MAX WHAT  (integers)
	[ "$1" -le "$2" ] || vs_fail "$3: got $1, expected at most $2"
	vs_ok "$3: $1 (<= $2)"
}

# Unexpected failure of a plain command (set -e): say which one and where.
vs_on_err() {
	local rc=$1 line=$2 cmd=$3
	vs_fail "command failed (status $rc) at $(basename "${BASH_SOURCE[1]:-?}"):$line: $cmd"
}

vs_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			vs_fail "'$c' not found: run devtools/setup.sh (installs the test tools)"
	done
}

# ---------------------------------------------------------------------------------------------
# Setup and teardown
# ---------------------------------------------------------------------------------------------

# Reserve 2 MB hugepages (at least $1, default 1024) and mount hugetlbfs. Idempotent: never
# lowers a larger reservation, never remounts.
vs_hugepages() {
	local want=${1:-1024} have free
	have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$have" -lt "$want" ]; then
		sysctl -qw vm.nr_hugepages="$want" ||
			{ echo "cannot reserve $want hugepages" >&2; return 1; }
		have=$(cat /proc/sys/vm/nr_hugepages)
	fi
	mkdir -p /dev/hugepages
	if ! mountpoint -q /dev/hugepages; then
		mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages ||
			{ echo "cannot mount hugetlbfs on /dev/hugepages" >&2; return 1; }
	fi
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "$have" -lt "$want" ]; then
		echo "warning: only $have of $want hugepages could be reserved" >&2
	fi
	if [ "$free" -lt 384 ]; then
		echo "warning: only $free hugepages free (others use them: ls /dev/hugepages)" >&2
	fi
	return 0
}

# Start a test: root check, tools, temp dir, traps, hugepages. Sets VS_PREFIX, VS_TMP.
vs_init() {
	VS_T0=$(vs_now)
	VS_TEST=${VS_TEST:-$(basename "$0" .sh)}
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $VS_TEST needs root (network namespaces, hugepages)" >&2
		exit 77
	fi
	VS_RUN=${VS_RUN:-$$}
	VS_PREFIX=${VS_PREFIX:-vs-$VS_TEST-$VS_RUN}
	# Tap names live in the host namespace until moved: short (IFNAMSIZ) and unique per run.
	VS_IFTAG=${VS_IFTAG:-vs$VS_RUN}
	set -eE -o pipefail
	trap 'vs_on_err $? $LINENO "$BASH_COMMAND"' ERR
	trap vs_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	VS_TMP=$(mktemp -d "/tmp/$VS_PREFIX.XXXXXX")
	vs_need_cmd ip "$VS_TESTPMD" sysctl mountpoint awk timeout
	[ -x "$VS_VSEAL" ] || vs_fail "no vseal binary at $VS_VSEAL (build it: ninja -C $VSEAL_BUILD)"
	vs_hugepages 1024 || vs_fail "hugepages could not be set up"
	vs_log "$VS_TEST: prefix $VS_PREFIX, logs in $VS_TMP"
}

# Stop every process this run started (reverse order): SIGTERM (guest emulators: SIGKILL),
# then SIGKILL after 3 s.
vs_stop_all() {
	local i pid
	for ((i = ${#VS_PID_ORDER[@]} - 1; i >= 0; i--)); do
		pid=${VS_PID_ORDER[i]}
		[ -n "${VS_PIDS[$pid]:-}" ] || continue
		vs_kill_pid "$pid" "${VS_PID_SIG[$pid]:-TERM}" 3 || true
	done
}

# Print every log of the run (escape sequences stripped, vhost chatter filtered).
vs_dump_logs() {
	local f
	for f in "${VS_LOGS[@]}"; do
		[ -e "$f" ] || continue
		echo "----- $(basename "$f") ($f) -----"
		# Without escape sequences, vhost-user chatter and testpmd's shutdown noise.
		sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$f" |
			grep -v -e '^VHOST_CONFIG: .*read message' -e '^VHOST_CONFIG: .*vring' \
				-e '^      *\(R\|T\)X ' -e '^ *$' -e 'update_link_state()' \
				-e 'server_disconnect(): .* Expected valid Vhost FD' \
				-e '^vhost_user_\(write\|set_vring\|get_vring_base\)()' \
				-e '^virtio_user_stop_device()' -e '^Stopping port' -e '^Done$' \
				-e '^Shutting down port' -e '^Closing ports' -e '^Port [0-9]* is closed' \
				-e '^VHOST_CONFIG: ([^)]*) *'"$(printf '\t')" -e 'new device status' \
				-e 'Throughput (since' -e '^ *[RT]x-pps' -e '^ *RX-\(errors\|nombuf\)' \
				-e '^ *#*$' -e '^ *\(RX\|TX\) queue: ' -e 'offloads=0x0' |
			tail -n 120 || true
	done
	echo "----- end of logs -----"
}

vs_cleanup() {
	local rc=$? ns p
	set +eE
	trap - ERR
	[ "$VS_DONE" = 1 ] && return
	VS_DONE=1
	vs_stop_all
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		vs_dump_logs >&2
	fi
	for ns in "${VS_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for p in "${VS_DPDK_PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
		rm -f /dev/hugepages/"$p"map_* /dev/hugepages/"$p"mapdata_* 2>/dev/null
	done
	# Sockets a killed emulator (server=1) or vseal left, wherever the guests had them.
	for p in "${VS_G_SOCK[@]}"; do
		[ -S "$p" ] && rm -f "$p"
	done
	for p in "${VS_RMDIRS[@]}"; do
		rmdir "$p" 2>/dev/null
	done
	if [ -n "$VS_TMP" ] && [ -d "$VS_TMP" ]; then
		if [ "${VS_KEEP_TMP:-0}" = 1 ]; then
			echo "kept $VS_TMP" >&2
		else
			rm -rf "$VS_TMP"
		fi
	fi
	if [ "$rc" -eq 0 ]; then
		printf '\n[%6s] PASS: %s\n' "$(vs_since "$VS_T0")" "$VS_TEST"
	elif [ "$rc" -ne 77 ]; then
		printf '\n[%6s] FAILED: %s (status %s)\n' "$(vs_since "$VS_T0")" "$VS_TEST" "$rc" >&2
	fi
	exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

# Remember PID (started by this run) as WHAT, so that cleanup stops it.
vs_track() { # PID WHAT
	VS_PIDS[$1]=$2
	VS_PID_ORDER+=("$1")
}

vs_alive() { # PID
	kill -0 "$1" 2>/dev/null
}

# Send SIG to a PID of this run, wait up to WAIT seconds, then SIGKILL. Its exit status (as
# wait reports it) goes to VS_KILL_RC. Not in a subshell: it must wait for its own child.
vs_kill_pid() { # PID [SIG=TERM] [WAIT=5]
	local pid=$1 sig=${2:-TERM} wait=${3:-5} i rc=0 late=0
	[ -n "${VS_PIDS[$pid]:-}" ] || vs_fail "internal: PID $pid was not started by this test"
	# stderr off: bash would report "PID Killed ..." for each job ended by a signal.
	{
		kill -"$sig" "$pid" || true
		for ((i = 0; i < wait * 10; i++)); do
			vs_alive "$pid" || break
			sleep 0.1
		done
		if vs_alive "$pid"; then
			late=1
			kill -KILL "$pid" || true
			for ((i = 0; i < 100; i++)); do
				vs_alive "$pid" || break
				sleep 0.1
			done
		fi
		# A process stuck in the kernel (e.g. a tap's unregistration waiting for the
		# rtnl lock) is left to finish on its own rather than waited for forever.
		if vs_alive "$pid"; then
			late=2
			rc=255
		else
			wait "$pid" || rc=$?
		fi
	} 2>/dev/null
	case $late in
	1) echo "warning: ${VS_PIDS[$pid]} (pid $pid) ignored SIG$sig for ${wait}s: killed" >&2 ;;
	2) echo "warning: ${VS_PIDS[$pid]} (pid $pid) still exiting 10 s after SIGKILL" >&2 ;;
	esac
	unset "VS_PIDS[$pid]"
	VS_KILL_RC=$rc
}

# Run a command in the background with its output in $VS_TMP/LABEL.log; PID in VS_BG_PID.
vs_bg() { # LABEL CMD...
	local label=$1 log=$VS_TMP/$1.log
	shift
	"$@" </dev/null >"$log" 2>&1 &
	VS_BG_PID=$!
	vs_track "$VS_BG_PID" "$label"
	VS_LOGS+=("$log")
}

# Wait until FILE holds a line matching the ERE, or fail after TIMEOUT s; if PID is given and
# that process ends first, fail at once.
vs_wait_log() { # FILE ERE TIMEOUT WHAT [PID]
	local file=$1 re=$2 timeout=$3 what=$4 pid=${5:-} end
	end=$(( ${EPOCHREALTIME/./} + timeout * 1000000 ))
	while ! grep -qE -- "$re" "$file" 2>/dev/null; do
		if [ -n "$pid" ] && ! vs_alive "$pid"; then
			vs_fail "$what: process $pid exited before printing /$re/ (log: $file)"
		fi
		if (( ${EPOCHREALTIME/./} > end )); then
			vs_fail "$what: no /$re/ in $file after ${timeout}s"
		fi
		sleep 0.05
	done
}

# ---------------------------------------------------------------------------------------------
# Namespaces and guests
# ---------------------------------------------------------------------------------------------

# Create namespace $VS_PREFIX-NAME (IPv6 off, lo up); its name goes to VS_NS.
vs_netns_add() { # NAME
	local ns=$VS_PREFIX-$1
	VS_NS=$ns
	ip netns add "$ns" || vs_fail "cannot create network namespace $ns"
	VS_NETNS+=("$ns")
	# IPv6 off (also for interfaces moved in later): only the frames a test sends cross.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$ns" link set lo up
}

# Declare guest NAME: its VNI, MAC (the tap's, pinned), address (CIDR) and vhost-user mode
# as vseal sees it (client: vseal connects, the emulator owns the socket; server: vseal owns
# the socket). Creates the guest's namespace.
vs_guest_add() { # NAME VNI MAC IP/PREFIX [MODE=client]
	local name=$1 idx=${#VS_GUESTS[@]}
	VS_GUESTS+=("$name")
	VS_G_VNI[$name]=$2
	VS_G_MAC[$name]=$3
	VS_G_IP[$name]=$4
	VS_G_MODE[$name]=${5:-client}
	VS_G_SOCK[$name]=$VS_TMP/$name.sock
	VS_G_TAP[$name]=${VS_IFTAG}g$idx
	[ ${#VS_G_TAP[$name]} -le 15 ] || vs_fail "tap name ${VS_G_TAP[$name]} too long"
	vs_netns_add "$name"
	VS_G_NS[$name]=$VS_NS
}

vs_guest_set_mode() { # NAME client|server
	VS_G_MODE[$1]=$2
}

# The guest's address without its prefix length.
vs_ip() { # NAME
	echo "${VS_G_IP[$1]%/*}"
}

# Run a command inside the guest's namespace.
vs_in() { # NAME CMD...
	local ns=${VS_G_NS[$1]}
	shift
	ip netns exec "$ns" "$@"
}

# ---------------------------------------------------------------------------------------------
# Guest emulator: one dpdk-testpmd, pairs net_virtio_user<i> <-> net_tap<i>, io forwarding
# ---------------------------------------------------------------------------------------------

# Start emulator EMU for the given guests (in the background; it does not wait). For a
# client-mode guest the emulator owns the socket (server=1) and testpmd blocks in its probe
# until vseal connects: start vseal after, or before, at will. For a server-mode guest vseal
# must be running already (the socket must exist). Then call vs_gemu_wait.
#
# Lcores: 0@1 (main, idle) and 1@0 (forwarding, busy): the busy poller is on CPU 0, vseal's
# worker (lcore 1 of "-l 0,1") on CPU 1.
vs_gemu_start() { # EMU GUEST...
	local emu=$1 prefix=$VS_PREFIX-$1 g i=0 n log portlist="" pid ports=""
	local -a vdev_v=() vdev_t=()
	shift
	n=$#
	[ "$n" -ge 1 ] || vs_fail "internal: vs_gemu_start $emu without guests"
	[ -z "${VS_EMU_PID[$emu]:-}" ] || vs_fail "internal: emulator $emu already running"
	for g in "$@"; do
		[ -n "${VS_G_VNI[$g]:-}" ] || vs_fail "internal: unknown guest $g"
		if [ "${VS_G_MODE[$g]}" = client ]; then
			rm -f "${VS_G_SOCK[$g]}"
			vdev_v+=("--vdev=net_virtio_user$i,path=${VS_G_SOCK[$g]},queues=1,server=1")
		else
			[ -S "${VS_G_SOCK[$g]}" ] ||
				vs_fail "emulator $emu: vseal's socket ${VS_G_SOCK[$g]} for $g does not exist"
			vdev_v+=("--vdev=net_virtio_user$i,path=${VS_G_SOCK[$g]},queues=1")
		fi
		# Taps after all virtio_user ports: a tap's SIGIO would interrupt the accept() of a
		# server=1 virtio_user probed after it.
		vdev_t+=("--vdev=net_tap$i,iface=${VS_G_TAP[$g]},mac=${VS_G_MAC[$g]}")
		portlist+="${portlist:+,}$i,$((n + i))"
		ports+="# port $i: $g's virtio-user (${VS_G_SOCK[$g]}), port $((n + i)): its tap"
		ports+=" ${VS_G_TAP[$g]} ${VS_G_MAC[$g]}"$'\n'
		i=$((i + 1))
	done
	VS_EMU_RUNS[$emu]=$(( ${VS_EMU_RUNS[$emu]:-0} + 1 ))
	log=$VS_TMP/emu-$emu.${VS_EMU_RUNS[$emu]}.log
	VS_LOGS+=("$log")
	printf '%s' "$ports" >"$log"
	[[ " ${VS_DPDK_PREFIXES[*]} " == *" $prefix "* ]] || VS_DPDK_PREFIXES+=("$prefix")
	# --stats-period keeps testpmd's main thread in a sleep loop instead of a read() of stdin
	# that ends on EOF or on a signal (net_tap's SIGIO); its port statistics every 10 s show
	# in the log what the emulator forwarded.
	"$VS_TESTPMD" --lcores=0@1,1@0 --file-prefix="$prefix" --no-pci --in-memory \
		--socket-mem=256 --single-file-segments --log-level=pmd.net.tap:error \
		"${vdev_v[@]}" "${vdev_t[@]}" -- \
		--forward-mode=io --auto-start --stats-period=10 --portlist="$portlist" \
		--total-num-mbufs=16384 </dev/null >>"$log" 2>&1 &
	pid=$!
	vs_track "$pid" "guest emulator $emu"
	VS_PID_SIG[$pid]=KILL
	VS_EMU_PID[$emu]=$pid
	VS_EMU_LOG[$emu]=$log
	VS_EMU_GUESTS[$emu]="$*"
	VS_EMU_T0[$emu]=$(vs_now)
	vs_log "guest emulator $emu (pid $pid) started for: $*"
}

# Wait until emulator EMU forwards (every virtio_user port connected and started), then move
# each guest's tap into the guest's namespace as eth0, with its address, up.
vs_gemu_wait() { # EMU [TIMEOUT=30]
	local emu=$1 timeout=${2:-30} g ns tap
	local pid=${VS_EMU_PID[$emu]:-}
	[ -n "$pid" ] || vs_fail "internal: emulator $emu not started"
	vs_wait_log "${VS_EMU_LOG[$emu]}" '^Logical Core [0-9]+ .*forwards packets' "$timeout" \
		"guest emulator $emu: waiting for its vhost-user connections and ports" "$pid"
	for g in ${VS_EMU_GUESTS[$emu]}; do
		ns=${VS_G_NS[$g]}
		tap=${VS_G_TAP[$g]}
		ip link show dev "$tap" >/dev/null 2>&1 ||
			vs_fail "guest emulator $emu: tap $tap of $g missing"
		vs_wait_no_eth0 "$g"
		# Moved and renamed at once; IPv6 stays off (the namespace's default).
		ip link set dev "$tap" netns "$ns" name eth0
		printf 'addr add %s dev eth0\nlink set dev eth0 up\n' "${VS_G_IP[$g]}" |
			ip -n "$ns" -batch -
	done
	vs_log "guest emulator $emu up after $(vs_since "${VS_EMU_T0[$emu]}")s: ${VS_EMU_GUESTS[$emu]}"
}

# Wait until guest NAME's eth0 (the tap of an emulator that ended) has left its namespace:
# the kernel unregisters it some time after the process is gone.
vs_wait_no_eth0() { # NAME
	local i
	for ((i = 0; i < 150; i++)); do
		ip -n "${VS_G_NS[$1]}" link show dev eth0 >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	vs_fail "guest $1: the old eth0 is still in ${VS_G_NS[$1]} 15 s after its emulator ended"
}

# Stop emulator EMU with SIG (default KILL, as a crashed or powered-off VM) and wait until it
# is gone and, unless the third argument is "nowait", until its guests' eth0 have left
# their namespaces (vs_gemu_wait checks that too). (testpmd 22.11 does
# its whole shutdown inside its SIGTERM handler, in whichever thread the signal lands: now
# and then it never ends. Its forwarding statistics are lost with SIGKILL.)
vs_gemu_kill() { # EMU [SIG=KILL] [nowait]
	local emu=$1 sig=${2:-KILL} pid=${VS_EMU_PID[$1]:-} g
	[ -n "$pid" ] || vs_fail "internal: emulator $emu not running"
	vs_alive "$pid" || vs_fail "guest emulator $emu (pid $pid) died by itself"
	vs_kill_pid "$pid" "$sig" 10
	unset "VS_EMU_PID[$emu]"
	if [ "${3:-}" != nowait ]; then
		for g in ${VS_EMU_GUESTS[$emu]}; do
			vs_wait_no_eth0 "$g"
		done
	fi
	vs_log "guest emulator $emu (pid $pid) stopped with SIG$sig"
}

# ---------------------------------------------------------------------------------------------
# vseal
# ---------------------------------------------------------------------------------------------

# Write a vseal config for the guests (default: all) with a net_null uplink (no-rx: it would
# otherwise receive garbage at full speed) and one worker on lcore 1 polling every port;
# control on lcore 0.
vs_vseal_config() { # FILE [GUEST...]
	local file=$1 g ports="uplink"
	shift
	local -a guests=("$@")
	[ ${#guests[@]} -gt 0 ] || guests=("${VS_GUESTS[@]}")
	{
		echo "; generated by test/integration/lib.sh for $VS_TEST"
		echo "[host]"
		echo "vtep-ip = 192.0.2.1"
		echo "ctl-socket = ${file%.*}.ctl"
		echo
		echo "[uplink]"
		echo "device = net_null0,no-rx=1"
		for g in "${guests[@]}"; do
			echo
			echo "[guest.$g]"
			echo "socket = ${VS_G_SOCK[$g]}"
			echo "mode = ${VS_G_MODE[$g]}"
			echo "vni = ${VS_G_VNI[$g]}"
			echo "mac = ${VS_G_MAC[$g]}"
			echo "queues = 1"
			ports+=" $g"
		done
		echo
		echo "[lcores]"
		echo "control = 0"
		echo "worker.1 = $ports"
		echo "idle-sleep = 50"
	} >"$file"
}

# Start vseal NAME with CONFIG and wait for "vseal: running". Stdout (counters) goes to
# $VS_TMP/NAME.out, stderr to NAME.err. Removes stale sockets of server-mode guests first.
vs_vseal_start() { # NAME CONFIG [TIMEOUT=30]
	local name=$1 config=$2 timeout=${3:-30} prefix=$VS_PREFIX-$1 out err pid g
	out=$VS_TMP/$name.out
	err=$VS_TMP/$name.err
	[ -z "${VS_VSEAL_PID[$name]:-}" ] || vs_fail "internal: vseal $name already running"
	for g in $(sed -n 's/^\[guest\.\(.*\)\]$/\1/p' "$config"); do
		[ "${VS_G_MODE[$g]:-client}" = server ] && rm -f "${VS_G_SOCK[$g]}"
	done
	VS_LOGS+=("$config" "$out" "$err")
	[[ " ${VS_DPDK_PREFIXES[*]} " == *" $prefix "* ]] || VS_DPDK_PREFIXES+=("$prefix")
	: >"$out"
	"$VS_VSEAL" -l 0,1 --no-pci --file-prefix="$prefix" --huge-unlink -- -f "$config" \
		</dev/null >>"$out" 2>"$err" &
	pid=$!
	vs_track "$pid" "vseal $name"
	VS_VSEAL_PID[$name]=$pid
	VS_VSEAL_OUT[$name]=$out
	VS_VSEAL_ERR[$name]=$err
	VS_VSEAL_NPORTS[$name]=$(( $(grep -c '^\[guest\.' "$config" || true) + 1 ))
	vs_wait_log "$out" '^vseal: running' "$timeout" "vseal $name" "$pid"
	vs_log "vseal $name (pid $pid) running: $(grep -m1 '^vseal: running' "$out")"
}

# Ask vseal NAME for its counters (SIGUSR1) and load them into VS_CNT:
# VS_CNT["PORT rx-packets"], ["PORT tx-packets"], ["PORT drops"], ["PORT drop REASON"].
vs_vseal_counters() { # NAME
	local name=$1 pid=${VS_VSEAL_PID[$1]:-} out off size last=-1 i nports
	[ -n "$pid" ] || vs_fail "internal: vseal $name not running"
	vs_alive "$pid" || vs_fail "vseal $name (pid $pid) is not running any more"
	out=${VS_VSEAL_OUT[$name]}
	nports=${VS_VSEAL_NPORTS[$name]}
	off=$(stat -c %s "$out")
	kill -USR1 "$pid"
	# The dump is complete when it has one line per port and the file stops growing.
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		size=$(stat -c %s "$out")
		if [ "$(tail -c +$((off + 1)) "$out" | grep -c '^port ' || true)" -ge "$nports" ] &&
			[ "$size" = "$last" ]; then
			break
		fi
		last=$size
	done
	[ "$i" -lt 50 ] || vs_fail "vseal $name printed no counters 5 s after SIGUSR1"
	vs_parse_counters "$(tail -c +$((off + 1)) "$out")"
}

# Load counter lines ("port ..." and "drop ...") from TEXT into VS_CNT and VS_CNT_TEXT.
vs_parse_counters() { # TEXT
	local w1 w2 w3 w4 kv
	VS_CNT=()
	VS_CNT_TEXT=$(grep -E '^(port|drop|mbufs) ' <<<"$1" || true)
	while read -r w1 w2 w3 w4; do
		case $w1 in
		port)
			for kv in $w3 $w4; do
				VS_CNT["$w2 ${kv%%=*}"]=${kv#*=}
			done
			;;
		drop)
			VS_CNT["$w2 drop $w3"]=$w4
			;;
		esac
	done <<<"$VS_CNT_TEXT"
}

# A counter from the last vs_vseal_counters (0 when vseal printed no such line).
vs_cnt() { # PORT KEY...   e.g. vs_cnt vm1 rx-packets; vs_cnt vm1 drop spoofed-src-mac
	local port=$1
	shift
	echo "${VS_CNT["$port $*"]:-0}"
}

# Print the last counter dump (indented), for the test's output.
vs_show_counters() {
	sed 's/^/    /' <<<"$VS_CNT_TEXT"
}

# Stop vseal NAME with SIGTERM; fail unless it exits with status 0 within 15 s. The counters
# it prints at exit are loaded into VS_CNT.
vs_vseal_stop() { # NAME
	local name=$1 pid=${VS_VSEAL_PID[$1]:-} off
	[ -n "$pid" ] || vs_fail "internal: vseal $name not running"
	vs_alive "$pid" || vs_fail "vseal $name (pid $pid) died before it was stopped"
	off=$(stat -c %s "${VS_VSEAL_OUT[$name]}")
	vs_kill_pid "$pid" TERM 15
	unset "VS_VSEAL_PID[$name]"
	[ "$VS_KILL_RC" = 0 ] ||
		vs_fail "vseal $name exited with status $VS_KILL_RC after SIGTERM, expected 0"
	vs_parse_counters "$(tail -c +$((off + 1)) "${VS_VSEAL_OUT[$name]}")"
	vs_log "vseal $name stopped cleanly (exit 0)"
}

# ---------------------------------------------------------------------------------------------
# Traffic
# ---------------------------------------------------------------------------------------------

# Ping from guest SRC to DST COUNT times, 0.2 s apart; a reply counts if it comes within 2 s
# (a machine shared with other work can delay one that much). Sets VS_PING_RX (replies) and
# VS_PING_SUMMARY; never fails by itself.
vs_ping() { # SRC DST COUNT
	local out
	out=$(vs_in "$1" ping -n -c "$3" -i 0.2 -W 2 "$2" 2>&1) || true
	VS_PING_SUMMARY=$(grep -E 'packets transmitted' <<<"$out" || echo "ping: $out")
	VS_PING_RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$VS_PING_SUMMARY")
	VS_PING_RX=${VS_PING_RX:-0}
}

# Every one of COUNT pings from SRC to DST must be answered.
vs_assert_ping() { # SRC DST [COUNT=5]
	local n=${3:-5}
	vs_ping "$1" "$2" "$n"
	[ "$VS_PING_RX" -eq "$n" ] ||
		vs_fail "ping $1 -> $2: $VS_PING_RX of $n answered ($VS_PING_SUMMARY)"
	vs_ok "ping $1 -> $2: $VS_PING_SUMMARY"
}

# None of COUNT pings from SRC to DST may be answered.
vs_assert_no_ping() { # SRC DST [COUNT=3]
	local n=${3:-3}
	vs_ping "$1" "$2" "$n"
	[ "$VS_PING_RX" -eq 0 ] ||
		vs_fail "ping $1 -> $2: $VS_PING_RX of $n answered, expected none ($VS_PING_SUMMARY)"
	vs_ok "ping $1 -> $2 gets no answer: $VS_PING_SUMMARY"
}

# Ping once at a time until an answer comes, at most TIMEOUT s; the seconds it took go to
# VS_WAIT_S.
vs_wait_ping() { # SRC DST [TIMEOUT=10]
	local t0=$EPOCHREALTIME timeout=${3:-10}
	until vs_in "$1" ping -n -c 1 -W 1 "$2" >/dev/null 2>&1; do
		if (( ${EPOCHREALTIME/./} - ${t0/./} > timeout * 1000000 )); then
			vs_fail "ping $1 -> $2: no answer within ${timeout}s"
		fi
		sleep 0.1
	done
	VS_WAIT_S=$(vs_since "$t0")
}

# Capture everything on guest NAME's eth0 into $VS_TMP/LABEL.pcap (in the background), for
# each NAME LABEL pair; returns once every tcpdump is listening.
vs_capture_start() { # NAME LABEL [NAME LABEL]...
	local -a args=("$@")
	local i
	for ((i = 0; i < ${#args[@]}; i += 2)); do
		vs_bg "tcpdump-${args[i + 1]}" ip netns exec "${VS_G_NS[${args[i]}]}" \
			tcpdump -i eth0 -nn -U -w "$VS_TMP/${args[i + 1]}.pcap"
		VS_CAP_PID[${args[i + 1]}]=$VS_BG_PID
	done
	for ((i = 0; i < ${#args[@]}; i += 2)); do
		vs_wait_log "$VS_TMP/tcpdump-${args[i + 1]}.log" 'listening on' 10 \
			"tcpdump in ${args[i]}" "${VS_CAP_PID[${args[i + 1]}]}"
	done
}

# Stop the captures LABEL...
vs_capture_stop() { # LABEL...
	local label
	sleep 0.3 # let the last frames in
	for label in "$@"; do
		kill -INT "${VS_CAP_PID[$label]}" 2>/dev/null || true
	done
	for label in "$@"; do
		vs_kill_pid "${VS_CAP_PID[$label]}" INT 5
	done
}

# Number of frames in capture LABEL matching a pcap FILTER.
vs_capture_count() { # LABEL FILTER...
	local label=$1
	shift
	tcpdump -nn -r "$VS_TMP/$label.pcap" "$@" 2>/dev/null | wc -l
}

# Show frames of capture LABEL matching FILTER (at most 10), indented.
vs_capture_show() { # LABEL FILTER...
	local label=$1
	shift
	tcpdump -nn -e -r "$VS_TMP/$label.pcap" "$@" 2>/dev/null | head -n 10 | sed 's/^/    /'
}

# Wait until something listens on TCP PORT in guest NAME (at most TIMEOUT s; fail at once if
# PID ends).
vs_wait_listen() { # NAME PORT TIMEOUT PID
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ -n "$(vs_in "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ] && return 0
		vs_alive "$4" || vs_fail "server in $1 (pid $4) exited before listening on port $2"
		sleep 0.1
	done
	vs_fail "nothing listens on TCP port $2 in $1 after $3 s"
}

# TCP throughput with iperf3 from guest SRC to guest DST for SECONDS; Gbit/s received (as
# the server counted them) go to VS_IPERF_GBPS.
vs_iperf() { # SRC DST SECONDS
	local src=$1 dst=$2 secs=$3 ip json
	ip=$(vs_ip "$dst")
	json=$VS_TMP/iperf-$src-$dst.json
	vs_bg "iperf3-server-$dst" ip netns exec "${VS_G_NS[$dst]}" iperf3 -s -1 -B "$ip"
	local spid=$VS_BG_PID
	vs_wait_listen "$dst" 5201 10 "$spid"
	if ! vs_in "$src" timeout $((secs + 20)) iperf3 -c "$ip" -t "$secs" -J >"$json" 2>&1; then
		VS_LOGS+=("$json")
		vs_fail "iperf3 $src -> $dst failed: $(grep -m1 '"error"' "$json" || tail -n 3 "$json")"
	fi
	vs_kill_pid "$spid" TERM 3
	VS_IPERF_GBPS=$(awk '
		/"sum_received"/ { inrx = 1 }
		inrx && /"bits_per_second"/ {
			gsub(/[^0-9.e+]/, "", $2); printf "%.3f\n", $2 / 1e9; exit
		}' "$json")
	[ -n "$VS_IPERF_GBPS" ] || vs_fail "iperf3 $src -> $dst: no receiver rate in $json"
}
