# Shared by the heapcheck tool's tests (sourced, not run): where things are, a scratch
# directory removed on exit, and small assertions that count failures.
# shellcheck shell=sh disable=SC2034
set -u
: "${srcdir:=.}"
HC=./tools/heapcheck
DATA="$srcdir/tests/tool/data"
SAMPLE=./tests/tool/sample_prog
LC_ALL=C
export LC_ALL
# Never let libdwfl reach for a debuginfod server from a test.
unset DEBUGINFOD_URLS
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hctest.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
# What the tool leaves in TMPDIR (the list of a run's processes with findings) goes
# with the scratch directory.
TMPDIR=$scratch
export TMPDIR
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
    checks=$((checks + 1))
}

pass() {
    echo "ok: $*"
    checks=$((checks + 1))
}

# expect_status EXPECTED ACTUAL WHAT
expect_status() {
    if [ "$2" -eq "$1" ]; then
        pass "$3 (status $2)"
    else
        fail "$3: status $2, expected $1"
    fi
}

# expect_grep PATTERN FILE WHAT: a basic regular expression found in FILE
expect_grep() {
    if grep -q -e "$1" "$2"; then
        pass "$3"
    else
        fail "$3: no match for '$1' in:"
        sed 's/^/  | /' "$2" >&2
    fi
}

# expect_no_grep PATTERN FILE WHAT
expect_no_grep() {
    if grep -q -e "$1" "$2"; then
        fail "$3: unexpected match for '$1' in:"
        sed 's/^/  | /' "$2" >&2
    else
        pass "$3"
    fi
}

finish() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
    exit $?
}
