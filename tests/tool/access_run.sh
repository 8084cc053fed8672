#!/bin/sh
# Faults caught at the access, through the whole pipeline: the library's fault report
# goes into the dump written as the process dies, and the tool symbolizes the access
# to the program's file:line.  With abort_on_error=0 the finding made before the
# fault (an overflow into a block's slack, reported at free) is in the dump too, and
# the program goes on after the fault to its end.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

PROG=./tests/detect/access
SRC=$srcdir/tests/detect/access.c
line_of() { grep -n "MARK:$1 " "$SRC" | cut -d: -f1; }

"$HC" -- "$PROG" waf >"$scratch/waf" 2>&1
expect_grep 'heapcheck: heap-use-after-free on address' "$scratch/waf" "a use after free"
expect_grep 'found by a WRITE in thread T0 at:$' "$scratch/waf" "as a WRITE, in the main thread"
expect_grep "#0 .* in main .*/access\.c:$(line_of write_after_free) (" "$scratch/waf" \
    "the access's own file:line first"
expect_grep 'is 5 bytes inside the 64-byte block' "$scratch/waf" "the offset in the block"
expect_grep 'and freed by thread T0 at:$' "$scratch/waf" "the free stack"
expect_grep "^==[0-9]*== SUMMARY: heapcheck: heap-use-after-free .*/access\.c:$(line_of write_after_free) in main; 1 error, leaks not checked\$" \
    "$scratch/waf" "the SUMMARY line: the class, the access's place, no leak check (it died)"

HEAPCHECK_OPTIONS=abort_on_error=0 "$HC" -- "$PROG" continue >"$scratch/cont" 2>&1
expect_grep 'heapcheck: heap-buffer-overflow on address' "$scratch/cont" "the finding before the crash survives"
expect_grep "#0 .* in main .*/access\.c:$(line_of continue_free) (" "$scratch/cont" "found at the free"
expect_grep 'found by a READ in thread T0 at:$' "$scratch/cont" "then the crash's own report"
expect_grep "#0 .* in main .*/access\.c:$(line_of continue_read) (" "$scratch/cont" "at the read"
expect_grep 'ERROR SUMMARY: 2 errors' "$scratch/cont" "two errors"
expect_grep "^==[0-9]*== SUMMARY: heapcheck: heap-buffer-overflow .*/access\.c:$(line_of continue_free) in main; 2 errors, 0 bytes leaked in 0 blocks\$" \
    "$scratch/cont" "the SUMMARY line names the first error and counts both (the program went on to its leak check)"

finish
