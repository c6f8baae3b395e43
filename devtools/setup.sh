#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Make this machine ready to build and test vseal (Debian 12): install the packages that are
# missing, reserve hugepages, build into build/. Safe to run again: it only does what is
# missing (apt-get update only when a package has to be installed).
#
#   sudo ./devtools/setup.sh [--no-build] [--builddir DIR]
#
# Run as root: apt-get, hugepages and the integration tests' namespaces need it.

set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${VSEAL_BUILDDIR:-build}
build=1

while [ $# -gt 0 ]; do
	case $1 in
	--no-build) build=0 ;;
	--builddir) builddir=${2:?--builddir needs a directory}; shift ;;
	-h|--help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: run as root (sudo $0): it installs packages and reserves hugepages" >&2
	exit 1
fi

# Package -> what needs it.
packages=(
	gcc meson ninja-build pkg-config   # the build
	libdpdk-dev libbsd-dev             # vseal's libraries (DPDK 22.11)
	libcunit1-dev                      # unit tests
	dpdk dpdk-dev                      # DPDK's PMDs; dpdk-testpmd, the tests' guest emulator
	iproute2 procps                    # namespaces, veth, bridge; sysctl
	iputils-ping arping iperf3 tcpdump # what the tests run inside the guests
	ethtool python3 python3-scapy tshark # overlay tests: offloads off, crafted and decoded VXLAN
	qemu-system-x86 busybox-static cpio # real guests: QEMU, their initramfs (test/tools/guest)
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "setup: all ${#packages[@]} packages present"
fi

# Hugepages, as the tests do it (lib.sh only defines functions when sourced).
# shellcheck source=../test/integration/lib.sh
. "$src/test/integration/lib.sh"
vs_hugepages 1024
echo "setup: hugepages $(cat /proc/sys/vm/nr_hugepages) x 2 MB reserved," \
	"$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo) free, on /dev/hugepages"

if [ "$build" = 1 ]; then
	cd "$src"
	if [ ! -f "$builddir/build.ninja" ]; then
		meson setup "$builddir"
	fi
	ninja -C "$builddir"
	echo "setup: built $src/$builddir/app/vseal"
fi
