#!/bin/sh
# One option language: HEAPCHECK_OPTIONS and the tool's flags read leak kinds, yes/no
# values and the leak check's level with the same functions (lib/optvalue.c), so they
# take the same words and separators, refuse the same values, and default alike
# (the tool's defaults are options.def's).
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
HC_LIB=${HC_LIB:-$PWD/lib/.libs/libheapcheck.so}
run() { # OPTIONS PROG ARGS...: the program with the library preloaded, to $scratch/out
    opts=$1
    shift
    timeout 60 env HEAPCHECK_OPTIONS="$opts" LD_PRELOAD="$HC_LIB" "$@" >"$scratch/out" 2>&1
}

# Leak kinds: ',' and '+', both spellings, in the library and the tool.
run "show_leak_kinds=definitely+indirect:leak_check=full" "$SAMPLE" leak
expect_grep 'indirectly lost in loss record' "$scratch/out" "HEAPCHECK_OPTIONS: definitely+indirect"
expect_no_grep 'warning' "$scratch/out" "is accepted without a warning"
"$HC" --show-leak-kinds=definitely+indirect -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_grep 'indirectly lost in loss record' "$scratch/out" "the tool: definitely+indirect"
run "show_leak_kinds=definite,lots" "$SAMPLE" leak
expect_grep "bad value 'lots'" "$scratch/out" "HEAPCHECK_OPTIONS: an unknown kind is refused"
"$HC" --show-leak-kinds=definite,lots -- true >"$scratch/out" 2>&1
expect_status 2 $? "the tool: the same unknown kind is refused"
# The defaults are the same: the indirect record is listed by both.
run "" "$SAMPLE" leak
expect_grep 'indirectly lost in loss record' "$scratch/out" "the library lists indirect leaks by default"
"$HC" -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_grep 'indirectly lost in loss record' "$scratch/out" "and so does the tool"

# Yes and no: 1, yes, true / 0, no, false in both; anything else refused by both.
for word in 0 no false; do
    "$HC" --trace-children="$word" -- sh -c "$SAMPLE leak" >"$scratch/out" 2>&1
    expect_status 0 $? "the tool: --trace-children=$word leaves the shell's child alone"
done
"$HC" --trace-children=true --gen-suppressions=1 -- sh -c "$SAMPLE leak" >"$scratch/out" 2>&1
expect_status 23 $? "the tool: --trace-children=true checks it"
expect_grep '^leak:' "$scratch/out" "the tool: --gen-suppressions=1 is yes"
"$HC" --trace-children=maybe -- true >"$scratch/out" 2>&1
expect_status 2 $? "the tool refuses --trace-children=maybe"
run "check_at_exit=maybe" true
expect_grep "bad value 'maybe'" "$scratch/out" "HEAPCHECK_OPTIONS refuses check_at_exit=maybe"
run "check_at_exit=false:print_reports=true" "$SAMPLE" leak
expect_no_grep 'warning' "$scratch/out" "HEAPCHECK_OPTIONS: false and true"

# The leak check's level: off or no, summary, full or yes, in both.
"$HC" --leak-check=off -- "$SAMPLE" leak >"$scratch/out" 2>&1
expect_status 0 $? "the tool: --leak-check=off"
run "leak_check=no" "$SAMPLE" leak
expect_status 0 $? "HEAPCHECK_OPTIONS: leak_check=no"
"$HC" --leak-check=some -- true >"$scratch/out" 2>&1
expect_status 2 $? "the tool refuses --leak-check=some"
run "leak_check=some" true
expect_grep "bad value 'some'" "$scratch/out" "HEAPCHECK_OPTIONS refuses leak_check=some"

finish
