#!/bin/sh
# Running programs: the shell's 127 and 126, the program's own status (128 + signal
# when killed), signals passed on, and the environment the program gets.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

"$HC" -- /nonexistent/program >"$scratch/out" 2>&1
expect_status 127 $? "a program that does not exist"
expect_grep "heapcheck: /nonexistent/program: command not found" "$scratch/out" \
    "it is reported like a shell does"

"$HC" -- no-such-command-for-heapcheck >"$scratch/out" 2>&1
expect_status 127 $? "a command not in PATH"
expect_grep "no-such-command-for-heapcheck: command not found" "$scratch/out" \
    "it is named"

printf '#!/bin/sh\nexit 0\n' >"$scratch/noexec"
chmod 644 "$scratch/noexec"
"$HC" -- "$scratch/noexec" >"$scratch/out" 2>&1
expect_status 126 $? "a file that is not executable"
"$HC" -- "$scratch" >"$scratch/out" 2>&1
expect_status 126 $? "a directory"

"$HC" -- true >"$scratch/out" 2>&1
expect_status 0 $? "true"
"$HC" true >"$scratch/out" 2>&1
expect_status 0 $? "true, without --"
"$HC" -- sh -c 'exit 3' >"$scratch/out" 2>&1
expect_status 3 $? "a program's exit status"
"$HC" -- sh -c 'kill -TERM $$' >"$scratch/out" 2>&1
expect_status 143 $? "a program killed by SIGTERM"

# A script without "#!" runs with the shell, as it would from one.
printf 'exit 4\n' >"$scratch/script"
chmod 755 "$scratch/script"
"$HC" -- "$scratch/script" >"$scratch/out" 2>&1
expect_status 4 $? "a script without #!"

HEAPCHECK_LIB=/nonexistent/libheapcheck.so "$HC" -- true >"$scratch/out" 2>&1
expect_status 2 $? "HEAPCHECK_LIB names no file"
expect_grep "HEAPCHECK_LIB=/nonexistent/libheapcheck.so" "$scratch/out" "it is named"

# The environment: the user's options first, then ours; LD_PRELOAD appended to.
lib=$(cd lib/.libs && pwd)/libheapcheck.so
# shellcheck disable=SC2016
HEAPCHECK_OPTIONS=verbosity=1 LD_PRELOAD="$lib" "$HC" -- \
    sh -c 'printf "%s\n%s\n" "$HEAPCHECK_OPTIONS" "$LD_PRELOAD"' >"$scratch/env" 2>/dev/null
expect_status 0 $? "printing the environment"
expect_grep '^verbosity=1:dump_path=/.*/hc:print_reports=0:trace_parent=0:trace_children=1:leak_check=full:exitcode=0:trace_children_skip=/usr/\*,/bin/\*,/sbin/\*,/lib/\*,/lib64/\*,/opt/\*,sh,bash,dash,.*,python\*,' "$scratch/env" \
    "HEAPCHECK_OPTIONS keeps the user's options and adds dump_path, leak_check, exitcode=0 and which processes to check (sh: trace_parent=0; shells and interpreters skipped by name)"
expect_grep "^$lib:$lib\$" "$scratch/env" "LD_PRELOAD is appended to"
# shellcheck disable=SC2016
"$HC" --leak-check=summary -- sh -c 'printf "%s\n" "$HEAPCHECK_OPTIONS"' >"$scratch/env" 2>/dev/null
expect_grep '^dump_path=/.*/hc:print_reports=0:trace_parent=0:trace_children=1:leak_check=summary:' "$scratch/env" "--leak-check=summary"

# SIGTERM sent to heapcheck reaches the program (which then ends with it).
# shellcheck disable=SC2016
"$HC" -- sh -c 'echo $$ >"$1"; exec sleep 30' sh "$scratch/pid" >/dev/null 2>&1 &
hc=$!
i=0
while [ ! -s "$scratch/pid" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
sleep 0.2
kill -TERM "$hc"
wait "$hc"
expect_status 143 $? "heapcheck passes SIGTERM on"
if kill -0 "$(cat "$scratch/pid")" 2>/dev/null; then
    fail "the program still runs after SIGTERM"
    kill "$(cat "$scratch/pid")"
else
    pass "the program got the SIGTERM"
fi

finish
