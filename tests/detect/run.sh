#!/bin/sh
# run.sh RECIPE: run one detection test, in the manner of Valgrind's memcheck
# tests: the test program runs under heapcheck, and what heapcheck printed on
# stderr, with run-to-run noise blanked by filter.sh, must equal the expected
# text exactly.  An exact comparison catches a report that is missing, extra,
# duplicated or wrong in any detail; an empty expectation asserts that a correct
# program draws no report at all (no false alarm).
#
# 'make check' runs it as the log compiler of every tests/detect/*.detect.  A
# recipe, tests/detect/NAME.detect, holds "key: value" lines (blank lines and
# lines starting with # are ignored):
#   prog: P           the program tests/detect/P, built from P.c without heapcheck
#                     (default: NAME); tests/detect/P-linked is the same source
#                     linked with libheapcheck
#   mode: M           linked (run P-linked), preload (run P with LD_PRELOAD=$HC_LIB)
#                     or both (default: both; each run must pass)
#   expect: E         how the program must end: exit=N, signal=NAME (SEGV or
#                     SIGSEGV) or abort (= signal=ABRT).  Required.  A shell cannot
#                     tell exit(134) from a death by signal 6: exit=N wants N < 129.
#   env: VAR=value    set for the program (any number of lines); HEAPCHECK_OPTIONS
#                     and LD_PRELOAD are otherwise cleared, so that the caller's
#                     environment cannot change a report
#   args: A B ...     the program's arguments, split at blanks (no quoting)
#   prereq: CMD       skip the test unless the command CMD is installed
#   timeout: S        kill the program after S seconds (default 120), a failure
# The expected stderr is NAME.stderr.exp beside the recipe.  On a failure the
# build directory gets NAME.stderr.out (the filtered stderr of the first failing
# run: copy it over NAME.stderr.exp to accept it) and NAME.stderr.diff (the
# differences of every failing run), beside NAME.log; the log shows the diff.
#
# Environment: top_srcdir, top_builddir, HC_LIB (set by the Makefile; defaults
# suit a run by hand from the top of an in-tree build).
# Exit status: 0 pass, 1 fail, 77 skip (a prereq is missing), 99 harness error
# (bad recipe, program not built, library missing).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ $# -ne 1 ]; then
    echo "usage: $0 RECIPE.detect" >&2
    exit 99
fi
recipe=$1
name=$(basename "$recipe" .detect)

error() {
    echo "$name: ERROR: $*" >&2
    exit 99
}

