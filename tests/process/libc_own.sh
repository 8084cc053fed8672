#!/bin/sh
# libc_own.sh: glibc's own memory is not the program's leak (docs/design.md, "The
# leak check").  libc_own does to glibc what gnulib's test-localename does (setenv
# and unsetenv many times, putenv, setlocale, newlocale, duplocale), with strerror
# and getpwnam.  With libheapcheck preloaded:
#  - a normal exit (glibc's memory released first, as memcheck does), an exit with
#    another thread running and an exit() from a signal handler (not released: what
#    remains of glibc's is suppressed) report no leak and keep exit status 0;
#  - a 33-byte leak of the program's is still reported (exit 23), and the leak
#    summary is memcheck's for the same program (definitely, indirectly, possibly
#    lost and still reachable; memcheck also releases glibc's memory at exit),
#    when valgrind is installed.
# Exit status: 0 all held, 1 one failed, 99 not built.
set -eu
src=${top_srcdir:-.}/tests/process
build=${top_builddir:-.}
prog=$build/tests/process/libc_own
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
if [ ! -x "$prog" ] || [ ! -r "$lib" ]; then
    echo "libc_own: build first" >&2
    exit 99
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hc-libcown.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; shift; for f in "$@"; do sed 's/^/    /' "$f"; done; }
unset HEAPCHECK_OPTIONS

for mode in plain thread signal; do
    arg=$mode
    [ $mode = plain ] && arg=
    status=0
    LD_PRELOAD=$lib "$prog" $arg >"$scratch/$mode" 2>&1 || status=$?
    if [ "$status" = 0 ] && grep -q 'libc_own: done' "$scratch/$mode" &&
       ! grep -q 'are .* lost\|SUMMARY' "$scratch/$mode"; then
        pass "$mode exit: no leak reported, exit status 0"
    else
        fail "$mode exit: exit status $status" "$scratch/$mode"
    fi
done

line=$(grep -n "libc_own.sh: the program's leak" "$src/libc_own.c" | cut -d: -f1)
status=0
LD_PRELOAD=$lib "$prog" leak >"$scratch/leak" 2>&1 || status=$?
if [ "$status" = 23 ] && grep -q '33 bytes in 1 blocks are definitely lost' "$scratch/leak" &&
   [ "$(grep -c 'are .* lost in loss record' "$scratch/leak")" = 1 ] &&
   grep -q "SUMMARY: heapcheck: memory-leak [^ ]*libc_own.c:$line in main; 0 errors, 33 bytes leaked in 1 block\$" "$scratch/leak"; then
    pass "leak: the program's 33 bytes reported, and nothing else"
else
    fail "leak: exit status $status" "$scratch/leak"
fi

summary() { # FILE -> "definitely B N indirectly B N possibly B N reachable B N"
    sed -n 's/,//g; s/.*\(definitely\|indirectly\|possibly\) lost: \([0-9]*\) bytes in \([0-9]*\) blocks.*/\1 \2 \3/p;
            s/.*still reachable: \([0-9]*\) bytes in \([0-9]*\) blocks.*/reachable \1 \2/p' "$1" | tr '\n' ' '
}
if command -v valgrind >/dev/null 2>&1; then
    valgrind --leak-check=full "$prog" leak >/dev/null 2>"$scratch/leak.vg" || true
    ours=$(summary "$scratch/leak")
    theirs=$(summary "$scratch/leak.vg")
    if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
        pass "leak: the same leak summary as memcheck: $ours"
    else
        fail "leak: memcheck's summary '$theirs', heapcheck's '$ours'" "$scratch/leak.vg" "$scratch/leak"
    fi
    valgrind --leak-check=full --errors-for-leak-kinds=definite,possible --error-exitcode=1 \
        "$prog" >/dev/null 2>"$scratch/plain.vg" && vg=0 || vg=$?
    if [ "$vg" = 0 ]; then
        pass "plain: memcheck agrees: no leak"
    else
        fail "plain: memcheck finds a leak (exit $vg)" "$scratch/plain.vg"
    fi
else
    echo "SKIP: memcheck's summary (valgrind is not installed)"
fi

echo "libc_own: $passed passed, $failed failed"
[ "$failed" = 0 ]
