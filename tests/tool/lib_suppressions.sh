#!/bin/sh
# Suppressions in the library (HEAPCHECK_OPTIONS=suppressions=FILE,FILE), without the
# tool: the same files as the tool's (lib/suppfile.c is compiled into both), memcheck's
# format included.  A suppressed leak leaves the report and the exit status, its bytes
# move to "suppressed"; a suppressed error is not reported, not counted and does not
# abort; bad files, missing files, FIFOs and a table overflow get warnings naming the
# file (and line) and lose nothing else.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
HC_LIB=${HC_LIB:-$PWD/lib/.libs/libheapcheck.so}
DOUBLE=./tests/detect/double_free
run() { # OPTIONS PROG ARGS...: the program with the library preloaded, to $scratch/out
    opts=$1
    shift
    timeout 60 env HEAPCHECK_OPTIONS="$opts" LD_PRELOAD="$HC_LIB" "$@" >"$scratch/out" 2>&1
}

run "" "$SAMPLE" leak
expect_status 23 $? "without suppressions the leak counts"
expect_grep 'definitely lost in loss record' "$scratch/out" "and is shown"

cat >"$scratch/vg.supp" <<'SUPP'
{
   uninitialised-in-zlib
   Memcheck:Cond
   fun:inflateReset2
}
{
   sample-list-leak
   Memcheck:Leak
   match-leak-kinds: definite,indirect
   fun:malloc
   fun:leak_l[i]st
   fun:m*n
}
SUPP
run "suppressions=$scratch/vg.supp:leak_check=summary" "$SAMPLE" leak
expect_status 0 $? "Memcheck:Leak in the library: nothing counts"
expect_grep 'suppressed: 48 bytes in 3 blocks' "$scratch/out" \
    "the 48 bytes (16 definite, 32 indirect) are counted as suppressed"
expect_grep 'definitely lost: 0 bytes in 0 blocks' "$scratch/out" "none is left definitely lost"
run "suppressions=$scratch/vg.supp" "$SAMPLE" leak
expect_no_grep 'in loss record' "$scratch/out" "leak_check=full: no loss record shown"

sed 's/match-leak-kinds: definite,indirect/match-leak-kinds: definite/' "$scratch/vg.supp" \
    >"$scratch/definite.supp"
run "suppressions=$scratch/definite.supp:show_leak_kinds=all" "$SAMPLE" leak
expect_grep 'indirectly lost in loss record' "$scratch/out" "match-leak-kinds: definite keeps the indirect record"
expect_no_grep 'definitely lost in loss record' "$scratch/out" "and suppresses the definite one"
sed 's/fun:leak_l\[i\]st/fun:leak_lis/' "$scratch/vg.supp" >"$scratch/other.supp"
run "suppressions=$scratch/other.supp" "$SAMPLE" leak
expect_status 23 $? "a name must match whole: fun:leak_lis does not match leak_list"

# Errors: a heapcheck-format block, the second file of the list; no abort.
run "" "$DOUBLE" 0
expect_grep 'heapcheck: double-free' "$scratch/out" "without suppressions the double free is shown"
printf 'error:known-double-free\n  type: double-*\n  stack: found\n  frame: fun:main\n' \
    >"$scratch/df.supp"
run "suppressions=$scratch/vg.supp,$scratch/df.supp:verbosity=2" "$DOUBLE" 0
expect_status 0 $? "the suppressed double free neither aborts nor counts"
expect_no_grep 'double-free\|aborting' "$scratch/out" "and is not reported"
expect_grep 'heapcheck: suppressed: 1 errors, 0 leak records' "$scratch/out" \
    "verbosity=2 counts it as suppressed"
printf 'error:other\n  type: double-free\n  stack: allocated\n  frame: fun:nowhere\n' \
    >"$scratch/nodf.supp"
run "suppressions=$scratch/nodf.supp" "$DOUBLE" 0
expect_grep 'heapcheck: double-free' "$scratch/out" "a block for another stack does not hide it"

# A bad block is skipped with FILE:LINE; the file's good blocks still apply.
{
    printf 'leak:bad-one\n  kinds: definitely,sometimes\n  frame: fun:leak_list\n'
    printf 'leak:no-frame\n  kinds: all\n'
    printf 'leak:good\n  kinds: all\n  frame: fun:leak_list\n'
} >"$scratch/mixed.supp"
run "suppressions=$scratch/mixed.supp" "$SAMPLE" leak
expect_status 0 $? "the good block after two bad ones still suppresses the leak"
expect_grep "warning: suppressions: .*mixed.supp:2: kinds are" "$scratch/out" "a bad kind: FILE:LINE"
expect_grep "mixed.supp:4: suppression 'no-frame' has no 'frame:' line" "$scratch/out" \
    "a block without frames: FILE:LINE"

# Files that cannot be read: a warning naming them, and the leak is still reported.
run "suppressions=$scratch/missing.supp" "$SAMPLE" leak
expect_status 23 $? "a missing file suppresses nothing"
expect_grep "suppressions: .*missing.supp: No such file or directory" "$scratch/out" "it is named"
mkfifo "$scratch/fifo"
run "suppressions=$scratch/fifo" "$SAMPLE" leak
expect_status 23 $? "a FIFO is not waited on"
expect_grep "suppressions: .*fifo: not a regular file" "$scratch/out" "it is named"

# Past the table's bounds: one warning; the blocks read before still apply.
awk 'BEGIN { print "leak:first\n  frame: fun:leak_list";
             for (i = 0; i < 4200; i++) printf "leak:filler-%d\n  frame: fun:f%d\n", i, i }' \
    >"$scratch/big.supp"
run "suppressions=$scratch/big.supp" "$SAMPLE" leak
expect_status 0 $? "a table overflow keeps the blocks before it"
n=$(grep -c 'too many suppressions' "$scratch/out")
if [ "$n" -eq 1 ]; then pass "one warning for the overflow"; else fail "$n overflow warnings"; fi

finish
