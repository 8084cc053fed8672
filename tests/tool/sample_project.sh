#!/bin/sh
# The make check workflow on tests/sample, a small Autotools project that uses the
# HEAPCHECK_CHECK macro (m4/heapcheck.m4) and is built against this build tree:
#  - make check-heapcheck fails on its leaking and its overflowing test, each with its
#    report in its .log, and on its test script (a .sh test, run by SH_LOG_COMPILER,
#    which the macro wraps too) that runs the leaking program; it passes once they are
#    fixed (CPPFLAGS=-DFIXED); its suite log never shows a previous run's results;
#  - heapcheck -- make check, compiling under heapcheck (gcc, as, ld, sh, make are
#    not checked), exits 0 with no per-process report for the fixed project, and
#    non-zero naming both bad tests otherwise;
#  - configure --disable-heapcheck turns make check-heapcheck off.
# Skipped (77) without autoreconf or a C compiler.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
HC_ABS=$(cd "$(dirname "$HC")" && pwd)/heapcheck
M4DIR=$(cd "$srcdir/m4" && pwd)
# The outer make's flags (TESTS=..., -j jobserver) are not the sample's.
unset MAKEFLAGS MFLAGS MAKELEVEL HEAPCHECK_OPTIONS HEAPCHECK
for tool in autoreconf aclocal automake make "${CC:-cc}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (./bootstrap installs the Autotools)"
        exit 77
    fi
done

proj="$scratch/sample"
cp -R "$srcdir/tests/sample" "$proj" && chmod -R u+w "$proj" || exit 99
(cd "$proj" && autoreconf -fi -I "$M4DIR") >"$scratch/autoreconf" 2>&1 ||
    { sed 's/^/  | /' "$scratch/autoreconf"; fail "autoreconf"; finish; }
(cd "$proj" && ./configure HEAPCHECK="$HC_ABS") >"$scratch/configure" 2>&1 ||
    { sed 's/^/  | /' "$scratch/configure"; fail "configure"; finish; }
expect_grep "whether the heapcheck tool runs... yes" "$scratch/configure" "configure found the tool"

# 1. make check-heapcheck with the bugs.
(cd "$proj" && make check-heapcheck) >"$scratch/out" 2>&1
st=$?
if [ $st -ne 0 ]; then pass "make check-heapcheck fails (status $st)"; else fail "make check-heapcheck passed with the bugs"; fi
expect_grep '^PASS: wordlist' "$scratch/out" "the clean test passes"
expect_grep '^FAIL: leaky' "$scratch/out" "the leaking test fails"
expect_grep '^FAIL: overflow' "$scratch/out" "the overflowing test fails"
expect_grep 'definitely lost in loss record' "$proj/leaky.log" "leaky.log holds the leak"
expect_grep 'in duplicate .*leaky\.c:' "$proj/leaky.log" "leaky.log: the leak's allocation, symbolized"
expect_grep 'heapcheck: heap-buffer-overflow on address' "$proj/overflow.log" \
    "overflow.log holds the overflow"
expect_grep 'in main .*overflow\.c:' "$proj/overflow.log" "overflow.log: symbolized"
expect_no_grep 'definitely lost in\|heapcheck: heap-' "$proj/wordlist.log" "wordlist.log: nothing found"
expect_grep '^FAIL: listing.sh' "$scratch/out" "the test script (SH_LOG_COMPILER) is wrapped: it fails"
expect_grep 'heapcheck report for [0-9]* (.*/leaky)' "$proj/listing.log" \
    "listing.log holds the report of the program the script ran"
expect_grep '^# FAIL: *3' "$proj/test-suite-heapcheck.log" "the suite's own log"

