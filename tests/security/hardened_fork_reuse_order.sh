#!/bin/sh
# Two fork children of one parent get the parent's freed blocks back in different
# orders under the hardened preset: the hold's random order is drawn again per child
# (hardened_fork_reuse_order.c).  Equal sequences of 64 picks among 32 places happen
# by chance with probability about 32^-64.
. "${top_srcdir:-.}/tests/security/keys_common.sh"
run hardened hardened_fork_reuse_order
cat "$work/out"
[ "$status" -eq 0 ] || fail "the program ended with status $status"
[ -s "$work/err" ] && { cat "$work/err"; fail "a report from a clean program"; }
first=$(sed -n 's/^child 0: //p' "$work/out")
second=$(sed -n 's/^child 1: //p' "$work/out")
[ -n "$first" ] && [ -n "$second" ] || fail "a child printed no sequence"
[ "$first" != "$second" ] || fail "both children got the blocks back in the same order"
finish
