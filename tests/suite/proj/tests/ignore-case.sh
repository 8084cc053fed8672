#!/bin/sh
# -i folds case: The, THE and the are one word.
. "${srcdir=.}/tests/init.sh"

printf 'The THE the Cat cat\n' >in || framework_failure_ "cannot write the input"
printf '3 the\n2 cat\n' >exp
wordfreq -i <in >out || fail=1
compare exp out || fail=1
printf '1 Cat\n1 THE\n1 The\n1 cat\n1 the\n' >exp
wordfreq <in >out || fail=1
compare exp out || fail=1
Exit $fail
