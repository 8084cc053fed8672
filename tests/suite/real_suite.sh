#!/bin/sh
# A real project's `make check`, run plainly and under `heapcheck -- make check`, must
# give the same results: tests/suite/proj is a small Autotools project whose suite is
# shaped like sed's, grep's and m4's (see its configure.ac): a shell framework that
# runs the built program in its set-up and a probe that skips on its exit status, a
# test that closes and reuses fds 3-20 and spawns a child with fd 2 closed, a test that
# runs valgrind on the program (reallocarray), a test of setenv/unsetenv (glibc's own
# memory).  Built out of tree in a scratch directory, twice: as shipped (no bug) and
# with --enable-plant=leak (a leak that changes no output).  Asserts:
#  - as shipped, plainly: every test passes but the one expected failure;
#  - under heapcheck: the same result for every test, the tool's status make's (0),
#    no process with findings, no report;
#  - with the planted leak: plainly, the same results as shipped; under heapcheck, the
#    same results again, the tool exits 23 and reports the leak, symbolized, in
#    wordfreq and nowhere else.
# Skipped (77) without the Autotools or a C compiler.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
HC_ABS=$(cd "$(dirname "$HC")" && pwd)/heapcheck
proj_src=$(cd "$srcdir/tests/suite/proj" && pwd)
# The outer make's flags (TESTS=..., -j jobserver) and heapcheck settings are not the
# project's.
unset MAKEFLAGS MFLAGS MAKELEVEL TESTS XFAIL_TESTS HEAPCHECK_OPTIONS HEAPCHECK VALGRIND
for tool in autoreconf aclocal automake make timeout "${CC:-cc}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (./bootstrap installs the Autotools)"
        exit 77
    fi
done
# A hung run (a descriptor of the tool's read by the program, say) must not hang make
# check: each run is killed after this long.  A plain run takes 2-3 s.
limit=60

src="$scratch/src"
cp -R "$proj_src" "$src" && chmod -R u+w "$src" || exit 99
(cd "$src" && autoreconf -fi) >"$scratch/autoreconf" 2>&1 ||
    { sed 's/^/  | /' "$scratch/autoreconf"; fail "autoreconf"; finish; }
for variant in clean leak; do
    flags=
    [ $variant = leak ] && flags=--enable-plant=leak
    mkdir "$scratch/$variant" &&
        (cd "$scratch/$variant" && "$src/configure" $flags && make) >"$scratch/build-$variant" 2>&1 ||
        { sed 's/^/  | /' "$scratch/build-$variant"; fail "configure and make ($variant)"; finish; }
done

# suite VARIANT MODE: make check in VARIANT's build, plainly or under heapcheck.
# Leaves $scratch/VARIANT-MODE.{out,status,summary,results}: make's output, the exit
# status, the summary of test-suite.log and each test's result.
suite() {
    r="$scratch/$1-$2"
    if [ "$2" = plain ]; then
        (cd "$scratch/$1" && timeout -k 5 $limit make check) >"$r.out" 2>&1
    else
        (cd "$scratch/$1" && timeout -k 5 $limit "$HC_ABS" -- make check) >"$r.out" 2>&1
    fi
    echo $? >"$r.status"
    sed -n '/^# TOTAL:/,/^# ERROR:/p' "$scratch/$1/test-suite.log" >"$r.summary" 2>/dev/null
    for trs in "$scratch/$1"/tests/*.trs; do
        [ -f "$trs" ] || continue
        name=${trs##*/}
        echo "$(sed -n 's/^:test-result: *//p' "$trs") ${name%.trs}"
    done >"$r.results"
    [ -s "$r.summary" ] || echo "(no test-suite.log)" >"$r.summary"
    # The tool's last line, "heapcheck: N processes checked, M with findings...", and
    # the programs it printed a report for.
    grep '^heapcheck: [0-9]* process' "$r.out" >"$r.hcline"
    sed -n 's/.*heapcheck report for [0-9]* (\(.*\))$/\1/p' "$r.out" | sort -u >"$r.reported"
}

