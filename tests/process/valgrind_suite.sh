#!/bin/sh
# valgrind_suite.sh: a test suite that runs valgrind itself, under heapcheck
# (docs/valgrind.md, "Valgrind inside a suite").  libheapcheck is preloaded in the
# environment, as `heapcheck -- make check` or LD_PRELOAD in a CI job leaves it,
# and the suite runs `valgrind --error-exitcode=1 --leak-check=full ./prog`.
# memcheck replaces most of heapcheck's entry points but not reallocarray or
# pvalloc; every block must still be made and freed by one allocator: no
# "Mismatched free()", no error at all on a correct program (C, and C++ when
# built), memcheck's own leak report for a planted 77-byte leak from reallocarray
# (and exit 1), and, with memcheck told to leave heapcheck in place
# (--soname-synonyms=somalloc=nouserintercepts), no error either.
# Exit status: 0 all held, 1 one failed, 77 no valgrind or no client requests, 99
# not built.
set -eu
build=${top_builddir:-.}
bin=$build/tests/process
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
valgrind=${VALGRIND:-}
[ -n "$valgrind" ] || valgrind=$(command -v valgrind 2>/dev/null) || valgrind=
if [ -z "$valgrind" ] || ! "$valgrind" --version >/dev/null 2>&1; then
    echo "valgrind_suite: SKIP: valgrind is not installed"
    exit 77
fi
if ! grep -q '^#define HAVE_VALGRIND_MEMCHECK_H 1' "$build/config.h" 2>/dev/null; then
    echo "valgrind_suite: SKIP: heapcheck was built without valgrind/memcheck.h"
    exit 77
fi
if [ ! -x "$bin/vg_suite" ] || [ ! -r "$lib" ]; then
    echo "valgrind_suite: build first" >&2
    exit 99
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hc-vgsuite.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; sed 's/^/    /' "$2"; }
unset HEAPCHECK_OPTIONS

run() { # NAME PROGRAM [ARG]... -> $scratch/NAME, status in $status
    name=$1
    shift
    status=0
    LD_PRELOAD=$lib "$valgrind" --error-exitcode=1 --leak-check=full "$@" >"$scratch/$name" 2>&1 || status=$?
}

programs=vg_suite
[ -x "$bin/vg_suite_cxx" ] && programs="$programs vg_suite_cxx"
for p in $programs; do
    run "$p" "$bin/$p"
    if [ "$status" = 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$scratch/$p" &&
       grep -q 'All heap blocks were freed' "$scratch/$p"; then
        pass "$p: memcheck finds no error and no leak"
    else
        fail "$p: exit $status" "$scratch/$p"
    fi
    run "$p.own" --soname-synonyms=somalloc=nouserintercepts "$bin/$p"
    if [ "$status" = 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$scratch/$p.own"; then
        pass "$p: no error with heapcheck's own allocator under memcheck (nouserintercepts)"
    else
        fail "$p (nouserintercepts): exit $status" "$scratch/$p.own"
    fi
done

run leak "$bin/vg_suite" leak
if [ "$status" = 1 ] && grep -q '77 bytes in 1 blocks are definitely lost' "$scratch/leak" &&
   grep -q 'definitely lost: 77 bytes in 1 blocks' "$scratch/leak" &&
   grep -q 'indirectly lost: 0 bytes' "$scratch/leak" &&
   grep -q 'possibly lost: 0 bytes' "$scratch/leak" &&
   grep -q 'ERROR SUMMARY: 1 errors from 1 contexts' "$scratch/leak" &&
   ! grep -q 'Mismatched\|Invalid' "$scratch/leak"; then
    pass "vg_suite leak: memcheck reports the 77-byte leak, and nothing else"
else
    fail "vg_suite leak: exit $status" "$scratch/leak"
fi

echo "valgrind_suite: $passed passed, $failed failed"
[ "$failed" = 0 ]
