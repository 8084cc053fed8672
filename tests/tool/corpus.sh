#!/bin/sh
# Regression inputs for the dump loader (found by fuzzing, see 'make fuzz-run') and the
# bad dumps: `heapcheck report` must exit 0 or 2 on each, never crash.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

for f in "$srcdir"/tests/tool/corpus/* "$DATA"/*.json; do
    [ -f "$f" ] || continue
    "$HC" report --json "$f" >/dev/null 2>"$scratch/err"
    st=$?
    "$HC" report --show-leak-kinds=all --gen-suppressions "$f" >/dev/null 2>>"$scratch/err"
    st2=$?
    if { [ $st -eq 0 ] || [ $st -eq 2 ]; } && [ $st2 -eq $st ]; then
        pass "$(basename "$f"): status $st"
    else
        fail "$(basename "$f"): status $st and $st2"
        sed 's/^/  | /' "$scratch/err" >&2
    fi
done

finish