# same_results A B WHAT: runs A and B gave every test the same result.
same_results() {
    if cmp -s "$scratch/$1.summary" "$scratch/$2.summary" &&
        cmp -s "$scratch/$1.results" "$scratch/$2.results"; then
        pass "$3: $(tr '\n' ' ' <"$scratch/$1.summary" | tr -s ' ')"
    else
        fail "$3: the results differ ($1 < > $2):"
        diff "$scratch/$1.results" "$scratch/$2.results" | sed 's/^/  | /' >&2
        diff "$scratch/$1.summary" "$scratch/$2.summary" | sed 's/^/  | /' >&2
        for log in "$scratch"/"${2%-*}"/tests/*.log; do
            grep -q ':test-result: *\(FAIL\|ERROR\)' "${log%.log}.trs" 2>/dev/null || continue
            echo "  | --- $log" >&2
            sed -n '1,15s/^/  | /p' "$log" >&2
        done
    fi
}

# 1. As shipped, plainly: the suite passes, with its one expected failure.
suite clean plain
expect_status 0 "$(cat "$scratch/clean-plain.status")" "make check as shipped"
expect_grep '^# TOTAL: 8$' "$scratch/clean-plain.summary" "eight tests"
expect_grep '^# FAIL: *0$' "$scratch/clean-plain.summary" "no test fails"
expect_grep '^# ERROR: *0$' "$scratch/clean-plain.summary" "no set-up failure"
expect_grep '^# XFAIL: *1$' "$scratch/clean-plain.summary" "the expected failure fails"
expect_grep '^PASS test-spawn-pipe$' "$scratch/clean-plain.results" "the descriptor test passes"
expect_grep '^PASS test-setenv$' "$scratch/clean-plain.results" "the setenv test passes"
if command -v valgrind >/dev/null 2>&1; then
    expect_grep '^PASS valgrind.sh$' "$scratch/clean-plain.results" "the valgrind test passes"
else
    expect_grep '^SKIP valgrind.sh$' "$scratch/clean-plain.results" "no valgrind: its test skips"
fi

# 2. As shipped, under heapcheck: the same results, nothing found.
suite clean heapcheck
same_results clean-plain clean-heapcheck "as shipped: the same results under heapcheck"
expect_status 0 "$(cat "$scratch/clean-heapcheck.status")" "heapcheck -- make check as shipped"
expect_grep '^heapcheck: [0-9]* processes checked, 0 with findings' "$scratch/clean-heapcheck.hcline" \
    "as shipped: no process with findings"
if [ -s "$scratch/clean-heapcheck.reported" ]; then
    fail "as shipped: reports for $(tr '\n' ' ' <"$scratch/clean-heapcheck.reported")"
else
    pass "as shipped: no report"
fi

# 3. The planted leak, plainly: it changes no result.
suite leak plain
same_results clean-plain leak-plain "the planted leak changes no result plainly"

# 4. The planted leak, under heapcheck: the same results, and the leak reported.
suite leak heapcheck
same_results leak-plain leak-heapcheck "planted leak: the same results under heapcheck"
expect_status 23 "$(cat "$scratch/leak-heapcheck.status")" "heapcheck -- make check with the leak"
expect_grep 'definitely lost in loss record' "$scratch/leak-heapcheck.out" "the leak is reported"
expect_grep 'in add_word .*wordfreq\.c:[0-9]' "$scratch/leak-heapcheck.out" \
    "the leak's allocation, symbolized"
expect_grep '^heapcheck: [0-9]* processes checked, [1-9][0-9]* with findings' \
    "$scratch/leak-heapcheck.hcline" "the summary counts processes with findings"
others=$(grep -v '/wordfreq$' "$scratch/leak-heapcheck.reported" | tr '\n' ' ')
if [ -z "$others" ]; then
    pass "planted leak: reports for wordfreq only"
else
    fail "planted leak: reports for other programs: $others"
fi

finish
