#!/bin/sh
# --sort=alpha: alphabetical order, whatever the counts.
. "${srcdir=.}/tests/init.sh"
require_sort_alpha_

printf 'pear apple pear fig pear apple\n' >in || framework_failure_ "cannot write the input"
printf '2 apple\n1 fig\n3 pear\n' >exp
wordfreq --sort=alpha <in >out || fail=1
compare exp out || fail=1
Exit $fail
