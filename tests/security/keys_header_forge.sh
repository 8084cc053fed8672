#!/bin/sh
# Header forging with a leaked canary word (issue 21, item 3): the old key-recovery
# algebra must find no key (no candidate from one canary word reproduces the canaries
# of three other blocks, so the 2^32 checksum search never starts), and the header
# rewritten with the best guess must be reported by free(), under both presets.
. "${top_srcdir:-.}/tests/security/keys_common.sh"
for preset in hardened full; do
    run "$preset" keys_header_forge
    cat "$work/out"
    grep -q "^canary inversion: [0-9]* candidates for key1, 0 reproduce" "$work/out" ||
        fail "the canary inversion found key1 ($preset)"
    grep -q "^key recovered: no$" "$work/out" || fail "the key was recovered ($preset)"
    grep -q "accepted by free" "$work/out" && fail "free() accepted the forged header ($preset)"
    expect_abort
    expect_stderr "keys_header_forge.$preset.stderr.exp"
done
finish
