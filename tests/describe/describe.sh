#!/bin/sh
# hc_describe for each kind of address (describe_prog.c): the report, filtered as the
# detection tests' are (tests/detect/filter.sh: addresses, pids, system frames), must
# equal describe.stderr.exp, and each call must return what it knew (1, or 0 for the
# address nothing is mapped at).
set -eu
src=${top_srcdir:-.}
build=${top_builddir:-.}
prog=$build/tests/describe/describe_prog
[ -x "$prog" ] || { echo "describe: build first" >&2; exit 99; }
out=$(mktemp)
trap 'rm -f "$out" "$out.f"' EXIT
status=0
HEAPCHECK_OPTIONS= "$prog" >/dev/null 2>"$out" || status=$?
sh "$src/tests/detect/filter.sh" <"$out" >"$out.f"
if [ "$status" -eq 0 ] && diff -u "$src/tests/describe/describe.stderr.exp" "$out.f"; then
    echo "describe: PASS: 6 addresses described as expected"
    exit 0
fi
echo "describe: FAIL (exit status $status): the report differs from describe.stderr.exp (above)"
exit 1
