#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The lab's second part (devtools/lab.sh runs it after the one-host demo): two emulated
# hosts, each a vseal process with two guests, joined by a veth underlay (a Linux bridge).
# Guests of VNI 100 ping and iperf3 each other across hosts through VXLAN; the VNI 200 pair
# likewise; then each host's counters. Everything is torn down at the end.
#
# To run the same on real hosts: put the NIC's PCI address in [uplink] device, the VTEP
# addresses of the other hosts in [vni.N] flood, and point [guest.NAME] socket at the
# sockets QEMU creates (-chardev socket,path=SOCK,server=on); see config/vseal.ini.
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VSEAL_BUILD=${VSEAL_BUILD:-$src/${VSEAL_BUILDDIR:-build}}
OV_ID=lab
. "$src/test/integration/lib_overlay.sh"

ov_hugepages
ov_underlay
ov_wire "${OV_ID}wa"
ov_wire "${OV_ID}wb"
UA=192.168.70.1 UB=192.168.70.2
for h in A B; do
	if [ $h = A ]; then ip=$UA peer=$UB wire=${OV_ID}wa g=a; else ip=$UB peer=$UA wire=${OV_ID}wb g=b; fi
	cat >"$OV_TMP/$h.ini" <<CFG
[host]
vtep-ip = $ip
ctl-socket = $OV_TMP/$h.ctl
[uplink]
device = net_af_packet_$h,iface=${wire}0,framecnt=4096
prefix = 24
[vni.100]
flood = $peer
[vni.200]
flood = $peer
[guest.${g}1]
socket = $OV_TMP/${g}1.sock
vni = 100
mac = 02:70:00:00:00:${g}1
[guest.${g}2]
socket = $OV_TMP/${g}2.sock
vni = 200
mac = 02:70:00:00:00:${g}2
[lcores]
control = 0
worker.1 = uplink ${g}1 ${g}2
idle-sleep = 50
CFG
done
ov_log "host A: vseal, VTEP $UA, guests a1 (VNI 100, 10.70.0.1) and a2 (VNI 200, 10.70.0.3)"
ov_log "host B: vseal, VTEP $UB, guests b1 (VNI 100, 10.70.0.2) and b2 (VNI 200, 10.70.0.4)"
ov_vseal A "$OV_TMP/A.ini" "-l 0,1" || exit 1
ov_vseal B "$OV_TMP/B.ini" "--lcores=0@1,1@0" || exit 1
ov_guests all \
	"a1,$OV_TMP/a1.sock,02:70:00:00:00:a1,lab-a1,10.70.0.1/24,server" \
	"a2,$OV_TMP/a2.sock,02:70:00:00:00:a2,lab-a2,10.70.0.3/24,server" \
	"b1,$OV_TMP/b1.sock,02:70:00:00:00:b1,lab-b1,10.70.0.2/24,server" \
	"b2,$OV_TMP/b2.sock,02:70:00:00:00:b2,lab-b2,10.70.0.4/24,server" || exit 1
ov_check "guests connected" ov_wait_connected A a1 a2
ov_check "guests connected" ov_wait_connected B b1 b2
ov_check "a1 (host A) pings b1 (host B) over VXLAN, VNI 100" ov_ping lab-a1 10.70.0.2 5
ov_check "b2 (host B) pings a2 (host A) over VXLAN, VNI 200" ov_ping lab-b2 10.70.0.3 5
ov_check "a2 (VNI 200) cannot reach b1 (VNI 100)" ov_no_ping lab-a2 10.70.0.2
res=$(ov_iperf lab-b1 10.70.0.2 lab-a1 5)
ov_log "iperf3 a1 -> b1 across hosts, 5 s: ${res:-failed} (Gbit/s, retransmits, bytes)"
ov_check "iperf3 across hosts moved data" ov_iperf_ok "$res"
ov_log "host A's counters:"; ov_stats A | sed 's/^/    /'
ov_log "host B's counters:"; ov_stats B | sed 's/^/    /'
ov_summary
