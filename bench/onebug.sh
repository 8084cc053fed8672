#!/bin/sh
# onebug.sh LIB [OPTIONS...]: run every mode of bench/onebug (one heap bug each)
# preloaded with LIB under each HEAPCHECK_OPTIONS given (default: the defaults), and
# say for each whether the bug was caught at the access (a report "found by a READ" or WRITE
# and death by SIGSEGV), reported later (some other report), or not at all.
# Usage from the build directory, after `make bench/onebug`:
#   sh bench/onebug.sh lib/.libs/libheapcheck.so "guard_slots=0,handle_segv=0" ""
set -u
lib=$1
shift
[ $# -gt 0 ] || set -- ""
prog=${ONEBUG_PROG:-bench/onebug}
modes=$("$prog" --list)
for opts in "$@"; do
    at=0 later=0 missed=0 n=0
    echo "HEAPCHECK_OPTIONS=${opts:-(defaults)}"
    for m in $modes; do
        err=$(env HEAPCHECK_OPTIONS="leak_check=off${opts:+,$opts}" LD_PRELOAD="$lib" "$prog" "$m" 2>&1 >/dev/null)
        st=$?
        n=$((n + 1))
        if echo "$err" | grep -Eq 'found by a (READ|WRITE)' && [ $st -eq 139 ]; then
            verdict="at the access"; at=$((at + 1))
        elif echo "$err" | grep -q 'heapcheck: '; then
            verdict="later: $(echo "$err" | grep -m1 'heapcheck: ' | sed 's/^==[0-9]*== heapcheck: //; s/ on address.*//')"
            later=$((later + 1))
        else
            verdict="not caught"; missed=$((missed + 1))
        fi
        printf '  %-20s %s\n' "$m" "$verdict"
    done
    echo "  => $at of $n at the access, $later later, $missed not caught"
done
