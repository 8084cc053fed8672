# Sourced by the keys_* and hardened_* security tests (tests/security/keys.mk): run a
# program of tests/security preloaded with heapcheck under a preset, and compare its
# stderr, blanked by tests/detect/filter.sh, with an expected file.
#
# Environment: top_srcdir, top_builddir, HC_LIB (set by the Makefile; the defaults
# suit a run by hand from the top of an in-tree build).
set -eu
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}
unset LD_PRELOAD HEAPCHECK_OPTIONS
[ -r "$HC_LIB" ] || { echo "no library $HC_LIB" >&2; exit 99; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-security.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# run PRESET PROG ARGS...: $work/out, $work/err (filtered) and $status.  Guarded slots
# off: a block in a slot has no header, and sampling would make a run differ.
run() {
    preset=$1 prog=$2
    shift 2
    [ -x "$top_builddir/tests/security/$prog" ] || { echo "not built: tests/security/$prog" >&2; exit 99; }
    status=0
    LD_PRELOAD=$HC_LIB HEAPCHECK_OPTIONS="preset=$preset:guard_slots=0" \
        "$top_builddir/tests/security/$prog" "$@" >"$work/out" 2>"$work/raw" || status=$?
    sh "$top_srcdir/tests/detect/filter.sh" <"$work/raw" >"$work/err"
}

# expect_stderr EXP: the filtered stderr must equal tests/security/EXP.
expect_stderr() {
    if ! diff -u "$top_srcdir/tests/security/$1" "$work/err"; then
        fail "stderr differs from $1 (preset $preset)"
    fi
}

# expect_abort: the run must have ended by SIGABRT (heapcheck's report and abort).
expect_abort() {
    [ "$status" -eq 134 ] || fail "$prog (preset $preset) ended with status $status, not an abort"
}

# out_value LABEL: the number after "LABEL: " in the program's output.
out_value() {
    sed -n "s/^$1: //p" "$work/out"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)"
        exit 1
    fi
    echo "all passed"
}
