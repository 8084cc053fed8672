#!/bin/sh
# hc_describe from a real gdb session (describe_gdb_prog.c, heapcheck preloaded):
# `call hc_describe(p)` at a breakpoint (the live block, with its allocation stack),
# inside the allocator with its locks held (it must neither deadlock nor read the
# locked state: it says the lock is held and returns -1), and after the SIGSEGV of a
# read after free (the freed block, with both stacks).  A deadlock would show as the
# time limit.  Skipped (77) without gdb, or where gdb cannot run a program (ptrace
# denied).
set -eu
build=${top_builddir:-.}
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
prog=$build/tests/describe/describe_gdb_prog
[ -x "$prog" ] && [ -r "$lib" ] || { echo "describe_gdb: build first" >&2; exit 99; }
command -v gdb >/dev/null 2>&1 || { echo "SKIP: gdb is not installed"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
HEAPCHECK_OPTIONS= timeout 120 gdb -batch -nx \
    -ex "set environment LD_PRELOAD=$lib" -ex 'set startup-with-shell off' \
    -ex 'break here' -ex run -ex 'call hc_describe(p)' -ex 'set $p = p' \
    -ex 'break core_alloc' -ex continue -ex 'call hc_describe($p)' \
    -ex delete -ex continue -ex 'call hc_describe(p)' -ex kill \
    "$prog" >"$out" 2>&1 || status=$?
if [ "$status" -eq 124 ]; then
    echo "FAIL: gdb did not finish within 120 s (a deadlock in hc_describe?):"
    sed 's/^/    /' "$out"
    exit 1
fi
if ! grep -q '^Breakpoint 1, here' "$out"; then
    echo "SKIP: gdb could not run the program to its breakpoint (exit status $status):"
    sed 's/^/    /' "$out"
    exit 77
fi
passed=0 failed=0
# expect DESCRIPTION PATTERN...: the lines, in this order, somewhere in the session.
expect() {
    what=$1
    shift
    if awk -v n="$#" 'BEGIN { for (i = 1; i <= n; i++) want[i] = ARGV[i]; ARGC = 1; k = 1 }
        k <= n && $0 ~ want[k] { k++ } END { exit k <= n }' "$@" <"$out"; then
        passed=$((passed + 1))
        echo "PASS: $what"
    else
        failed=$((failed + 1))
        echo "FAIL: $what: expected, in order: $*"
    fi
}
expect "at a breakpoint: the live block and its allocation stack" \
    '^Breakpoint 1, here' 'heapcheck: hc_describe\(0x[0-9a-f]+\)$' \
    '0x[0-9a-f]+ is 0 bytes inside the 40-byte block at 0x[0-9a-f]+$' \
    'the 40-byte block at 0x[0-9a-f]+ was allocated by malloc\(\) in thread T0 at:$' \
    '#0 0x[0-9a-f]+ in main .*describe_gdb_prog\.c:[0-9]+' '^\$1 = 1$'
expect "inside the allocator, its lock held: said, not waited for" \
    '^Breakpoint 2, core_alloc' \
    "the guarded slots' lock is locked \(this thread stopped inside heapcheck" \
    "is in heapcheck's guarded-slot pool" '^\$2 = -1$'
expect "after the fault: the freed block, with both stacks" \
    'Program received signal SIGSEGV' \
    '0x[0-9a-f]+ is 0 bytes inside the 40-byte block at 0x[0-9a-f]+, which was freed$' \
    'was allocated by malloc\(\) in thread T0 at:$' 'and freed by thread T0 at:$' \
    '#0 0x[0-9a-f]+ in main .*describe_gdb_prog\.c:[0-9]+' '^\$3 = 1$'
[ "$failed" -eq 0 ] || sed 's/^/    /' "$out"
echo "describe_gdb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
