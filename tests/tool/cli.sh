#!/bin/sh
# heapcheck's command line: help, version, and clear errors (status 2) for bad flags.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

"$HC" --help >"$scratch/out" 2>&1
expect_status 0 $? "--help"
expect_grep '^usage: heapcheck' "$scratch/out" "--help shows the usage"

"$HC" --version >"$scratch/out" 2>&1
expect_status 0 $? "--version"
expect_grep '^heapcheck [0-9][0-9.]*' "$scratch/out" "--version shows the version"

"$HC" --bogus -- true >"$scratch/out" 2>&1
expect_status 2 $? "an unknown flag"
expect_grep "unknown option '--bogus'" "$scratch/out" "an unknown flag is named"
expect_grep '^usage:' "$scratch/out" "an unknown flag shows the usage"

"$HC" --error-exitcode=abc -- true >"$scratch/out" 2>&1
expect_status 2 $? "a bad --error-exitcode"
expect_grep "error-exitcode: 'abc'" "$scratch/out" "the bad value is named"

"$HC" --leak-check=maybe -- true >"$scratch/out" 2>&1
expect_status 2 $? "a bad --leak-check"

"$HC" --show-leak-kinds=definite,lots -- true >"$scratch/out" 2>&1
expect_status 2 $? "a bad leak kind"

"$HC" --log-file >"$scratch/out" 2>&1
expect_status 2 $? "a flag without its value"
expect_grep "needs a value" "$scratch/out" "the missing value is explained"

"$HC" >"$scratch/out" 2>&1
expect_status 2 $? "no program"
expect_grep "no program given" "$scratch/out" "no program is explained"

"$HC" report >"$scratch/out" 2>&1
expect_status 2 $? "report without dumps"

"$HC" report --keep-dumps="$scratch/k" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 2 $? "report with a run-only flag"

"$HC" --suppressions="$scratch/none.supp" report "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 2 $? "a missing suppression file"
expect_grep "none.supp: cannot open" "$scratch/out" "the missing file is named"

printf 'leak:x\n  frame: fun:a\n  colour: blue\n' >"$scratch/bad.supp"
"$HC" report --suppressions "$scratch/bad.supp" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 2 $? "a bad suppression file"
expect_grep "bad.supp:3: " "$scratch/out" "the bad line is named"

printf 'leak:x\n  kinds: all\n' >"$scratch/noframe.supp"
"$HC" report --suppressions "$scratch/noframe.supp" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 2 $? "a suppression without frames"

"$HC" report --log-file="$scratch/log" "$DATA/clean.json" >"$scratch/out" 2>&1
expect_status 0 $? "report --log-file"
expect_grep "heapcheck report for 100" "$scratch/log" "the report goes to the log file"
expect_no_grep "heapcheck report for" "$scratch/out" "and not to the terminal"

finish
