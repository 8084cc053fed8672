#!/bin/sh
# bench/suite.sh (make bench-suite) on a cached fake package, offline: its make check
# writes a test-suite.log and .trs files the way automake's harness does, runs a
# leaking program of this build (sample_prog leak), and fails one test when heapcheck
# is preloaded.  Asserts the table's counts summed from the logs, make's status, the
# process with findings, the one test whose result changed; that a heapcheck-only call
# measures against the previous plain run; and that bad knobs get a clear error.
# (The ratio may be "-": a plain run this short can take 0.0 s.)
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL TESTS HEAPCHECK_OPTIONS HEAPCHECK SUITE SUITE_MODES
suite_sh="$srcdir/bench/suite.sh"
sample=$(cd "$(dirname "$SAMPLE")" && pwd)/$(basename "$SAMPLE")
cache="$scratch/cache"
mkdir -p "$cache/fake/src" "$cache/fake/build" || exit 99
touch "$cache/fake/src/.heapcheck-fetched" "$cache/fake/build/.heapcheck-built"
echo "1.0-1" >"$cache/fake/version"
cat >"$cache/fake/build/Makefile" <<MK
check:
	rm -rf t && mkdir t
	$sample leak || :
	@case "\$\$LD_PRELOAD" in *heapcheck*) r=FAIL p=1 f=1 ;; *) r=PASS p=2 f=0 ;; esac; \\
	printf ':test-result: PASS\n' >t/a.trs; \\
	printf ':test-result: %s\n' \$\$r >t/b.trs; \\
	printf ':test-result: SKIP\n' >t/c.trs; \\
	printf '# TOTAL: 3\n# PASS:  %s\n# SKIP:  1\n# XFAIL: 0\n# FAIL:  %s\n# XPASS: 0\n# ERROR: 0\n' \$\$p \$\$f >t/test-suite.log
MK

bench() {
    env SUITE=fake SUITE_CACHE="$cache" SUITE_NICE=0 SUITE_INSTALL=0 BENCH_OUT="$scratch/out" \
        BENCH_DATE=day HEAPCHECK="$HC" "$@" sh "$suite_sh"
}

bench SUITE_MODES="plain heapcheck" >"$scratch/run1" 2>&1
expect_status 0 $? "plain and heapcheck runs"
table="$scratch/out/day-suite.md"
expect_grep '^## fake 1.0-1: make -k -j2 check' "$table" "the results file has the package's table"
expect_grep '^| plain | [0-9.]* | 1.00 | 0 | 3 | 2 | 0 | 1 | 0 | 0 | 0 | - | - | - |$' "$table" \
    "plain: counts from test-suite.log"
expect_grep '^| heapcheck | [0-9.]* | [0-9.-]* | 23 | 3 | 1 | 1 | 1 | 0 | 0 | 0 | 1 | [1-9?][0-9]* | 1 |$' \
    "$table" "heapcheck: one test changed, one process with findings, the tool's status"
expect_grep '^ *1 .*/tests/tool/sample_prog$' "$table" "the program with findings is named"
expect_grep '^    < PASS \./t/b$' "$table" "the changed test, plainly"
expect_grep '^    > FAIL \./t/b$' "$table" "the changed test, under heapcheck"
raw=$(sed -n 's/^- raw: //p' "$table" | tail -1)
[ -s "$raw/heapcheck/make.out" ] && [ -s "$raw/heapcheck/logs/t/test-suite.log" ] &&
    pass "raw: make's output and the suite's log kept" || fail "raw material missing in '$raw'"

# heapcheck alone: measured against the previous plain run.
bench SUITE_MODES=heapcheck >"$scratch/run2" 2>&1
expect_status 0 $? "a heapcheck-only run"
expect_grep "^- ratios and changes against the plain run of $raw\$" "$table" \
    "the earlier plain run is the reference"
n=$(grep -c '^| heapcheck | [0-9.]* | [0-9.-]* | 23 | 3 | 1 | 1 | 1 | 0 | 0 | 0 | 1 |' "$table")
expect_status 2 "$n" "two heapcheck rows, each with one changed test"

# Bad knobs: a clear error, status 2.
bench SUITE='fake;rm' >"$scratch/err" 2>&1
expect_status 2 $? "a bad package name"
expect_grep "is not a Debian source package name" "$scratch/err" "it says why"
bench SUITE_MODES=fast >"$scratch/err" 2>&1
expect_status 2 $? "an unknown mode"
expect_grep "unknown mode 'fast'" "$scratch/err" "it names the mode"
env SUITE=fake SUITE_CACHE="$cache" SUITE_MODES=heapcheck HEAPCHECK=/nonexistent/heapcheck \
    sh "$suite_sh" >"$scratch/err" 2>&1
expect_status 2 $? "a missing tool"
expect_grep "no heapcheck tool /nonexistent/heapcheck" "$scratch/err" "it names the tool"

finish
