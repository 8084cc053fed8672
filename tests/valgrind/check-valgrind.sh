#!/bin/sh
# check-valgrind.sh UNIT... -- PRELOADED...: memcheck over heapcheck's own code, for
# `make check-valgrind`.
#
#  - Each UNIT program (a Check suite linked with the internal library) runs under
#    memcheck with CK_FORK=no, so that the tests run in the process memcheck
#    watches rather than in children it does not follow.  Check itself uses the
#    system allocator, which memcheck replaces as usual.
#  - Each PRELOADED program (built without heapcheck) runs under memcheck with
#    libheapcheck preloaded, the heapcheck way of docs/valgrind.md.
#
# Memcheck runs with --error-exitcode=1 --leak-check=full -q: any error, any
# definite or possible leak, or a failing test fails the program, and the target.
# Programs are given as paths from the build tree.
#
# Environment (set by the Makefile): top_builddir, HC_LIB, VALGRIND (default:
# valgrind from PATH).  Exit status: 0 all clean, 1 a program failed, 99 setup
# error (no valgrind: this target exists to run it).
set -eu

die() {
    echo "check-valgrind: ERROR: $*" >&2
    exit 99
}

top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}
valgrind=${VALGRIND:-}
if [ -z "$valgrind" ]; then
    valgrind=$(command -v valgrind 2>/dev/null) || valgrind=
fi
if [ -z "$valgrind" ] || ! "$valgrind" --version >/dev/null 2>&1; then
    die "valgrind is not installed (Debian package valgrind)"
fi
top_builddir=$(cd "$top_builddir" && pwd) || die "no build tree at $top_builddir"
case $HC_LIB in
/*) ;;
*) HC_LIB=$(pwd)/$HC_LIB ;;
esac
case $HC_LIB in
*[[:space:]:]*) die "LD_PRELOAD cannot name a path with a space or colon: $HC_LIB" ;;
esac
[ -r "$HC_LIB" ] || die "no library to preload: $HC_LIB"

# The caller's valgrind options, preloads and heapcheck options stay out of it.
unset VALGRIND_OPTS LD_PRELOAD HEAPCHECK_OPTIONS DEBUGINFOD_URLS || :

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-check-valgrind.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

vg_opts='--error-exitcode=1 --leak-check=full -q'
ok=0
bad=0

# one HOW PROGRAM: run PROGRAM under memcheck; HOW is unit or preload.
one() {
    prog=$2
    case $prog in
    /*) ;;
    *) prog=$top_builddir/$prog ;;
    esac
    [ -x "$prog" ] || die "$2 is not built"
    started=$(date +%s)
    status=0
    if [ "$1" = unit ]; then
        # libtool's execute mode runs the real program should this one be a libtool
        # wrapper script (memcheck would otherwise check the shell).
        # shellcheck disable=SC2086 # a list of options
        CK_FORK=no "$top_builddir/libtool" --mode=execute \
            "$valgrind" $vg_opts "$prog" </dev/null >"$tmp/out" 2>&1 || status=$?
    else
        # shellcheck disable=SC2086
        env LD_PRELOAD="$HC_LIB" "$valgrind" --soname-synonyms=somalloc=nouserintercepts \
            $vg_opts "$prog" </dev/null >"$tmp/out" 2>&1 || status=$?
    fi
    took=$(($(date +%s) - started))
    if [ "$status" -eq 0 ]; then
        ok=$((ok + 1))
        echo "check-valgrind: $2 ($1): clean (${took}s)"
    else
        bad=$((bad + 1))
        echo "check-valgrind: $2 ($1): FAILED, exit status $status (${took}s):"
        sed 's/^/  | /' "$tmp/out"
    fi
}

how=unit
for arg in "$@"; do
    if [ "$arg" = -- ]; then
        how=preload
        continue
    fi
    one "$how" "$arg"
done
echo "check-valgrind: $ok clean, $bad failed"
[ "$bad" -eq 0 ]
