#!/bin/sh
# The whole run: heapcheck collects the dumps its program and children write, renders
# them, removes its directory (or keeps the dumps), and picks the exit status.  The
# program here writes prepared dumps; the preloaded library is the C library (already
# loaded, so preloading it changes nothing and writes no dump of its own).
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

fake="$srcdir/tests/tool/fake_prog.sh"
libc=$(ldd "$(command -v sh)" | sed -n 's/.*=> \(\/[^ ]*libc\.so[^ ]*\).*/\1/p' | head -n 1)
[ -n "$libc" ] || { echo "cannot find the C library" >&2; exit 77; }
HEAPCHECK_LIB=$libc
TMPDIR="$scratch/tmp"
export HEAPCHECK_LIB TMPDIR
mkdir "$TMPDIR"

"$HC" -- sh "$fake" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 0 $? "a clean dump"
expect_grep '^heapcheck: 1 process checked, 0 with findings$' "$scratch/out" "it is counted, and prints nothing else"
if [ -z "$(ls -A "$TMPDIR")" ]; then pass "the private directory is removed"; else
    fail "left in TMPDIR: $(ls -A "$TMPDIR")"; fi

FAKE_STATUS=5 "$HC" -- sh "$fake" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 5 $? "the program's status when nothing counts"

"$HC" -- sh "$fake" "$DATA/valid.json" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 23 $? "errors and leaks give 23"
expect_grep 'heapcheck report for 4242 ' "$scratch/out" "the process with findings"
expect_no_grep 'heapcheck report for 100 ' "$scratch/out" "of several, a clean process prints nothing"
expect_grep '^heapcheck: 2 processes checked, 1 with findings: /nonexistent/prog (pid 4242)$' \
    "$scratch/out" "one line counts the processes and names the one with findings"

FAKE_STATUS=5 "$HC" --error-exitcode=0 -- sh "$fake" "$DATA/valid.json" >/dev/null 2>&1
expect_status 5 $? "--error-exitcode=0 keeps the program's status"
"$HC" --error-exitcode=42 -- sh "$fake" "$DATA/summary_only.json" >/dev/null 2>&1
expect_status 42 $? "a definite leak known from the summary alone"
"$HC" --errors-for-leak-kinds=none -- sh "$fake" "$DATA/summary_only.json" >/dev/null 2>&1
expect_status 0 $? "--errors-for-leak-kinds=none"

"$HC" --keep-dumps="$scratch/kept" --log-file="$scratch/log" -- \
    sh "$fake" "$DATA/clean.json" "$DATA/summary_only.json" >"$scratch/out" 2>&1
expect_status 23 $? "--keep-dumps and --log-file"
if [ -f "$scratch/kept/hc.100001.json" ] && [ -f "$scratch/kept/hc.100002.json" ]; then
    pass "the dumps are kept"
else
    fail "kept: $(ls -A "$scratch/kept" 2>&1)"
fi
expect_grep "dump $scratch/kept/hc.100002.json" "$scratch/log" "the report names the kept dump"
expect_no_grep 'heapcheck report for' "$scratch/out" "the report is only in the log"
"$HC" report "$scratch/kept/hc.100002.json" >"$scratch/out" 2>&1
expect_status 0 $? "a kept dump can be reported again"

"$HC" --json -- sh "$fake" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_grep '^{"format":"heapcheck-report"' "$scratch/out" "--json when running"

"$HC" -- sh "$fake" "$DATA/bad_truncated.json" >"$scratch/out" 2>&1
expect_status 23 $? "a truncated dump counts as a failure"
expect_grep 'hc.100001.json: line [0-9]*, column [0-9]*' "$scratch/out" "and is reported"

"$HC" -- true >"$scratch/out" 2>&1
expect_status 0 $? "a program that writes no dump"
expect_grep 'wrote no heapcheck dump' "$scratch/out" "a warning says so"

finish
