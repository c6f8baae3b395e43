# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034  # QM_* results are read by the tests
#
# Real guests for vseal's integration tests: QEMU (TCG) running a Linux kernel with virtio-net
# over vhost-user, built from Debian packages by test/tools/guest/mkguest.sh (cached in
# /var/cache/vseal-guest). Source it after lib_overlay.sh (whose EXIT trap stops every PID in
# OV_PIDS and removes OV_TMP):
#
#   . lib_overlay.sh; . lib_qemu.sh
#   qm_init                                          # guest image, QEMU present
#   qm_start vm1 SOCK client 52:54:00:00:00:01 10.62.0.1/24      # vseal's mode for the guest
#   qm_wait_ready vm1
#   qm_cmd vm1 ping -c 3 10.62.0.2                   # a shell command inside the guest
#   qm_hmp vm1 info status                           # the HMP monitor
#   qm_start vm1@b SOCKB client MAC CIDR incoming=PORT label=vm1; qm_wait_incoming vm1@b
#   qm_migrate vm1 vm1@b PORT                        # QEMU's own migration over loopback
#   qm_quit vm1
#
# Per instance INST: console $OV_TMP/qm-INST-console.log (ttyS0), command socket qm-INST.cmd
# (ttyS1, served by the guest's /init), monitor qm-INST.mon, QEMU's stderr qm-INST.log.
# An instance is one QEMU process; a migrated guest lives in two instances, one after the
# other. QEMU is stopped by PID only (lib_overlay's cleanup, or qm_quit).
#
# Guest TCG needs about one CPU while busy: run at most two instances at once.
# vectors=0 (INTx) on virtio-net-pci: QEMU 7.2 under TCG crashes in vhost_net_start with MSI-X.
# Guest RAM is 128 MiB + 8 KiB, not 128 MiB: QEMU before 9.0 loses guest stores made through
# the TCG TLB during a migration when a RAM block's size is a multiple of 256 KiB (the
# 64-pages-at-a-time dirty bitmap sync does not re-arm TCG's dirty tracking; fixed upstream by
# "physmem: Fix migration dirty bitmap coherency with TCG memory access", QEMU 9.0). The
# guest then wakes up on the destination with stale memory: kernel BUG list_del corruption,
# NULL pointer dereference, soft lockup, one hop in four to ten here, with or without
# vhost-user. With an odd size QEMU 7.2 syncs page by page and re-arms it (0 in 36 hops), at
# a price: each dirty page's sync scans the vCPU's whole TLB, so the first sync of a
# migration (every page dirty) stalls the guest for a second or two on this machine; small
# RAM keeps that short.

QM_QEMU=${QM_QEMU:-qemu-system-x86_64}
QM_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools/guest" && pwd)
QM_PY=/usr/bin/python3
[ -x "$QM_PY" ] || QM_PY=python3
QM_CTL=${VSEAL_BUILD:-$OV_BUILD}/app/vseal-ctl
QM_MEM=${QM_MEM:-131080K}  # 128 MiB + 8 KiB: see above
declare -A QM_PID=() QM_SOCK=() QM_MODE=() QM_MAC=() QM_CIDR=() QM_ARGS=()

# qm_init: QEMU present, the guest image built (or taken from the cache).
qm_init() {
	command -v "$QM_QEMU" >/dev/null 2>&1 || {
		echo "$QM_QEMU not found: run devtools/setup.sh (installs qemu-system-x86)" >&2
		return 1
	}
	QM_IMG=$("$QM_TOOLS/mkguest.sh") || { echo "mkguest.sh failed" >&2; return 1; }
	[ -f "$QM_IMG/vmlinuz" ] && [ -f "$QM_IMG/initramfs.cpio.gz" ] || return 1
	ov_log "guest image: $QM_IMG ($(cut -d' ' -f2 "$QM_IMG/stamp"))"
}

