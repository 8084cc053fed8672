# suiteproj's test framework, sourced by every tests/*.sh; modelled on gnulib's
# tests/init.sh, which sed, grep and m4 use.  It moves the test into a scratch
# directory of its own and, in its set-up, runs the wordfreq just built, as sed's
# framework pipes through the built sed: a wordfreq that does not run, prints the wrong
# thing or exits non-zero is a set-up failure (exit 99: ERROR).  require_*_ probe a
# feature by running wordfreq, as grep's do, and skip the test (77) without it.
# A test sets fail=1 on a mismatch and ends with Exit $fail.

ME_=${0##*/}
Exit() {
    set +e
    (exit "$1")
    exit "$1"
}
fail_() {
    echo "$ME_: failed test: $*" >&2
    Exit 1
}
skip_() {
    echo "$ME_: skipped test: $*" >&2
    Exit 77
}
framework_failure_() {
    echo "$ME_: set-up failure: $*" >&2
    Exit 99
}
# compare EXPECTED ACTUAL: no output when equal, else the diff and status 1.
compare() {
    diff -u "$1" "$2" >&2
}

require_sort_alpha_() {
    printf 'b a\n' | wordfreq --sort=alpha >/dev/null 2>&1 ||
        skip_ "wordfreq --sort=alpha does not work"
}
require_valgrind_() {
    test -n "${VALGRIND:-}" || skip_ "requires valgrind"
    "$VALGRIND" --error-exitcode=1 true >/dev/null 2>&1 ||
        skip_ "requires a working valgrind"
}

# The set-up: a scratch directory, removed at exit unless the test failed.
LC_ALL=C
export LC_ALL
test_dir_=$(mktemp -d "gt-$ME_.XXXXXX") || framework_failure_ "cannot create a scratch directory"
cd "$test_dir_" || framework_failure_ "cannot enter $test_dir_"
trap 'st=$?; cd ..; test "$st" = 1 || rm -rf "$test_dir_"; exit $st' 0

# The built program must run: its version line, and a filter that works.
version_=$(wordfreq --version) || framework_failure_ "wordfreq --version exited with status $?"
case $version_ in
"wordfreq (suiteproj) "*) ;;
*) framework_failure_ "wordfreq --version printed '$version_'" ;;
esac
printf 'b a b\n' | wordfreq >setup.out ||
    framework_failure_ "wordfreq as a filter exited with status $?"
printf '2 b\n1 a\n' >setup.exp
cmp -s setup.exp setup.out || framework_failure_ "wordfreq as a filter printed the wrong counts"
fail=0
