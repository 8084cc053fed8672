#!/bin/sh
# The shadow-model stress test (stress_shadow.c) with 4 and then 8 threads at once,
# each thread with its own shadow and seed, so the arenas serve them concurrently
# while every thread runs hc_check_heap(); afterwards every block must be accounted
# for.  Exit status: 0 both passed, 1 one failed (its seed is printed), 99 setup.
set -eu
prog=${top_builddir:-.}/tests/stress/stress_shadow
[ -x "$prog" ] || { echo "shadow_threads: no $prog" >&2; exit 99; }
fail=0
"$prog" -t 4 150000 || fail=1
"$prog" -t 8 75000 || fail=1
if [ $fail -eq 0 ]; then
    echo "shadow_threads: 2 passed, 0 failed"
else
    echo "shadow_threads: failed"
fi
exit $fail
