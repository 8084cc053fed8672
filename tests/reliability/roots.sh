#!/bin/sh
# Leak-check roots (roots.c): a pointer only in a register of a thread blocked in
# read(), only on the stack of a thread in a handler on its alternate stack, only in a
# global next to a static alternate stack that exit() runs on, and blocks reachable
# from globals while a thread calls exit() amid allocating threads (ROOTS_RUNS times,
# 200 by default).  Each must give no false "definitely lost" or "possibly lost".
set -eu
prog=${top_builddir:-.}/tests/reliability/roots
[ -x "$prog" ] || { echo "roots: build first" >&2; exit 99; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL: $1"; sed 's/^/    /' "$out"; }

run() { # CASE OPTIONS: the summary must be the 13-byte leak alone, status 23
    status=0
    HEAPCHECK_OPTIONS=$2 timeout 60 "$prog" "$1" >"$out" 2>&1 || status=$?
    [ "$status" -eq 77 ] && { echo "SKIP: $1"; return 0; }
    if [ "$status" -eq 23 ] && grep -q "definitely lost: 13 bytes in 1 blocks" "$out" &&
        grep -q "possibly lost: 0 bytes in 0 blocks" "$out"; then
        passed=$((passed + 1))
        return 0
    fi
    fail "$1 (exit status $status)"
    return 1
}

run reader "" && echo "PASS: a pointer only in a register of a thread blocked in read()"
run altstack "" && echo "PASS: a pointer only on the stack of a thread in a handler on its alternate stack"

status=0
HEAPCHECK_OPTIONS=show_leak_kinds=all timeout 60 "$prog" static_alt >"$out" 2>&1 || status=$?
if grep -q "555 bytes in 1 blocks are still reachable" "$out" && ! grep -q "555 bytes.*definitely" "$out"; then
    passed=$((passed + 1))
    echo "PASS: exit() from a handler on a static alternate stack sees the globals"
else
    fail "static_alt (exit status $status)"
fi

runs=${ROOTS_RUNS:-200} i=0 bad=0
while [ "$i" -lt "$runs" ]; do
    run exit_thread "" >/dev/null || bad=$((bad + 1))
    i=$((i + 1))
done
if [ "$bad" -eq 0 ]; then
    echo "PASS: exit() from a thread amid allocating threads: $runs runs without a false leak"
else
    failed=$((failed + 1))
    echo "FAIL: exit() from a thread: $bad of $runs runs gave a false leak"
fi
echo "roots: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
