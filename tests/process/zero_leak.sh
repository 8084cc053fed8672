#!/bin/sh
# zero_leak.sh: a process whose only finding is a 0-byte definite leak exits with
# heapcheck's exitcode (23) and prints its SUMMARY line, naming the leak's line,
# from the library (preloaded) and from the tool, in the same words.  (The tool's
# own exit status is the tool's business: not checked here.)
# Exit status: 0 all held, 1 one failed, 99 not built.
set -eu
src=${top_srcdir:-.}/tests/process
build=${top_builddir:-.}
prog=$build/tests/process/zero_leak
tool=$build/tools/heapcheck
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
if [ ! -x "$prog" ] || [ ! -x "$tool" ] || [ ! -r "$lib" ]; then
    echo "zero_leak: build first" >&2
    exit 99
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hc-zero.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
unset HEAPCHECK_OPTIONS
line=$(grep -n 'zero_leak.sh: leaked here' "$src/zero_leak.c" | cut -d: -f1)
want="SUMMARY: heapcheck: memory-leak [^ ]*zero_leak.c:$line in main; 0 errors, 0 bytes leaked in 1 block\$"
passed=0 failed=0
for how in library tool; do
    status=0
    if [ $how = library ]; then
        LD_PRELOAD=$lib "$prog" >"$scratch/$how" 2>&1 || status=$?
    else
        "$tool" -- "$prog" >"$scratch/$how" 2>&1 || status=$?
    fi
    if { [ "$status" = 23 ] || [ $how = tool ]; } && grep -q '0 bytes in 1 blocks are definitely lost' "$scratch/$how" &&
       grep -q "$want" "$scratch/$how"; then
        passed=$((passed + 1))
        echo "PASS: $how: the SUMMARY line of the 0-byte leak (exit $status)"
    else
        failed=$((failed + 1))
        echo "FAIL: $how: exit $status, no line matching '$want' in:"
        sed 's/^/    /' "$scratch/$how"
    fi
done
echo "zero_leak: $passed passed, $failed failed"
[ "$failed" = 0 ]