# qm_start INST SOCKET MODE MAC CIDR [OPTION...]: start QEMU instance INST in the background.
# MODE is vseal's mode for this guest: client (QEMU owns SOCKET: server=on) or server (vseal
# owns it; QEMU connects and reconnects). Options:
#   incoming=PORT   wait for a migration on tcp:127.0.0.1:PORT
#   announce=off    virtio-net-pci guest_announce=off (the guest does not announce itself
#                   after a migration; QEMU asks the backend for a RARP instead)
#   tso=off         host_tso4/6=off (the guest sends no TSO frames)
#   label=NAME      the guest's name on its console (default INST; a migration's
#                   destination uses the source's, so that both command lines match)
#   mtu=N           eth0's MTU in the guest (default 1450: the overlay's)
# QEMU waits in its start-up until the vhost-user connection is made (net_vhost_user_init),
# so either side may start first.
qm_start() {
	local inst=$1 sock=$2 mode=$3 mac=$4 cidr=$5 o incoming='' announce=on tso=on label=$1
	local mtu=1450 chr dev log pid
	shift 5
	for o in "$@"; do
		case $o in
		incoming=*) incoming=${o#*=} ;;
		announce=*) announce=${o#*=} ;;
		tso=*) tso=${o#*=} ;;
		label=*) label=${o#*=} ;;
		mtu=*) mtu=${o#*=} ;;
		*) echo "qm_start: unknown option $o" >&2; return 1 ;;
		esac
	done
	case $mode in
	client) chr="socket,id=chr0,path=$sock,server=on,wait=off" ;;
	server) chr="socket,id=chr0,path=$sock,reconnect=1" ;;
	*) echo "qm_start: mode client or server, got $mode" >&2; return 1 ;;
	esac
	dev="virtio-net-pci,netdev=net0,mac=$mac,vectors=0"
	[ "$announce" = on ] || dev+=",guest_announce=off"
	[ "$tso" = on ] || dev+=",host_tso4=off,host_tso6=off"
	log=$OV_TMP/qm-$inst.log
	rm -f "$OV_TMP/qm-$inst"{-console.log,.cmd,.mon}
	[ "$mode" = client ] && [ -z "$incoming" ] && rm -f "$sock"
	# shellcheck disable=SC2054  # commas inside QEMU's option values
	local -a args=(
		-name "$inst" -accel tcg -machine q35,memory-backend=mem -m "$QM_MEM"
		-object "memory-backend-memfd,id=mem,size=$QM_MEM,share=on"
		-nodefaults -display none -no-reboot -no-user-config
		-chardev "file,id=con,path=$OV_TMP/qm-$inst-console.log" -serial chardev:con
		-chardev "socket,id=cmd,path=$OV_TMP/qm-$inst.cmd,server=on,wait=off"
		-device isa-serial,chardev=cmd
		-monitor "unix:$OV_TMP/qm-$inst.mon,server=on,wait=off"
		-chardev "$chr" -netdev type=vhost-user,id=net0,chardev=chr0 -device "$dev"
		-kernel "$QM_IMG/vmlinuz" -initrd "$QM_IMG/initramfs.cpio.gz"
		-append "console=ttyS0 quiet panic=-1 vs.name=$label vs.ip=$cidr vs.mtu=$mtu"
	)
	[ -z "$incoming" ] || args+=(-incoming "tcp:127.0.0.1:$incoming")
	"$QM_QEMU" "${args[@]}" </dev/null >"$log" 2>&1 &
	pid=$!
	OV_PIDS+=("$pid")
	QM_PID[$inst]=$pid
	QM_SOCK[$inst]=$sock
	QM_MODE[$inst]=$mode
	QM_MAC[$inst]=$mac
	QM_CIDR[$inst]=$cidr
	QM_ARGS[$inst]="$*"
	ov_log "qemu $inst (pid $pid): $mode mode on $sock, mac $mac, $cidr${*:+, $*}"
}

qm_alive() { # INST
	[ -n "${QM_PID[$1]:-}" ] && kill -0 "${QM_PID[$1]}" 2>/dev/null
}

