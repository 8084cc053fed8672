#!/bin/sh
# Memcheck's suppression format, as projects keep it for valgrind: Memcheck:Leak blocks
# suppress leaks (match-leak-kinds honoured, memcheck's leading malloc frame skipped),
# Memcheck:Free blocks the errors of releasing; kinds with no heapcheck counterpart are
# read and skipped.  Real runs: sample_prog's leak, double_free's double free.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

"$HC" -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_status 23 $? "without suppressions the leak counts"
expect_grep 'definitely lost in loss record' "$scratch/out" "and is shown"

cat >"$scratch/vg.supp" <<'SUPP'
# A memcheck suppression file, as valgrind --gen-suppressions=all writes them.
{
   uninitialised-in-zlib
   Memcheck:Cond
   fun:inflateReset2
   obj:/usr/lib/x86_64-linux-gnu/libz.so.*
}
{
   sample-list-leak
   Memcheck:Leak
   match-leak-kinds: definite,indirect
   fun:malloc
   fun:leak_list
   fun:main
}
{
   an-invalid-read
   Memcheck:Addr4
   fun:main
}
{
   <insert_a_suppression_name_here>
   Memcheck:Free
   fun:free
   fun:main
}
SUPP
"$HC" --suppressions="$scratch/vg.supp" -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_status 0 $? "Memcheck:Leak suppresses the leak: nothing counts"
expect_no_grep 'SUMMARY: heapcheck' "$scratch/out" "suppressed leaks make no SUMMARY line"
expect_no_grep 'in loss record' "$scratch/out" "no loss record is shown"
expect_grep '^heapcheck: 1 process checked, 0 with findings$' "$scratch/out" \
    "a process without findings: the summary line only"
# Its report, from the kept dump, counts what was suppressed.
"$HC" --keep-dumps="$scratch/k1" --suppressions="$scratch/vg.supp" -- "$SAMPLE" leak >/dev/null 2>&1
"$HC" report --suppressions="$scratch/vg.supp" "$scratch"/k1/hc.*.json >"$scratch/out" 2>&1
expect_grep 'suppressed: 48 bytes in 3 blocks' "$scratch/out" \
    "its 48 bytes (16 definite, 32 indirect) are suppressed"

# match-leak-kinds is honoured: definite only leaves the indirect record.
sed 's/match-leak-kinds: definite,indirect/match-leak-kinds: definite/' "$scratch/vg.supp" \
    >"$scratch/definite.supp"
"$HC" report --show-leak-kinds=all --suppressions="$scratch/definite.supp" \
    "$scratch"/k1/hc.*.json >"$scratch/out" 2>&1
expect_grep 'indirectly lost in loss record' "$scratch/out" "match-leak-kinds: definite keeps the indirect record"
expect_no_grep 'definitely lost in loss record' "$scratch/out" "and suppresses the definite one"

# A suppression for another function silences nothing.
sed 's/fun:leak_list/fun:some_other_function/' "$scratch/vg.supp" >"$scratch/other.supp"
"$HC" --suppressions="$scratch/other.supp" -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_status 23 $? "a suppression of another stack does not match"

# Memcheck:Free: the double free, found in main by free().
"$HC" -- ./tests/detect/double_free 0 >"$scratch/out" 2>&1
expect_grep 'heapcheck: double-free on address' "$scratch/out" "without suppressions the double free is shown"
"$HC" --keep-dumps="$scratch/k2" --suppressions="$scratch/vg.supp" -- ./tests/detect/double_free 0 \
    >"$scratch/out" 2>&1
expect_no_grep 'heapcheck: double-free on address' "$scratch/out" "Memcheck:Free suppresses it"
"$HC" report --suppressions="$scratch/vg.supp" "$scratch"/k2/hc.*.json >"$scratch/out" 2>&1
expect_grep 'ERROR SUMMARY: 0 errors (suppressed: 1)' "$scratch/out" "counted as suppressed"
expect_no_grep 'SUMMARY: heapcheck' "$scratch/out" "a suppressed error makes no SUMMARY line"

# A block without its '}' is an error that names the file and line.
printf '{\n   broken\n   Memcheck:Leak\n   fun:main\n' >"$scratch/broken.supp"
"$HC" --suppressions="$scratch/broken.supp" -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_status 2 $? "an unclosed memcheck block"
expect_grep 'broken.supp:1: memcheck suppression without its closing' "$scratch/out" "it is named"

finish
