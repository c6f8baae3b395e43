#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# vseal refuses every bad configuration in bad_configs/ before touching a port: exit status 2
# and one line on stderr naming the file, the section and the key.
#
# Each bad_configs/*.ini says what it expects in its own comments:
#   ; expect: TEXT     stderr must hold the line "FILE: TEXT" (FILE as given to -f)
#   ; eal: ARGS        optional: EAL lcore arguments instead of "-l 0,1"
# Also: a missing file, and no -f at all (usage, exit 2).
#
# Needs: VSEAL_BUILD (the build directory; meson test sets it), mounted hugepages, and root
# when only root may use them.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${VSEAL_BUILD:-$here/../../build}
vseal=$build/app/vseal
cases=$here/bad_configs
prefix=badcfg$$
tmp=$(mktemp -d /tmp/vseal-badcfg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "ok   $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	if [ -s "$tmp/err" ]; then
		sed 's/^/     stderr: /' "$tmp/err" | head -n 10
	fi
}

# run_vseal EAL_LCORE_ARGS APP_ARGS...: status in $status, stderr in $tmp/err, stdout in $tmp/out
run_vseal() {
	local lcores=$1
	shift
	# shellcheck disable=SC2086  # $lcores is a list of words on purpose
	timeout 60 "$vseal" $lcores --no-pci --in-memory --file-prefix="$prefix" \
		--log-level=lib.eal:error -- "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}

if [ ! -x "$vseal" ]; then
	echo "FAIL: no vseal binary at $vseal (set VSEAL_BUILD)"
	echo "0 passed, 1 failed"
	exit 1
fi

# 1. every bad config: exit 2, the expected line on stderr
nb_files=0
for f in "$cases"/*.ini; do
	[ -e "$f" ] || continue
	nb_files=$((nb_files + 1))
	name=$(basename "$f")
	expect=$(sed -n 's/^; expect: //p' "$f" | head -n 1)
	eal=$(sed -n 's/^; eal: //p' "$f" | head -n 1)
	if [ -z "$expect" ]; then
		: >"$tmp/err"
		fail "$name" "no '; expect:' line in the file"
		continue
	fi
	run_vseal "${eal:--l 0,1}" -f "$f"
	if [ "$status" -ne 2 ]; then
		fail "$name" "exit status $status, want 2"
	elif ! grep -qxF -- "$f: $expect" "$tmp/err"; then
		fail "$name" "stderr lacks the line '$f: $expect'"
	else
		pass "$name"
	fi
done
if [ "$nb_files" -lt 20 ]; then
	: >"$tmp/err"
	fail "bad_configs/" "only $nb_files files, want at least 20"
fi

# 2. a file that does not exist
missing=$tmp/no-such-file.ini
run_vseal "-l 0,1" -f "$missing"
if [ "$status" -ne 2 ]; then
	fail "missing file" "exit status $status, want 2"
elif ! grep -qxF -- "$missing: cannot open: No such file or directory" "$tmp/err"; then
	fail "missing file" "stderr lacks '$missing: cannot open: No such file or directory'"
else
	pass "missing file"
fi

# 3. no -f: a usage line, exit 2
run_vseal "-l 0,1"
if [ "$status" -ne 2 ]; then
	fail "no -f" "exit status $status, want 2"
elif ! grep -qiE '^usage: .*-f' "$tmp/err" "$tmp/out"; then
	fail "no -f" "no 'usage: ... -f ...' line"
else
	pass "no -f"
fi

# 4. nothing left behind by any run
if ls /dev/hugepages/"$prefix"* >/dev/null 2>&1 || ls /var/run/dpdk/"$prefix" >/dev/null 2>&1; then
	: >"$tmp/err"
	fail "cleanup" "files of --file-prefix=$prefix left in /dev/hugepages or /var/run/dpdk"
	rm -rf /dev/hugepages/"$prefix"* /var/run/dpdk/"$prefix"
else
	pass "cleanup"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