[ -r "$recipe" ] || error "cannot read the recipe $recipe"
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}
top_srcdir=$(cd "$top_srcdir" && pwd -P) || error "no source tree at $top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd -P) || error "no build tree at $top_builddir"
case $HC_LIB in
/*) ;;
*) HC_LIB=$(pwd)/$HC_LIB ;;
esac

# The recipe sits in the source tree; its program, and the files left after a
# failure, sit at the same place in the build tree (the same directory, unless
# the build is VPATH).
recipe_dir=$(cd "$(dirname "$recipe")" && pwd -P)
case $recipe_dir in
"$top_srcdir") sub=. ;;
"$top_srcdir"/*) sub=${recipe_dir#"$top_srcdir"/} ;;
*) error "the recipe $recipe is not inside top_srcdir=$top_srcdir" ;;
esac
build_dir=$top_builddir/$sub
expected=$recipe_dir/$name.stderr.exp
[ -r "$expected" ] || error "no expected stderr $expected"

# signal_name SIG: the name (ABRT) that kill -l gives the signal SIG, which may be a
# name with or without SIG, or a number; fails for an unknown signal.  'kill -l'
# turns numbers into names in every shell, names into numbers only in some.
signal_name() {
    want=${1#SIG}
    n=1
    while [ "$n" -lt 128 ]; do
        if known=$(kill -l "$n" 2>/dev/null) && [ -n "$known" ]; then
            known=${known#SIG}
            if [ "$want" = "$known" ] || [ "$want" = "$n" ]; then
                echo "$known"
                return 0
            fi
        fi
        n=$((n + 1))
    done
    return 1
}

# --- Read the recipe ----------------------------------------------------------
prog=
mode=
expect=
args=
envs=
prereqs=
limit=
newline='
'
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    where="$recipe:$lineno"
    case $line in
    '#'* | '') continue ;;
    *[![:space:]]*) ;;
    *) continue ;;
    esac
    case $line in
    [a-z]*:*) ;;
    *) error "$where: not a 'key: value' line: $line" ;;
    esac
    key=${line%%:*}
    value=${line#*:}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    case $key in
    prog)
        [ -z "$prog" ] || error "$where: a second prog"
        case $value in
        '' | *[!A-Za-z0-9_-]*) error "$where: prog wants a program name, not '$value'" ;;
        esac
        prog=$value
        ;;
    mode)
        [ -z "$mode" ] || error "$where: a second mode"
        case $value in
        linked | preload | both) mode=$value ;;
        *) error "$where: mode wants linked, preload or both, not '$value'" ;;
        esac
        ;;
    expect)
        [ -z "$expect" ] || error "$where: a second expect"
        case $value in
        abort) expect=signal=ABRT ;;
        exit=*)
            code=${value#exit=}
            case $code in
            '' | *[!0-9]* | 0?*) error "$where: exit wants a number, not '$code'" ;;
            esac
            [ "$code" -le 128 ] || error "$where: exit=$code looks like a signal; use signal="
            expect=exit=$code
            ;;
        signal=*)
            expect=signal=$(signal_name "${value#signal=}") ||
                error "$where: no signal '${value#signal=}' here"
            ;;
        *) error "$where: expect wants abort, exit=N (0-128) or signal=NAME, not '$value'" ;;
        esac
        ;;
    env)
        case $value in
        [A-Za-z_]*=*) ;;
        *) error "$where: env wants VAR=value, not '$value'" ;;
        esac
        case ${value%%=*} in
        *[!A-Za-z0-9_]*) error "$where: env: '${value%%=*}' is not a variable name" ;;
        esac
        envs=$envs$value$newline
        ;;
    args) args=${args:+$args }$value ;;
    prereq)
        [ -n "$value" ] || error "$where: prereq wants a command name"
        prereqs=$prereqs$value$newline
        ;;
    timeout)
        case $value in
        '' | *[!0-9]* | 0) error "$where: timeout wants a number of seconds, not '$value'" ;;
        esac
        limit=$value
        ;;
    *) error "$where: unknown key '$key'" ;;
    esac
done <"$recipe"

[ -n "$expect" ] || error "$recipe: no 'expect:' line"
prog=${prog:-$name}
mode=${mode:-both}
limit=${limit:-120}

# Prerequisites are checked after the whole recipe is read, so that a bad recipe
# is an error even on a machine that would skip it.
missing=
while IFS= read -r cmd; do
    [ -z "$cmd" ] && continue
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
done <<EOF
$prereqs
EOF
if [ -n "$missing" ]; then
    echo "$name: SKIP: not installed:$missing"
    exit 77
fi

case $mode in
both) modes='linked preload' ;;
*) modes=$mode ;;
esac
for m in $modes; do
    case $m in
    linked) bin=$build_dir/$prog-linked ;;
    preload)
        bin=$build_dir/$prog
        [ -r "$HC_LIB" ] || error "no library to preload: $HC_LIB"
        case $HC_LIB in
        *[[:space:]:]*) error "LD_PRELOAD cannot name a path with a space or colon: $HC_LIB" ;;
        esac
        ;;
    esac
    [ -x "$bin" ] || error "the program $bin is not built (is $prog in tests/detect/local.mk?)"
done

# --- Run ----------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-detect.XXXXXX") || error "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# An abort must not leave a core file in the build tree ('make distcheck' fails
# on files that distclean does not remove), nor spend the time writing one.
# shellcheck disable=SC3045 # not POSIX, but dash and bash have it; it may fail
ulimit -c 0 2>/dev/null || :

# run_once MODE: run the program once; sets $status and $timed_out, writes the
# raw stderr to $tmp/MODE.raw.
run_once() {
    if [ "$1" = linked ]; then bin=$build_dir/$prog-linked; else bin=$build_dir/$prog; fi
    rm -f "$tmp/expired"
    # A subshell sets the environment for the program alone: the harness itself
    # never runs under heapcheck.  exec makes the job's pid the program's, for
    # the watchdog.
    (
        unset LD_PRELOAD HEAPCHECK_OPTIONS || :
        # The symbolizer of this build, not an installed one.
        HEAPCHECK_SYMBOLIZER=$top_builddir/tools/heapcheck-symbolizer
        export HEAPCHECK_SYMBOLIZER
        if [ "$1" = preload ]; then
            LD_PRELOAD=$HC_LIB
            export LD_PRELOAD
        fi
        while IFS= read -r assignment; do
            [ -n "$assignment" ] && export "${assignment?}"
        done <<EOF
$envs
EOF
        set -f
        # shellcheck disable=SC2086 # args are split at blanks, as documented
        exec "$bin" $args
    ) </dev/null 2>"$tmp/$1.raw" &
    pid=$!
    # The watchdog: a program that hangs (a deadlock in the allocator, say) must
    # fail the test, not hang 'make check'.  It sleeps a second at a time so that,
    # killed, it leaves at most a second's sleep behind (and keeps no output open).
    (
        waited=0
        while [ "$waited" -lt "$limit" ]; do
            sleep 1
            waited=$((waited + 1))
        done
        : >"$tmp/expired"
        kill -KILL "$pid"
    ) >/dev/null 2>&1 &
    watchdog=$!
    status=0
    # (bash would also describe a job killed by a signal, quoting all of the
    # subshell above; the verdict below says it better.)
    wait "$pid" 2>/dev/null || status=$?
    # SIGKILL, not TERM: a subshell killed before it has reset the traps it was
    # forked with would run ours, and our EXIT trap deletes $tmp under the next run.
    kill -KILL "$watchdog" 2>/dev/null || :
    wait "$watchdog" 2>/dev/null || :
    timed_out=false
    if [ -e "$tmp/expired" ]; then timed_out=true; fi
}

# got STATUS: the way the program ended, in the words of the recipe.
got() {
    if [ "$1" -gt 128 ] && sig=$(kill -l "$1" 2>/dev/null); then
        echo "signal=$sig"
    else
        echo "exit=$1"
    fi
}

failed=false
: >"$tmp/diffs"
rm -f "$build_dir/$name.stderr.out" "$build_dir/$name.stderr.diff"
for m in $modes; do
    run_once "$m"
    ok=true
    if $timed_out; then
        echo "$name ($m): FAIL: still running after ${limit}s; killed"
        ok=false
        ended="timed out"
    else
        ended=$(got "$status")
        if [ "$ended" != "$expect" ]; then
            echo "$name ($m): FAIL: expected $expect, got $ended"
            ok=false
        fi
    fi
    sh "$here/filter.sh" <"$tmp/$m.raw" >"$tmp/$m.out" || error "filter.sh failed"
    if ! diff -u "$expected" "$tmp/$m.out" >"$tmp/$m.rawdiff"; then
        # Name the files as they are left in the build tree, not the temporaries.
        awk -v old="$sub/$name.stderr.exp" -v new="$sub/$name.stderr.out ($m)" '
            NR == 1 { print "--- " old; next }
            NR == 2 { print "+++ " new; next }
            { print }' "$tmp/$m.rawdiff" >"$tmp/$m.diff"
        echo "$name ($m): FAIL: stderr differs from $name.stderr.exp:"
        cat "$tmp/$m.diff"
        ok=false
    elif ! $ok; then
        # The stderr was right but the ending was not: show what it said.
        if [ -s "$tmp/$m.out" ]; then
            echo "$name ($m): its stderr, as expected:"
            sed 's/^/    /' "$tmp/$m.out"
        else
            echo "$name ($m): its stderr was empty, as expected"
        fi
        : >"$tmp/$m.diff"
    fi
    if $ok; then
        echo "$name ($m): ok, $ended, stderr as expected"
        continue
    fi
    if ! $failed; then
        cp "$tmp/$m.out" "$build_dir/$name.stderr.out"
    fi
    failed=true
    {
        echo "== $name, mode $m: $ended (expected $expect)"
        cat "$tmp/$m.diff"
    } >>"$tmp/diffs"
done

if $failed; then
    cp "$tmp/diffs" "$build_dir/$name.stderr.diff"
    echo "$name: FAIL; see $sub/$name.stderr.out and $sub/$name.stderr.diff in the build tree"
    exit 1
fi
exit 0