# qm_dump INST: QEMU's stderr and the guest's console (on failures).
qm_dump() {
	echo "----- qemu $1: stderr"
	tail -n 20 "$OV_TMP/qm-$1.log" 2>/dev/null
	echo "----- qemu $1: console"
	tail -n 20 "$OV_TMP/qm-$1-console.log" 2>/dev/null
}

# qm_wait_ready INST [TIMEOUT=60]: the guest's /init reports eth0 up and its command port
# ready. The boot time goes to QM_BOOT_S.
qm_wait_ready() {
	local inst=$1 timeout=${2:-60} t0=$EPOCHREALTIME
	while ! grep -q "^vseal-guest .*: ready" "$OV_TMP/qm-$inst-console.log" 2>/dev/null; do
		if ! qm_alive "$inst"; then
			ov_log "qemu $inst exited before its guest was ready"
			qm_dump "$inst"
			return 1
		fi
		if grep -q "^vseal-guest .*: FAILED" "$OV_TMP/qm-$inst-console.log" 2>/dev/null ||
			(( ${EPOCHREALTIME/./} - ${t0/./} > timeout * 1000000 )); then
			ov_log "guest $inst not ready after $(qm_since "$t0") s"
			qm_dump "$inst"
			return 1
		fi
		sleep 0.2
	done
	QM_BOOT_S=$(qm_since "$t0")
	ov_log "guest $inst ready after $QM_BOOT_S s: $(grep -m1 ': up eth0' "$OV_TMP/qm-$inst-console.log" |
		sed 's/ features .*//')"
}

# Seconds since a $EPOCHREALTIME value, 3 decimals.
qm_since() {
	local d=$(( ${EPOCHREALTIME/./} - ${1/./} ))
	printf '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
}

# qm_guest_ok INST: the guest's console shows no kernel BUG, Oops or panic.
qm_guest_ok() {
	if grep -q -E 'BUG|Oops|panic|corruption|Call Trace' "$OV_TMP/qm-$1-console.log"; then
		echo "    guest of qemu $1: kernel trouble on its console:"
		grep -m 5 -E 'BUG|Oops|panic|corruption|RIP' "$OV_TMP/qm-$1-console.log" | sed 's/^/      /'
		return 1
	fi
}

# qm_features INST: the virtio feature bits the guest's driver negotiated (bit 0 first).
qm_features() {
	sed -n 's/^vseal-guest .*: up eth0 .* features \([01]*\).*/\1/p' "$OV_TMP/qm-$1-console.log" |
		head -n 1
}

# qm_feature_bit INST BIT: true if the guest's driver negotiated feature BIT.
qm_feature_bit() {
	local f
	f=$(qm_features "$1")
	[ "${f:$2:1}" = 1 ]
}

# qm_cmd INST [-t SECONDS] COMMAND...: run a shell command (one line) in the guest; its
# output on stdout, its status returned (124: no answer in time).
qm_cmd() {
	local inst=$1 t=30
	shift
	if [ "${1:-}" = -t ]; then
		t=$2
		shift 2
	fi
	"$QM_PY" "$QM_TOOLS/vmctl.py" -t "$t" cmd "$OV_TMP/qm-$inst.cmd" "$*"
}

# qm_hmp INST COMMAND...: one HMP monitor command; its output on stdout.
qm_hmp() {
	local inst=$1
	shift
	"$QM_PY" "$QM_TOOLS/vmctl.py" -t 20 hmp "$OV_TMP/qm-$inst.mon" "$*"
}

# qm_wait_incoming INST [TIMEOUT=30]: a migration destination is up (its vhost-user
# connection made) and waits for the migration.
qm_wait_incoming() {
	local inst=$1 timeout=${2:-30} t0=$EPOCHREALTIME
	until [ -S "$OV_TMP/qm-$inst.mon" ] &&
		qm_hmp "$inst" info status 2>/dev/null | grep -q inmigrate; do
		if ! qm_alive "$inst"; then
			ov_log "qemu $inst exited before it waited for the migration"
			qm_dump "$inst"
			return 1
		fi
		if (( ${EPOCHREALTIME/./} - ${t0/./} > timeout * 1000000 )); then
			ov_log "qemu $inst not waiting for a migration after $timeout s"
			qm_dump "$inst"
			return 1
		fi
		sleep 0.2
	done
}

