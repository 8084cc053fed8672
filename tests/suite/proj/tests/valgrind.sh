#!/bin/sh
# wordfreq under valgrind's memcheck, as sed's and json-c's suites run their programs:
# no memory error while its tables grow with reallocarray.  Leaks are not looked for
# here (--leak-check=no).  Skipped without valgrind.
. "${srcdir=.}/tests/init.sh"
require_valgrind_

prog=$(command -v wordfreq) || framework_failure_ "no wordfreq in PATH"
{ seq 1 2000 && seq 1 10; } >in || framework_failure_ "cannot write the input"
"$VALGRIND" -q --error-exitcode=1 --leak-check=no "$prog" <in >out 2>vg.err
st=$?
if test $st -ne 0; then
    cat vg.err >&2
    fail_ "wordfreq under memcheck: status $st"
fi
test "$(wc -l <out)" -eq 2000 || fail=1
test "$(sed -n 1p out)" = "2 1" || fail=1
Exit $fail
