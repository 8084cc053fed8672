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
# The library's last line, in its words: the class, the largest counted record's
# place (the definitely lost head; its two nodes are indirect, which do not count) and
# the counts; the very last line of the process's report.
summary="SUMMARY: heapcheck: memory-leak .*/sample_prog\.c:$line in leak_list; 0 errors, 16 bytes leaked in 1 block\$"
expect_grep "^==[0-9]*== $summary" "$scratch/out" "the SUMMARY line of a leak"
"$HC" report "$scratch"/kept/hc.*.json >"$scratch/again" 2>"$scratch/again.err"
expect_grep "$summary" "$scratch/again" "heapcheck report prints it from the dump too"
if tail -n 1 "$scratch/again" | grep -q "^==[0-9]*== $summary"; then pass "as the report's last line"
else fail "the SUMMARY line is not the report's last line: $(tail -n 1 "$scratch/again")"; fi
"$HC" report --json "$scratch"/kept/hc.*.json >"$scratch/json" 2>&1
expect_grep '"leaks":\[' "$scratch/json" "the JSON report of the dump"
expect_no_grep 'SUMMARY: heapcheck' "$scratch/json" "has no SUMMARY line"

# A clean program: the summary line alone, no report, no SUMMARY line.
"$HC" -- true >"$scratch/clean" 2>&1
expect_grep '^heapcheck: 1 process checked, 0 with findings$' "$scratch/clean" "a clean program: the summary line"
expect_no_grep 'ERROR SUMMARY' "$scratch/clean" "and no report"
expect_no_grep 'SUMMARY: heapcheck' "$scratch/clean" "has no SUMMARY line"

finish