# qm_free_port: a TCP port nothing listens on, for a migration.
qm_free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		[ -z "$(ss -Hltn "sport = :$p")" ] && break
	done
	echo "$p"
}

# qm_migrate SRC DST PORT [TIMEOUT=90]: migrate instance SRC to DST (started with
# incoming=PORT and ready: qm_wait_incoming) and wait for "completed". Sets QM_MIG_DOWNTIME
# and QM_MIG_TOTAL (ms, as QEMU reports them), QM_MIG_T0/QM_MIG_T1 ($EPOCHREALTIME at the
# start and when completion was seen) and QM_MIG_INFO (the last "info migrate").
qm_migrate() {
	local src=$1 dst=$2 port=$3 timeout=${4:-90} st out
	QM_MIG_DOWNTIME='' QM_MIG_TOTAL='' QM_MIG_INFO=''
	QM_MIG_T0=$EPOCHREALTIME
	out=$(qm_hmp "$src" "migrate -d tcp:127.0.0.1:$port")
	[ -z "$out" ] || ov_log "migrate: $out"
	while :; do
		QM_MIG_INFO=$(qm_hmp "$src" info migrate)
		st=$(sed -n 's/^Migration status: *//p' <<<"$QM_MIG_INFO")
		case $st in
		completed) break ;;
		failed|cancelled|"")
			ov_log "migration $src -> $dst: status '${st:-none}'"
			echo "$QM_MIG_INFO" | sed 's/^/    /'
			qm_dump "$dst"
			return 1
			;;
		esac
		if (( ${EPOCHREALTIME/./} - ${QM_MIG_T0/./} > timeout * 1000000 )); then
			ov_log "migration $src -> $dst not completed after $timeout s (status $st)"
			echo "$QM_MIG_INFO" | sed 's/^/    /'
			return 1
		fi
		sleep 0.1
	done
	QM_MIG_T1=$EPOCHREALTIME
	QM_MIG_DOWNTIME=$(sed -n 's/^downtime: *\([0-9]*\) ms.*/\1/p' <<<"$QM_MIG_INFO")
	QM_MIG_TOTAL=$(sed -n 's/^total time: *\([0-9]*\) ms.*/\1/p' <<<"$QM_MIG_INFO")
	# The destination runs on its own after the migration.
	if ! qm_alive "$dst"; then
		local rc=0
		wait "${QM_PID[$dst]}" || rc=$?
		ov_log "migration $src -> $dst completed but the destination exited (status $rc)"
		qm_dump "$dst"
		return 1
	fi
	st=$(qm_hmp "$dst" info status)
	if ! grep -q 'status: running' <<<"$st"; then
		ov_log "migration $src -> $dst completed but the destination is '$st'"
		qm_dump "$dst"
		return 1
	fi
	ov_log "migrated $src -> $dst: total ${QM_MIG_TOTAL} ms, downtime ${QM_MIG_DOWNTIME} ms"
}

# qm_quit INST: stop QEMU instance INST (HMP quit, then SIGTERM, then SIGKILL) and wait
# until its process is gone (a migration's source must be gone before its socket is reused).
qm_quit() {
	local inst=$1 pid=${QM_PID[$1]:-} i
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		qm_hmp "$inst" quit >/dev/null 2>&1 || true
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	unset "QM_PID[$inst]"
}

# qm_ctl HOST COMMAND...: vseal-ctl on host HOST's control socket ($OV_TMP/HOST.ctl).
qm_ctl() {
	local host=$1
	shift
	"$QM_CTL" -s "$OV_TMP/$host.ctl" "$@"
}

