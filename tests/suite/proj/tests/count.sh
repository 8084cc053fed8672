#!/bin/sh
# Words counted, most frequent first, ties alphabetically.
. "${srcdir=.}/tests/init.sh"

printf 'the cat and the hat\n\n  and the  bat\n' >in || framework_failure_ "cannot write the input"
cat >exp <<'OUT'
3 the
2 and
1 bat
1 cat
1 hat
OUT
wordfreq <in >out || fail=1
compare exp out || fail=1
# No input, no output.
wordfreq </dev/null >out || fail=1
compare /dev/null out || fail=1
Exit $fail
