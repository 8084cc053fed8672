#!/bin/sh
# A double free under the hardened preset is named a double free (issue 21, item 4),
# with the block's size and its allocation and free stacks: a-a, a-b-a, and a-X-a
# (the block has left the hold: told by the freed history).  The full preset says the
# same.  a-b-a runs ten times under hardened: b's free displaces a from the hold one
# time in 32, and the report must not depend on it.
. "${top_srcdir:-.}/tests/security/keys_common.sh"
for preset in hardened full; do
    for mode in aa aba aXa; do
        run "$preset" hardened_double_free "$mode"
        expect_abort
        expect_stderr "hardened_double_free.$preset.stderr.exp"
        grep -q "returned" "$work/out" && fail "the second free of a returned ($mode, $preset)"
    done
done
for i in 1 2 3 4 5 6 7 8 9 10; do
    run hardened hardened_double_free aba
    expect_abort
    expect_stderr hardened_double_free.hardened.stderr.exp
done
finish