# qm_loc HOST VNI MAC: "ORIGIN LOCATION" of MAC in VNI on vseal HOST (nothing if absent).
qm_loc() {
	local mac
	mac=$(tr 'a-f' 'A-F' <<<"$3")
	qm_ctl "$1" show location vni "$2" | awk -v m="$mac" '$2 == m { print $3, $4 }'
}

# qm_wait_loc HOST VNI MAC "ORIGIN LOCATION" [TIMEOUT=5]: until MAC's location on HOST is
# that; prints what it is at the end.
qm_wait_loc() {
	local host=$1 vni=$2 mac=$3 want=$4 timeout=${5:-5} t0=$EPOCHREALTIME got
	while :; do
		got=$(qm_loc "$host" "$vni" "$mac")
		[ "$got" = "$want" ] && break
		(( ${EPOCHREALTIME/./} - ${t0/./} > timeout * 1000000 )) && break
		sleep 0.1
	done
	echo "    host $host: $mac in VNI $vni -> ${got:-absent} (expected $want)"
	[ "$got" = "$want" ]
}

# qm_kfdb NS DEV MAC: the VTEP the kernel vxlan device DEV (in NS) sends MAC's frames to.
qm_kfdb() {
	bridge -n "$1" fdb show dev "$2" | awk -v m="$(tr 'A-F' 'a-f' <<<"$3")" \
		'$1 == m { for (i = 2; i < NF; i++) if ($i == "dst") print $(i + 1) }' | head -n 1
}

# qm_wait_kfdb NS DEV MAC VTEP [TIMEOUT=5]: until the kernel VTEP sends MAC's frames to VTEP.
qm_wait_kfdb() {
	local t0=$EPOCHREALTIME got timeout=${5:-5}
	while :; do
		got=$(qm_kfdb "$1" "$2" "$3")
		[ "$got" = "$4" ] && break
		(( ${EPOCHREALTIME/./} - ${t0/./} > timeout * 1000000 )) && break
		sleep 0.1
	done
	echo "    kernel VTEP: $3 -> ${got:-absent} (expected $4)"
	[ "$got" = "$4" ]
}

# qm_ts: copy stdin to stdout, each line prefixed with the time it was read
# ($EPOCHREALTIME), for logs whose events the measurements need.
qm_ts() {
	# python, not a bash read loop: bash reads a pipe one byte at a time and fell 20-30 ms
	# behind vhost's bursts of log lines.
	"$QM_PY" -c 'import sys, time
while True:
    l = sys.stdin.readline()
    if not l:
        break
    sys.stdout.write("%.6f %s" % (time.time(), l))
    sys.stdout.flush()'
}

# qm_vseal NAME CONFIG EAL-LCORES: ov_vseal, plus a copy of its output with a timestamp per
# line in $OV_TMP/NAME.ts. vhost's own messages (lib.vhost.config at info: GET_VRING_BASE,
# "virtio is now ready") are kept: the migration measurements read them.
qm_vseal() {
	OV_VSEAL_TS=qm_ts OV_VSEAL_LOGLEVEL=lib.vhost.config:info ov_vseal "$@"
}

# qm_vseal_stop NAME: SIGTERM vseal NAME and wait for it; true if it exited with status 0.
qm_vseal_stop() {
	local pidvar=OV_PID_$1 rc=0 i
	kill -TERM "${!pidvar}" 2>/dev/null
	for i in $(seq 150); do kill -0 "${!pidvar}" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "${!pidvar}" 2>/dev/null && rc=137
	wait "${!pidvar}" 2>/dev/null || rc=$?
	return "$rc"
}

# QM_KEEP=DIR keeps a copy of the run's files (logs, consoles, captures) in DIR at exit.
qm_on_exit() {
	local rc=$?
	if [ -n "${QM_KEEP:-}" ] && [ -d "$OV_TMP" ]; then
		mkdir -p "$QM_KEEP" && cp -a "$OV_TMP"/. "$QM_KEEP"/ 2>/dev/null
		echo "kept the run's files in $QM_KEEP" >&2
	fi
	ov_cleanup
	exit "$rc"
}
trap qm_on_exit EXIT
