#!/bin/sh
# Dumps that are truncated, garbled, of a newer version or wrong in a field: each gives
# a clear error naming the file and the place, and `heapcheck report` exits 2.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

# check FILE STATUS-WANTED PATTERN WHAT
check() {
    "$HC" report "$DATA/$1" >"$scratch/out" 2>&1
    expect_status 2 $? "$1 is refused"
    expect_grep "cannot read dump: .*$1: $2" "$scratch/out" "$1: $3"
}

check bad_truncated.json 'line [0-9]*, column [0-9]* (byte [0-9]*): .*truncated' \
    "a truncated dump says where and that it is truncated"
check bad_garbled.json 'line 1, column [0-9]* (byte [0-9]*): ' "garbled JSON says where"
check bad_binary.json 'line 1, column [0-9]* ' "binary junk says where"
check bad_empty.json 'empty file' "an empty file"
check bad_newer.json 'written by a newer heapcheck: dump format version 4' "a newer version"
check bad_format.json 'not a heapcheck dump' "another kind of JSON"
check bad_toplevel.json 'not a heapcheck dump: the top level is an array' "a JSON array"
check bad_missing_exe.json 'missing key "exe"' "a missing key"
check bad_address.json 'at errors\[0\]\.address: "602000000020" is not an address' "a bad address"
check bad_dangling_stack.json 'at errors\[2\]\.free_stack: stack 99 is not in "stacks"' \
    "a stack id with no stack"
check bad_type.json 'at leaks\[2\]\.bytes: expected a whole number, found a string' \
    "a field of the wrong type"
check bad_leak_kind.json 'at leaks\[2\]: unknown leak kind "lost"' "an unknown leak kind"
check bad_duplicate.json 'line 1, column [0-9]* (byte [0-9]*): duplicate object key' \
    "a duplicate key"

"$HC" report "$scratch/missing.json" >"$scratch/out" 2>&1
expect_status 2 $? "a dump that does not exist"
expect_grep "missing.json: cannot open: No such file" "$scratch/out" "it is named"

# Good dumps beside a bad one are still shown, and the status says something failed.
"$HC" report "$DATA/clean.json" "$DATA/bad_newer.json" "$DATA/summary_only.json" \
    >"$scratch/out" 2>&1
expect_status 2 $? "a bad dump among good ones"
expect_grep 'heapcheck report for 100 ' "$scratch/out" "the first good dump is shown"
expect_grep 'heapcheck report for 101 ' "$scratch/out" "the second good dump is shown"

# A valid dump that uses every error kind and unknown keys.
"$HC" report "$DATA/valid.json" >"$scratch/out" 2>&1
expect_status 0 $? "the handwritten valid dump"
for phrase in \
    'is 0 bytes after the 16-byte block at 0x602000000010; 3 bytes past the block.s end changed (its rear canary)$' \
    'is 8 bytes before the 16-byte block at 0x602000000010; 1 byte before the block.s start changed (its front canary)$' \
    '0x602000000010 is the 16-byte block at 0x602000000010, which was already freed$' \
    'is 4 bytes inside the 16-byte block at 0x602000000010; only the block.s start may be freed$' \
    '0x7fffffffe000 is not in any block heapcheck allocated' \
    'found by the quarantine (as the block left it), called at:$' \
    'the first changed byte is at offset 8, 2 bytes changed$' \
    'the block at 0x602000000010 cannot be trusted: checksum mismatch$' \
    'heapcheck: alloc-dealloc-mismatch on address 0x602000000030$' \
    'found by operator delete, called at:$' \
    'heapcheck: invalid-free of an interior pointer on address 0x602000000014$' \
    'found by operator delete\[\], called at:$' \
    'the 16-byte block at 0x602000000010 was allocated at:$' \
    '(3 more errors were not recorded in the dump)' \
    '#0 0x5555555551c0 (/nonexistent/prog+0x11c0)$' \
    '#1 0x7ffff7fc1234 (linux-vdso.so.1+0x234)$' \
    'cannot read /nonexistent/prog' \
    '300 bytes in 3 blocks are possibly lost in loss record 1 of 4' \
    'ERROR SUMMARY: 12 errors (suppressed: 0)'; do
    expect_grep "$phrase" "$scratch/out" "valid.json: $phrase"
done

finish
