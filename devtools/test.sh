#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build and run every test: unit (CUnit) and integration (network namespaces, as root).
#
#   sudo ./devtools/test.sh                       all suites
#   sudo ./devtools/test.sh --suite unit          one suite
#   sudo ./devtools/test.sh local_switching       one test (any meson test arguments)
#
# Runs devtools/setup.sh first (packages, hugepages, build into build/ or $VSEAL_BUILDDIR),
# then meson test with the failing tests' logs printed; exits with meson test's status.
# The full log is build/meson-logs/testlog.txt.

set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${VSEAL_BUILDDIR:-build}

bash "$src/devtools/setup.sh" --builddir "$builddir" || {
	echo "test.sh: setup failed" >&2
	exit 1
}

cd "$src" || exit 1
# What earlier runs killed without running their traps left (namespaces, veths, hugepage
# files), listed when there was any.
bash "$src/devtools/cleanup.sh" | grep '^  ' || true
out=$(mktemp /tmp/vseal-test.XXXXXX)
trap 'rm -f "$out"' EXIT
echo
echo "=== meson test -C $builddir --print-errorlogs $*"
meson test -C "$builddir" --print-errorlogs "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

# The one line per test that meson printed, then its totals, together at the end.
echo
echo "=== summary"
grep -E '^ *[0-9]+/[0-9]+ .* (OK|FAIL|SKIP|TIMEOUT|EXPECTEDFAIL|UNEXPECTEDPASS|ERROR) ' "$out" |
	sed 's/\x1b\[[0-9;]*m//g' | awk '!seen[$0]++' || true
grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$out" | tr '\n' ' ' || true
echo
if [ "$status" = 0 ]; then
	echo "all tests passed"
else
	echo "tests FAILED (meson test status $status); full log: $src/$builddir/meson-logs/testlog.txt"
fi
exit "$status"
