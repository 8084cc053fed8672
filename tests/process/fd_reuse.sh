#!/bin/sh
# fd_reuse.sh: heapcheck's descriptors never meet a program's (docs/design.md,
# "Descriptors").  With libheapcheck preloaded and whole stacks (the default):
#  1. a process has no descriptor of heapcheck's below 100: fd_reuse list prints the
#     same open descriptors below 100 as without heapcheck (and heapcheck's stderr
#     is open at 100 or above);
#  2. a program that closes 3-20 (a loop) or everything from 3 (closefrom), reuses
#     3-20 for files and pipes, allocates from new stacks with data in its pipes and
#     starts children with fd 2 closed (posix_spawn, fork+exec) finds every byte as
#     it left it, ends in time, and still gets its report: the planted 24-byte leak
#     on its stderr, symbolized by a new symbolizer (the first one's socket was
#     closed), and in its log file (closed, opened again); the children's 40-byte
#     leaks in their log files and never in the file a child opened on fd 2.
# Exit status: 0 all held, 1 one failed, 99 not built.
set -eu
build=${top_builddir:-.}
prog=$build/tests/process/fd_reuse
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
if [ ! -x "$prog" ] || [ ! -r "$lib" ]; then
    echo "fd_reuse: build first" >&2
    exit 99
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hc-fdreuse.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; shift; for f in "$@"; do sed 's/^/    /' "$f"; done; }
unset HEAPCHECK_OPTIONS

# 1. No descriptor of heapcheck's below 100; heapcheck's own (its duplicate of
# stderr, libunwind's pipe) at 100 or above.
# (Each run's output goes to the same file: it names its stdout and stderr.)
"$prog" list >"$scratch/list" 2>&1 || true
mv "$scratch/list" "$scratch/plain"
LD_PRELOAD=$lib "$prog" list >"$scratch/list" 2>&1 || true
mv "$scratch/list" "$scratch/preloaded"
if grep -v '^high' "$scratch/plain" >"$scratch/plain.low" &&
   grep -v '^high' "$scratch/preloaded" >"$scratch/preloaded.low" &&
   cmp -s "$scratch/plain.low" "$scratch/preloaded.low"; then
    pass "list: the same descriptors below 100 with and without heapcheck"
else
    fail "list: descriptors below 100 differ (plain, then preloaded)" "$scratch/plain" "$scratch/preloaded"
fi
# The same with the snapshot trigger's pipe (snapshot_signal).
HEAPCHECK_OPTIONS=snapshot_signal=12 LD_PRELOAD=$lib "$prog" list >"$scratch/list" 2>&1 || true
mv "$scratch/list" "$scratch/snapshot"
if grep -v '^high' "$scratch/snapshot" | cmp -s "$scratch/plain.low" -; then
    pass "list: the same descriptors below 100 with the snapshot trigger's pipe"
else
    fail "list: descriptors below 100 differ with snapshot_signal=12 (plain, then preloaded)" \
        "$scratch/plain" "$scratch/snapshot"
fi
plain_high=$(sed -n 's/^high //p' "$scratch/plain")
preloaded_high=$(sed -n 's/^high //p' "$scratch/preloaded")
if [ -n "$plain_high" ] && [ -n "$preloaded_high" ] && [ "$preloaded_high" -ge $((plain_high + 3)) ]; then
    pass "list: heapcheck's stderr and libunwind's pipe at 100 or above ($plain_high plain, $preloaded_high preloaded)"
else
    fail "list: heapcheck's descriptors are not at 100 or above" "$scratch/plain" "$scratch/preloaded"
fi

# 2. Closing, reusing, children with fd 2 closed.
for mode in loop closefrom; do
    dir=$scratch/$mode
    mkdir "$dir"
    status=0
    HEAPCHECK_OPTIONS=log_path=$dir/parent.log LD_PRELOAD=$lib timeout -s KILL 60 \
        "$prog" "$mode" "$dir" >"$dir/out" 2>"$dir/err" || status=$?
    if [ "$status" = 23 ] && grep -q 'every check held' "$dir/out"; then
        pass "$mode: every byte as the program left it, children fine, exit 23 for the leak"
    else
        fail "$mode: exit status $status (137: killed after 60 s, hung)" "$dir/out" "$dir/err"
    fi
    if grep -q 'ERROR SUMMARY\|24 bytes in 1 blocks are definitely lost' "$dir/err" &&
       grep -q '24 bytes in 1 blocks are definitely lost' "$dir/err" &&
       grep -q 'SUMMARY: heapcheck: memory-leak .*fd_reuse.c:[0-9]* in main; 0 errors, 24 bytes leaked in 1 block' "$dir/err"; then
        pass "$mode: the planted leak reported on stderr, symbolized"
    else
        fail "$mode: no report of the planted leak on stderr" "$dir/err"
    fi
    # The log file, closed by the program with the rest, is opened again: the
    # mid-run report and the one at exit are both in it.
    if [ "$(cat "$dir"/parent.log.* 2>/dev/null | grep -c '24 bytes in 1 blocks are definitely lost')" = 2 ] &&
       grep -q 'SUMMARY: heapcheck: memory-leak' "$dir"/parent.log.*; then
        pass "$mode: both reports of the planted leak in the log file"
    else
        fail "$mode: the log file lacks a report" "$dir"/parent.log.*
    fi
    logs=$(ls "$dir"/child.log.* 2>/dev/null | wc -l)
    leaks=$(cat "$dir"/child.log.* 2>/dev/null | grep -c '40 bytes in 1 blocks are definitely lost' || true)
    if [ "$logs" = 2 ] && [ "$leaks" = 2 ]; then
        pass "$mode: both children reported their leak in their log file"
    else
        fail "$mode: $logs child logs, $leaks leak reports in them" "$dir/err"
    fi
done

echo "fd_reuse: $passed passed, $failed failed"
[ "$failed" = 0 ]
