#!/bin/sh
# The real pipeline: the test program leaks a list under the preloaded library, which
# writes its dump at exit.  Skipped (77) while the library writes no dumps.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

"$HC" --keep-dumps="$scratch/kept" --show-leak-kinds=all -- "$SAMPLE" leak >"$scratch/out" 2>&1
st=$?
if ! ls "$scratch"/kept/hc.*.json >/dev/null 2>&1; then
    echo "SKIP: the library wrote no dump (status $st):"
    sed 's/^/  | /' "$scratch/out"
    exit 77
fi
if [ $st -eq 0 ] || [ $st -eq 23 ]; then pass "status $st"; else fail "status $st"; fi
line=$(grep -n 'MARK:leak_malloc ' "$srcdir/tests/tool/sample_prog.c" | cut -d: -f1)
expect_grep "heapcheck report for [0-9]* (.*sample_prog)" "$scratch/out" "the process"
expect_grep "in leak_list .*/sample_prog\.c:$line (" "$scratch/out" \
    "the leaked nodes were allocated in leak_list at the marked line"
expect_grep 'LEAK SUMMARY:' "$scratch/out" "a leak summary"
expect_grep 'ERROR SUMMARY: 0 errors' "$scratch/out" "no errors"

finish