# 1b. No stale results: a run that cannot build leaves no old suite log behind, and
#     make mostlyclean removes it.
[ -e "$proj/test-suite-heapcheck.log" ] || fail "no test-suite-heapcheck.log to go stale"
(cd "$proj" && rm -f ./*.o wordlist leaky overflow &&
    make check-heapcheck CPPFLAGS='-include /nonexistent/header.h') >"$scratch/out" 2>&1
expect_grep 'nonexistent/header.h' "$scratch/out" "the build fails"
if [ -e "$proj/test-suite-heapcheck.log" ]; then
    fail "a run that failed to build left the previous test-suite-heapcheck.log"
else
    pass "a run that failed to build left no stale test-suite-heapcheck.log"
fi
(cd "$proj" && make check-heapcheck) >/dev/null 2>&1
(cd "$proj" && make mostlyclean) >"$scratch/out" 2>&1
if [ -e "$proj/test-suite-heapcheck.log" ]; then
    fail "make mostlyclean left test-suite-heapcheck.log"
else
    pass "make mostlyclean removes test-suite-heapcheck.log"
fi

# 2. Fixed: it passes.
(cd "$proj" && make clean && make check-heapcheck CPPFLAGS=-DFIXED) >"$scratch/out" 2>&1
expect_status 0 $? "make check-heapcheck on the fixed project"
expect_grep '^PASS: leaky' "$scratch/out" "the fixed leaking test passes"
expect_grep '^PASS: overflow' "$scratch/out" "the fixed overflowing test passes"
expect_grep '^PASS: listing.sh' "$scratch/out" "the test script passes"
expect_grep '^# FAIL: *0' "$proj/test-suite-heapcheck.log" "the suite log is this run's"

# 3. heapcheck -- make check, compiler in the build: the fixed project is clean.
(cd "$proj" && make clean && "$HC_ABS" -- make check CPPFLAGS=-DFIXED) >"$scratch/out" 2>&1
expect_status 0 $? "heapcheck -- make check on the fixed project: make's own status"
expect_grep '^gcc\|^depbase\|-o leaky' "$scratch/out" "the tests were compiled under heapcheck"
expect_no_grep 'heapcheck report for' "$scratch/out" "no per-process report"
expect_grep '^heapcheck: [5-9] processes checked, 0 with findings$' "$scratch/out" \
    "one summary line: the tests' five programs checked, none with findings"

# 4. heapcheck -- make check with the bugs: fails, naming both tests.
(cd "$proj" && make clean && "$HC_ABS" -- make check) >"$scratch/out" 2>&1
st=$?
expect_status 23 $st "heapcheck -- make check with the bugs"
expect_grep '^heapcheck: [5-9] processes checked, 3 with findings: .*/leaky (pid [0-9]*), .*/overflow (pid [0-9]*), .*/leaky (pid [0-9]*)$' \
    "$scratch/out" "the summary names the bad programs (leaky twice: also run by the script)"
expect_grep 'heapcheck report for [0-9]* (.*/leaky)' "$scratch/out" "the leaking test's report"
expect_grep 'heapcheck report for [0-9]* (.*/overflow)' "$scratch/out" "the overflowing test's report"
expect_no_grep 'heapcheck report for [0-9]* (.*/\(make\|gcc\|cc1\|as\|ld\|collect2\|sh\|bash\|dash\|sed\))' \
    "$scratch/out" "no report from make, the compiler or the shells"
n=$(grep -c 'heapcheck report for' "$scratch/out")
if [ "$n" -eq 3 ]; then pass "three reports"; else fail "$n reports, expected 3"; fi

# 5. Which processes: an empty skip list checks make too (it leaks at exit);
#    --trace-children=no leaves a shell's child alone, the default checks it.
(cd "$proj" && make clean >/dev/null &&
    "$HC_ABS" --trace-children-skip= --error-exitcode=0 -- make -s wordlist) >"$scratch/out" 2>&1
expect_grep 'heapcheck report for [0-9]* (/usr/bin/make)' "$scratch/out" \
    "--trace-children-skip= checks the system's programs (make)"
expect_grep '^heapcheck: [0-9]* processes checked, [1-9][0-9]* with findings: /usr/bin/make' \
    "$scratch/out" "--trace-children-skip=: the summary counts make"
(cd "$proj" && make -s leaky && "$HC_ABS" --trace-children=no -- sh -c ./leaky) >"$scratch/out" 2>&1
expect_status 0 $? "--trace-children=no -- sh -c ./leaky: the leak is not looked for"
expect_no_grep 'heapcheck report for' "$scratch/out" "--trace-children=no: no report"
(cd "$proj" && "$HC_ABS" -- sh -c ./leaky) >"$scratch/out" 2>&1
expect_status 23 $? "-- sh -c ./leaky: the shell's child is checked"
expect_grep 'heapcheck report for [0-9]* (.*/leaky)' "$scratch/out" "the child's report"

# 6. --disable-heapcheck.
(cd "$proj" && ./configure --disable-heapcheck HEAPCHECK="$HC_ABS") >"$scratch/configure" 2>&1
(cd "$proj" && make check-heapcheck) >"$scratch/out" 2>&1
st=$?
if [ $st -ne 0 ]; then pass "disabled: make check-heapcheck fails (status $st)"; else fail "disabled, yet it ran"; fi
expect_grep 'heapcheck is disabled' "$scratch/out" "disabled: it says so"

finish
