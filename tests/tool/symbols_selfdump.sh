#!/bin/sh
# The test program writes a dump of itself (real module map, real return addresses);
# `heapcheck report` must name the functions and the marked lines, inlined frames
# included, in text and in JSON.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

src="$srcdir/tests/tool/sample_prog.c"
line_of() {
    grep -n "MARK:$1 " "$src" | cut -d: -f1
}
"$SAMPLE" dump "$scratch/self.json" || exit 99

"$HC" report "$scratch/self.json" >"$scratch/out" 2>&1
expect_status 0 $? "report of the program's own dump"
expect_grep "#0 0x[0-9a-f]* in make_node .*/sample_prog\.c:$(line_of make_node) (" \
    "$scratch/out" "make_node at its marked line"
expect_grep "#0 0x[0-9a-f]* in release_twice .*/sample_prog\.c:$(line_of release_twice) (" \
    "$scratch/out" "release_twice at its marked line"
# An inlined frame and the function it was inlined into share a return address and
# take consecutive numbers, as ASan numbers them.
grep -A1 "#[0-9]* 0x[0-9a-f]* in inner_alloc .*/sample_prog\.c:$(line_of inner_alloc) (" "$scratch/out" \
    >"$scratch/pair"
expect_grep "in inner_alloc" "$scratch/pair" "the inlined inner_alloc"
expect_grep "in make_inlined .*/sample_prog\.c:$(line_of make_inlined) (" "$scratch/pair" \
    "then the function it was inlined into, at the call"
n1=$(sed -n '1s/.*#\([0-9]*\) .*/\1/p' "$scratch/pair"); n2=$(sed -n '2s/.*#\([0-9]*\) .*/\1/p' "$scratch/pair")
a1=$(sed -n '1s/.*#[0-9]* \(0x[0-9a-f]*\) .*/\1/p' "$scratch/pair"); a2=$(sed -n '2s/.*#[0-9]* \(0x[0-9a-f]*\) .*/\1/p' "$scratch/pair")
expect_status 0 "$(test -n "$n1" && test "$n2" = $((n1 + 1)) && test "$a1" = "$a2"; echo $?)" \
    "inlined frame #$n1 and its caller #$n2: consecutive numbers, one address"
expect_grep ' in main .*/sample_prog\.c:[0-9]' "$scratch/out" "main"
expect_grep 'heapcheck: double-free on address' "$scratch/out" "the error"
expect_grep 'found by free(), called at:$' "$scratch/out" "found by free()"
expect_grep 'the 16-byte block at 0x[0-9a-f]* was allocated at:$' "$scratch/out" \
    "its allocation stack (this hand-made dump of version 1 names no family)"
expect_grep 'and freed at:$' "$scratch/out" "its free stack"
expect_grep '48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 1 of 3' \
    "$scratch/out" "the definitely lost record"
expect_grep '32 bytes in 2 blocks are indirectly lost in loss record 2 of 3' \
    "$scratch/out" "the indirectly lost record"
expect_no_grep 'still reachable in loss record' "$scratch/out" "reachable records hidden"
expect_grep 'definitely lost: 16 bytes in 1 blocks' "$scratch/out" "LEAK SUMMARY"
expect_grep 'still reachable: 8 bytes in 1 blocks' "$scratch/out" "LEAK SUMMARY, reachable"
expect_grep 'ERROR SUMMARY: 1 errors' "$scratch/out" "ERROR SUMMARY"

"$HC" report --show-reachable "$scratch/self.json" >"$scratch/out" 2>&1
expect_grep '8 bytes in 1 blocks are still reachable in loss record 3 of 3' "$scratch/out" \
    "--show-reachable shows them"
"$HC" report --show-leak-kinds=none "$scratch/self.json" >"$scratch/out" 2>&1
expect_no_grep 'in loss record' "$scratch/out" "--show-leak-kinds=none"

"$HC" report --error-exitcode=7 "$scratch/self.json" >/dev/null 2>&1
expect_status 7 $? "report --error-exitcode with errors"

# JSON: one document; frames are objects.
"$HC" report --json "$scratch/self.json" >"$scratch/json" 2>"$scratch/err"
expect_status 0 $? "report --json"
expect_grep '^{"format":"heapcheck-report","version":1,"processes":\[' "$scratch/json" \
    "the JSON document"
expect_grep '"function":"make_node","file":"[^"]*/sample_prog\.c","line":'"$(line_of make_node)" \
    "$scratch/json" "a frame object"
expect_grep '"function":"inner_alloc","file":"[^"]*","line":[0-9]*,"inlined":true' \
    "$scratch/json" "an inlined frame object"
if command -v jq >/dev/null 2>&1; then
    if jq -e '.processes[0].leaks[0].stack[0].function == "make_node"' "$scratch/json" \
        >/dev/null; then
        pass "jq reads the document"
    else
        fail "jq: unexpected document"
    fi
fi

# A module rebuilt since the run: its frames are not symbolized, with a warning.
sed 's/"build_id":""/"build_id":"0123456789abcdef"/' "$scratch/self.json" >"$scratch/changed.json"
"$HC" report "$scratch/changed.json" >"$scratch/out" 2>&1
expect_grep 'has changed since the program ran' "$scratch/out" "a build ID mismatch is reported"
expect_no_grep 'in make_node' "$scratch/out" "and its frames are left unsymbolized"
expect_grep '#0 0x[0-9a-f]* (/.*sample_prog+0x[0-9a-f]*)$' "$scratch/out" \
    "they show module+offset"

finish
