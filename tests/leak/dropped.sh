#!/bin/sh
# Blocks dropped while a stale copy of their pointer lies in dead stack (dropped.c):
# each case, at -O0 and -O2, preloaded and linked, with stdout to a file, must be
# reported definitely lost with its exact bytes and blocks and the leak exit status
# (and a block a live local of exit()'s caller holds, not lost at all);
# where valgrind is installed, memcheck must say the same of the same program.
set -eu
build=${top_builddir:-.}
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
for p in dropped_O0 dropped_O2 dropped_linked_O0 dropped_linked_O2; do
    [ -x "$build/tests/leak/$p" ] || { echo "dropped: build first ($p)" >&2; exit 99; }
done
[ -r "$lib" ] || { echo "dropped: no $lib" >&2; exit 99; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

verdict() { # DESCRIPTION STATUS FILE EXPECTED
    want=23 held=.
    if [ "$4" = "0 bytes in 0 blocks" ]; then # nothing lost: the program's status
        want=0 held="^==[0-9]*== 32 bytes in 1 blocks are still reachable"
    fi
    if [ "$2" -eq "$want" ] && grep -q "definitely lost: $4\$" "$3" && grep -q "$held" "$3" &&
        grep -q "possibly lost: 0 bytes in 0 blocks" "$3"; then
        passed=$((passed + 1))
        echo "PASS: $1: definitely lost: $4"
    else
        failed=$((failed + 1))
        echo "FAIL: $1: exit status $2, expected $want and \"definitely lost: $4\":"
        sed 's/^/    /' "$3"
    fi
}

# case|definitely lost (bytes in blocks)
while IFS='|' read -r name lost; do
    for level in O0 O2; do
        status=0
        HEAPCHECK_OPTIONS=show_leak_kinds=all LD_PRELOAD=$lib "$build/tests/leak/dropped_$level" "$name" \
            >"$scratch/stdout" 2>"$scratch/err" || status=$?
        verdict "$name -$level, preloaded" "$status" "$scratch/err" "$lost"
        status=0
        HEAPCHECK_OPTIONS=show_leak_kinds=all "$build/tests/leak/dropped_linked_$level" "$name" \
            >"$scratch/stdout" 2>"$scratch/err" || status=$?
        verdict "$name -$level, linked" "$status" "$scratch/err" "$lost"
        if command -v valgrind >/dev/null 2>&1; then
            valgrind --leak-check=full "$build/tests/leak/dropped_$level" "$name" \
                >"$scratch/stdout" 2>"$scratch/vg" || :
            if grep -q "definitely lost: $lost\$" "$scratch/vg"; then
                passed=$((passed + 1))
                echo "PASS: $name -$level: memcheck agrees: definitely lost: $lost"
            else
                failed=$((failed + 1))
                echo "FAIL: $name -$level: memcheck says otherwise:"
                sed 's/^/    /' "$scratch/vg"
            fi
        fi
    done
done <<'CASES'
printed|32 bytes in 1 blocks
loop|96 bytes in 3 blocks
nested_exit|32 bytes in 1 blocks
thread|32 bytes in 1 blocks
held|0 bytes in 0 blocks
CASES
command -v valgrind >/dev/null 2>&1 || echo "SKIP: valgrind is not installed: no comparison with memcheck"
echo "dropped: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
