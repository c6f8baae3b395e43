#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the test guest for QEMU: a Debian cloud kernel and a busybox initramfs whose /init
# (test/tools/guest/init, beside this script) brings up virtio-net and serves the tests'
# commands. Everything comes from Debian packages: the kernel package is fetched with
# `apt-get download` and unpacked, never installed; busybox is the host's busybox-static.
#
#   mkguest.sh [--cache DIR] [--force]
#
# Prints the directory that holds `vmlinuz` and `initramfs.cpio.gz` (default cache
# /var/cache/vseal-guest, or $VSEAL_GUEST_CACHE). Idempotent and fast when cached: the kernel
# is downloaded once; the initramfs is rebuilt only when /init, this script or busybox
# changed. Concurrent runs wait for each other (flock). Progress goes to stderr.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${VSEAL_GUEST_CACHE:-/var/cache/vseal-guest}
force=0
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?--cache needs a directory}; shift ;;
	--force) force=1 ;;
	-h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "mkguest.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

# The virtio-net driver and what it needs, in load order (Debian builds them as modules).
modules=(
	kernel/drivers/virtio/virtio_ring.ko
	kernel/drivers/virtio/virtio.ko
	kernel/drivers/virtio/virtio_pci_modern_dev.ko
	kernel/drivers/virtio/virtio_pci_legacy_dev.ko
	kernel/drivers/virtio/virtio_pci.ko
	kernel/net/core/failover.ko
	kernel/drivers/net/net_failover.ko
	kernel/drivers/net/virtio_net.ko
)

msg() {
	echo "mkguest: $*" >&2
}

die() {
	echo "mkguest: error: $*" >&2
	exit 1
}

busybox=/bin/busybox
[ -x "$busybox" ] || die "no $busybox: install busybox-static (devtools/setup.sh does)"
if ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is not a static busybox: install busybox-static (devtools/setup.sh does)"
fi
for c in cpio gzip dpkg-deb apt-get flock sha256sum; do
	command -v "$c" >/dev/null 2>&1 || die "'$c' not found: run devtools/setup.sh"
done

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

stamp=$(cat "$here/init" "${BASH_SOURCE[0]}" "$busybox" | sha256sum | cut -c1-16)

# The kernel: the newest one already unpacked here, else the one linux-image-cloud-amd64
# depends on now.
kdir=
for d in "$cache"/kernel-*; do
	[ -f "$d/ok" ] && kdir=$d
done
if [ -z "$kdir" ] || [ "$force" = 1 ]; then
	kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$kpkg" ]; then
		msg "no package lists: apt-get update"
		apt-get update -q >&2 || die "apt-get update failed"
		kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$kpkg" ] || die "cannot find the package linux-image-cloud-amd64 depends on"
	kdir=$cache/kernel-${kpkg#linux-image-}
	if [ ! -f "$kdir/ok" ] || [ "$force" = 1 ]; then
		tmp=$(mktemp -d "$cache/dl.XXXXXX")
		chmod 0755 "$tmp" # apt-get download drops to user _apt when it can
		trap 'rm -rf "$tmp"' EXIT
		msg "downloading $kpkg"
		(cd "$tmp" && apt-get download -q "$kpkg" >&2 2>&1) ||
			die "apt-get download $kpkg failed"
		dpkg-deb -x "$tmp"/*.deb "$tmp/x"
		rm -rf "$kdir"
		mkdir -p "$kdir"
		cp "$tmp"/x/boot/vmlinuz-* "$kdir/vmlinuz"
		for m in "${modules[@]}"; do
			src=$(find "$tmp"/x/lib/modules/*/ -path "*/$m*" | head -n 1)
			[ -n "$src" ] || die "$kpkg has no $m"
			case $src in
			*.ko) cp "$src" "$kdir/" ;;
			*.ko.xz) xz -dc "$src" >"$kdir/$(basename "$m")" ;;
			*.ko.zst) zstd -qdc "$src" >"$kdir/$(basename "$m")" ;;
			*) die "unknown module format: $src" ;;
			esac
		done
		echo "$kpkg" >"$kdir/ok"
		rm -rf "$tmp"
		trap - EXIT
	fi
fi

if [ "$force" = 0 ] && [ -f "$cache/initramfs.cpio.gz" ] && [ -f "$cache/vmlinuz" ] &&
	[ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp $(cat "$kdir/ok")" ]; then
	echo "$cache"
	exit 0
fi

msg "building the initramfs ($(cat "$kdir/ok"), $("$busybox" | head -n 1 | cut -d' ' -f1-2))"
root=$(mktemp -d "$cache/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,lib/modules}
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list-full); do
	[ "$a" = bin/busybox ] || ln -sf /bin/busybox "$root/$a"
done
for m in "${modules[@]}"; do
	cp "$kdir/$(basename "$m")" "$root/lib/modules/"
done
install -m 0755 "$here/init" "$root/init"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) | gzip -9 \
	>"$cache/initramfs.cpio.gz.new"
cp "$kdir/vmlinuz" "$cache/vmlinuz.new"
mv "$cache/initramfs.cpio.gz.new" "$cache/initramfs.cpio.gz"
mv "$cache/vmlinuz.new" "$cache/vmlinuz"
echo "$stamp $(cat "$kdir/ok")" >"$cache/stamp"
msg "guest in $cache: vmlinuz $(stat -c %s "$cache/vmlinuz") bytes," \
	"initramfs $(stat -c %s "$cache/initramfs.cpio.gz") bytes"
echo "$cache"
