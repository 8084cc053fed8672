#!/bin/sh
# Thousands of words: the tables grow (reallocarray) many times over.
. "${srcdir=.}/tests/init.sh"

{ seq 1 3000 && seq 1 1000; } >in || framework_failure_ "cannot write the input"
{ seq 1 1000 | sort | sed 's/^/2 /' && seq 1001 3000 | sort | sed 's/^/1 /'; } >exp ||
    framework_failure_ "cannot write the expected output"
wordfreq <in >out || fail=1
compare exp out || fail=1
Exit $fail
