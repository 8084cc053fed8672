#!/bin/sh
# heapcheck report of a whole suite's dumps: dumps of several programs make one page
# (--program=NAME picks one), its header names the programs with their number of
# processes (not a wall of pids); the processes of one program are merged in the
# flame graph, the folded stacks and the errors; "top allocation sites" skip
# allocation wrappers (xmalloc by default, --alloc-fn=NAME more); a process that died
# before its leak check is said to have had none (not "nothing leaked"); the heap held
# from the OS is the sum over the processes; every error shows its likely cause; the
# "never used" swatch is visible.
# shellcheck disable=SC2016 # the commands given to sh -c expand there
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
unset HEAPCHECK_OPTIONS
SAMPLE_ABS=$(cd "$(dirname "$SAMPLE")" && pwd)/sample_prog

# A small suite: three leaking runs of sample_prog, two overflows, a use after free,
# the wrapper program.
"$HC" --keep-dumps="$scratch/d" -- sh -c '
    for i in 1 2 3; do "$1" leak; done
    ./tests/detect/overflow 13 1; ./tests/detect/overflow 13 1
    ./tests/detect/access uaf-middle
    ./tests/tool/wrapper_prog >/dev/null
    exit 0' sh "$SAMPLE_ABS" >"$scratch/run" 2>&1
set -- "$scratch"/d/hc.*.json
n=$#
if [ "$n" -eq 7 ]; then pass "seven dumps kept"; else fail "$n dumps kept, expected 7"; fi

"$HC" report --html="$scratch/all.html" "$scratch"/d/hc.*.json >"$scratch/out" 2>&1
expect_status 0 $? "--html of dumps of four programs"
tr '\n' ' ' <"$scratch/all.html" | sed 's/<header>/\n<header>/; s/<\/header>/<\/header>\n/' | grep '^<header>' |
    sed 's/<[^>]*>/ /g' >"$scratch/header"
expect_grep 'heapcheck report: 4 programs, 7 processes' "$scratch/header" "the header counts programs and processes"
expect_grep 'sample_prog (3 processes), overflow (2 processes), access (1 process), wrapper_prog (1 process)' \
    "$scratch/header" "and names each program with its number of processes"
expect_no_grep '[0-9]\{3,\}' "$scratch/header" "no pids in the header"

# Errors: the two overflows at one place are shown once, with the likely cause.
n=$(grep -c '<details class="error"' "$scratch/all.html")
if [ "$n" -eq 2 ]; then pass "two errors shown: the overflow (2 processes) and the use after free"; else fail "$n errors shown, expected 2"; fi
expect_grep 'overflow, in 2 processes' "$scratch/all.html" "the merged overflow counts its processes"
expect_grep '<p class="cause">likely cause: an index or length off by one' "$scratch/all.html" \
    "the overflow's likely cause"
expect_grep '<p class="cause">likely cause: a dangling pointer' "$scratch/all.html" \
    "the use after free's likely cause"
# Leaks: three processes had no leak check.
expect_grep 'The leak check did not run in 3 of the 7 processes (2 aborted on an error, 1 died of a fatal signal, before it)' \
    "$scratch/all.html" "the processes that died before their leak check are told apart"
# Top sites: xmalloc is skipped.
expect_grep '<summary><code class="fn">make_name</code>' "$scratch/all.html" \
    "top sites: the leak through xmalloc is at make_name"
expect_no_grep '<summary><code class="fn">xmalloc</code>' "$scratch/all.html" "xmalloc is not a site"
"$HC" report --alloc-fn=my_alloc --html="$scratch/alloc.html" "$scratch"/d/hc.*.json >/dev/null 2>&1
expect_grep '<summary><code class="fn">make_table</code>' "$scratch/alloc.html" \
    "--alloc-fn=my_alloc: the site is its caller, make_table"
expect_no_grep "u:'#fafafa'" "$scratch/all.html" "the never-used swatch is not #fafafa on white"

# A dump whose process died before its leak check, alone: not "Nothing leaked".
overflow_dump=$(grep -l '"exe": *"[^"]*/overflow"' "$scratch"/d/hc.*.json | head -1)
"$HC" report --html="$scratch/ovf.html" "$overflow_dump" >/dev/null 2>&1
expect_grep 'No leak check ran, so nothing is known of the leaks' "$scratch/ovf.html" \
    "an aborted process: the leak check did not run"
expect_no_grep 'Nothing leaked' "$scratch/ovf.html" "not 'Nothing leaked'"
expect_grep 'leaks<b>not checked</b>' "$scratch/ovf.html" "its card says the leaks were not checked"

# The heap held from the OS: the sum of the processes' exit dumps.
heap=$(python3 -c '
import json, sys
print(sum(json.load(open(f))["stats"]["heap_bytes"] for f in sys.argv[1:]))' "$scratch"/d/hc.*.json)
expect_grep "heap held from the OS (all processes)<b>$heap bytes</b>\|heap held from the OS (all processes)<b>[0-9.]* KiB</b>" \
    "$scratch/all.html" "the heap held is summed over the processes"

# --program: one program's page; an unknown one is refused.
"$HC" report --program=overflow --html="$scratch/one.html" "$scratch"/d/hc.*.json >/dev/null 2>&1
expect_status 0 $? "--program=overflow"
expect_grep 'heapcheck report: [^<]*/overflow</h1>' "$scratch/one.html" "the page is overflow's"
expect_no_grep 'sample_prog' "$scratch/one.html" "and has nothing of the other programs"
"$HC" report --program=no-such-prog --html="$scratch/none.html" "$scratch"/d/hc.*.json >"$scratch/out" 2>&1
expect_status 2 $? "--program naming no dump's program"
expect_grep 'no-such-prog: none of the dumps is of that program' "$scratch/out" "is said clearly"

# Folded stacks and the flame graph: the three sample_prog processes merged.
"$HC" report --program="$SAMPLE_ABS" --folded "$scratch"/d/hc.*.json >"$scratch/folded" 2>&1
expect_grep '^_start;__libc_start_main_impl;__libc_start_call_main;main;leak_list 144$' "$scratch/folded" \
    "--folded: one line, the three processes' 48 bytes each added"
n=$(wc -l <"$scratch/folded")
if [ "$n" -eq 1 ]; then pass "one folded line for three processes"; else fail "$n folded lines"; fi
"$HC" report --folded "$scratch"/d/hc.*.json >"$scratch/folded" 2>&1
expect_grep '^sample_prog;_start;.*;leak_list 144$' "$scratch/folded" \
    "several programs: each line starts with its program, no pid"
"$HC" report --program=sample_prog --svg="$scratch/f.svg" "$scratch"/d/hc.*.json >/dev/null 2>&1
expect_no_grep 'sample_prog\[' "$scratch/f.svg" "the flame graph has no box per process"
expect_grep '144 bytes in 9 blocks' "$scratch/f.svg" "it draws the three processes' leaks together"

finish
