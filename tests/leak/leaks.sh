#!/bin/sh
# The leak check end to end: each case of leak_cases.c through the heapcheck tool
# must be classified as expected, with its allocation symbolized to the marked line;
# and where valgrind is installed, memcheck's LEAK SUMMARY of the same program must
# give the same bytes and blocks for each of the four kinds.
set -eu
src=${top_srcdir:-.}/tests/leak
build=${top_builddir:-.}
prog=$build/tests/leak/leak_cases
tool=$build/tools/heapcheck
if [ ! -x "$prog" ] || [ ! -x "$tool" ]; then
    echo "leaks: build first" >&2
    exit 99
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

check() { # DESCRIPTION FILE PATTERN
    if grep -Eq -- "$3" "$2"; then
        passed=$((passed + 1))
        echo "PASS: $1"
    else
        failed=$((failed + 1))
        echo "FAIL: $1: no line matching '$3' in:"
        sed 's/^/    /' "$2"
    fi
}

line_of() { grep -n "LEAK:$1 " "$src/leak_cases.c" | cut -d: -f1; }

# case|expected record (regex)|function
while IFS='|' read -r name record func; do
    out=$scratch/$name.out
    HEAPCHECK_OPTIONS=dwarf_unwind=1 "$tool" --show-leak-kinds=all --error-exitcode=0 -- "$prog" "$name" \
        >"$out" 2>&1 || true
    check "$name: classified" "$out" "$record"
    check "$name: allocated at $func (leak_cases.c:$(line_of "$name"))" "$out" \
        "#[0-9]+ 0x[0-9a-f]+ in $func [^ ]*leak_cases.c:$(line_of "$name")( \(.*\))?\$"
done <<'CASES'
single|16 bytes in 1 blocks are definitely lost|leak_single
list|128 \(32 direct, 96 indirect\) bytes in 1 blocks are definitely lost|make_node
global|100 bytes in 1 blocks are still reachable|keep_global
interior|64 bytes in 1 blocks are possibly lost|keep_interior
thread|77 bytes in 1 blocks are definitely lost|thread_body
CASES

# The summaries, against memcheck's.
summary() { # FILE -> "definitely B N indirectly B N possibly B N reachable B N"
    sed -n 's/,//g; s/.*\(definitely\|indirectly\|possibly\) lost: \([0-9]*\) bytes in \([0-9]*\) blocks.*/\1 \2 \3/p;
            s/.*still reachable: \([0-9]*\) bytes in \([0-9]*\) blocks.*/reachable \1 \2/p' "$1" | tr '\n' ' '
}
if command -v valgrind >/dev/null 2>&1; then
    for name in single list global interior thread; do
        valgrind --leak-check=full --show-leak-kinds=all "$prog" "$name" >/dev/null 2>"$scratch/$name.vg" || true
        ours=$(summary "$scratch/$name.out")
        theirs=$(summary "$scratch/$name.vg")
        if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
            passed=$((passed + 1))
            echo "PASS: $name: same summary as memcheck: $ours"
        else
            failed=$((failed + 1))
            echo "FAIL: $name: heapcheck says '$ours', memcheck says '$theirs'"
        fi
    done
else
    echo "SKIP: valgrind is not installed: no comparison with memcheck"
fi
echo "leaks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
