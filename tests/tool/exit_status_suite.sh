#!/bin/sh
# Exit statuses left to the programs under the tool: a test suite's own logic (a set-up
# step that runs the built program, a pipe through it, a test of its status) gives the
# same results under `heapcheck --` as plainly, while the tool reports the leak of each
# process and exits with the findings status (23).  The command's own failure wins over
# findings, unless a process was ended by its findings (an abort); exitcode= in
# HEAPCHECK_OPTIONS still sets a process's status; standalone, exitcode is unchanged.
# shellcheck disable=SC2016 # the commands given to sh -c expand there
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
unset HEAPCHECK_OPTIONS
SAMPLE_ABS=$(cd "$(dirname "$SAMPLE")" && pwd)/sample_prog

# A test framework's shape, in the manner of sed's and grep's: a set-up probe that
# runs the program, a pipe through it, a test that depends on its status.
cat >"$scratch/suite.sh" <<'SH'
if "$1" leak; then echo "set-up ok"; else echo "set-up failure"; exit 99; fi
"$1" leak | cat && echo "pipe ok"
if "$1" leak && "$1" leak; then echo "status ok"; else echo "status FAIL"; fi
SH

sh "$scratch/suite.sh" "$SAMPLE_ABS" >"$scratch/plain" 2>&1
expect_status 0 $? "the suite plainly"
"$HC" -- sh "$scratch/suite.sh" "$SAMPLE_ABS" >"$scratch/out" 2>"$scratch/err"
expect_status 23 $? "the suite under heapcheck: the findings status"
if cmp -s "$scratch/plain" "$scratch/out"; then
    pass "the suite's own output is the same as plainly"
else
    fail "the suite's output differs from the plain run:"
    diff "$scratch/plain" "$scratch/out" | sed 's/^/  | /' >&2
fi
n=$(grep -c 'definitely lost in loss record' "$scratch/err")
if [ "$n" -eq 4 ]; then pass "the four leaking processes are reported"; else fail "$n leak reports, expected 4"; fi
expect_grep '^heapcheck: 4 processes checked, 4 with findings: .*/sample_prog (pid [0-9]*), .*/sample_prog (pid [0-9]*), .*/sample_prog (pid [0-9]*) and 1 more (all 4 listed in /' \
    "$scratch/err" "the summary names three processes, then a count and where the list is"
list=$(sed -n 's/.*(all 4 listed in \(.*\))$/\1/p' "$scratch/err")
if [ -n "$list" ] && [ "$(grep -c 'sample_prog (pid [0-9]*): 0 errors, [1-9][0-9]* bytes in [1-9][0-9]* blocks leaked$' "$list")" -eq 4 ]; then
    pass "the list file names all four"
else
    fail "the list file ($list) does not name the four processes"
fi
rm -f "$list"

# --keep-dumps=DIR: the list goes beside the dumps.
"$HC" --keep-dumps="$scratch/dumps" -- sh "$scratch/suite.sh" "$SAMPLE_ABS" >/dev/null 2>"$scratch/err"
expect_grep "(all 4 listed in $scratch/dumps/findings.txt)\$" "$scratch/err" "--keep-dumps: the list is DIR/findings.txt"
if [ -s "$scratch/dumps/findings.txt" ]; then pass "findings.txt written"; else fail "no $scratch/dumps/findings.txt"; fi

# The command fails for its own reasons: its status wins, the findings are still told.
"$HC" -- sh -c '"$1" leak; exit 5' sh "$SAMPLE_ABS" >"$scratch/out" 2>&1
expect_status 5 $? "a command that fails for its own reasons keeps its status"
expect_grep '^heapcheck: 1 process checked, 1 with findings: .*/sample_prog' "$scratch/out" \
    "its findings are still reported"
# Skipped (77): the findings win, so a skipped test with findings fails.
"$HC" -- sh -c '"$1" leak; exit 77' sh "$SAMPLE_ABS" >/dev/null 2>&1
expect_status 23 $? "77 (skipped) with findings: the findings status"
# The command's own process ended by its finding (heapcheck aborted it): findings.
"$HC" -- ./tests/detect/overflow 13 1 >"$scratch/out" 2>&1
expect_status 23 $? "a program heapcheck aborted on its overflow: the findings status"
# A command that fails because a process was ended by its finding (make check when
# a test aborts): the findings status.
"$HC" -- sh -c './tests/detect/overflow 13 1 2>/dev/null; exit 5' >"$scratch/out" 2>&1
expect_status 23 $? "a failure after a process heapcheck aborted: the findings status"
# --error-exitcode=0: the command's own status.
"$HC" --error-exitcode=0 -- sh "$scratch/suite.sh" "$SAMPLE_ABS" >/dev/null 2>&1
expect_status 0 $? "--error-exitcode=0: the command's status"

# exitcode= in HEAPCHECK_OPTIONS asks for the library's status in each process.
HEAPCHECK_OPTIONS=exitcode=42 "$HC" -- sh -c '"$1" leak; echo "status $?"' sh "$SAMPLE_ABS" \
    >"$scratch/out" 2>/dev/null
expect_grep '^status 42$' "$scratch/out" "HEAPCHECK_OPTIONS=exitcode=42: the process exits 42"

# Standalone (no tool), the documented exitcode stays.
lib=$(cd lib/.libs && pwd)/libheapcheck.so
LD_PRELOAD="$lib" HEAPCHECK_OPTIONS=print_reports=0 "$SAMPLE_ABS" leak >/dev/null 2>&1
expect_status 23 $? "standalone: a leaking process exits 23"

finish
