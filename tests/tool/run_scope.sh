#!/bin/sh
# Which processes a run checks, and what it prints: a script named on the command line
# (a "#!" file, like libtool's bash wrappers) is not checked, nor are the subshells it
# forks, but the programs it runs are; a shell or interpreter is not checked wherever
# it is installed; a run of one process prints the summary line too, and a process
# without findings prints nothing else; an installed tool whose prefix is inside the
# build tree uses the installed library, not the build tree's.
# shellcheck disable=SC2016 # the commands given to sh -c expand there
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
unset HEAPCHECK_OPTIONS
SAMPLE_ABS=$(cd "$(dirname "$SAMPLE")" && pwd)/sample_prog

# A script with subshells and command substitutions (the shape of libtool's wrapper),
# which then runs the program.
cat >"$scratch/wrapper.sh" <<SH
#!/bin/sh
( : ) ; x=\$(echo forked) ; y=\$( (echo again) )
"$SAMPLE_ABS" leak
SH
chmod 755 "$scratch/wrapper.sh"
"$HC" -- "$scratch/wrapper.sh" >"$scratch/out" 2>&1
expect_status 23 $? "a script that runs a leaking program"
expect_grep '^heapcheck: 1 process checked, 1 with findings: .*/sample_prog (pid [0-9]*)$' \
    "$scratch/out" "the script's shell and its forks are not checked; the program it runs is"

# A shell outside the system's directories, run as a child: not checked either.
sh_path=$(command -v sh)
cp "$sh_path" "$scratch/bash" || exit 99
"$HC" -- env "$scratch/bash" -c '( : ); echo $(echo hi)' >"$scratch/out" 2>&1
expect_status 0 $? "a shell copied out of /bin"
expect_grep '^heapcheck: 0 processes checked, 0 with findings$' "$scratch/out" \
    "a shell is skipped by its name, wherever it is"

# One process without findings: nothing but the summary line.
"$HC" -- "$SAMPLE_ABS" dump "$scratch/ignored.json" >"$scratch/out" 2>&1
expect_status 0 $? "a clean program"
expect_no_grep 'heapcheck report for\|LEAK SUMMARY\|ERROR SUMMARY' "$scratch/out" \
    "a process without findings prints no report"
expect_grep '^heapcheck: 1 process checked, 0 with findings$' "$scratch/out" \
    "the summary line, for one process"
"$HC" -- "$SAMPLE_ABS" leak >"$scratch/out" 2>&1
expect_grep '^heapcheck: 1 process checked, 1 with findings: .*/sample_prog (pid [0-9]*)$' \
    "$scratch/out" "one process with findings: its report, then the summary line"
expect_grep 'definitely lost in loss record' "$scratch/out" "its report"

# An installed tool (PREFIX/bin/heapcheck, PREFIX inside the build tree) does not
# take the build tree's library for its own.
tool=tools/.libs/heapcheck
[ -x "$tool" ] || tool=tools/heapcheck
mkdir -p "$scratch/build/lib/.libs" "$scratch/build/inst/bin" || exit 99
cp "$tool" "$scratch/build/inst/bin/heapcheck" || exit 99
printf 'not a library\n' >"$scratch/build/lib/.libs/libheapcheck.so"
LD_LIBRARY_PATH="$(pwd)/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$scratch/build/inst/bin/heapcheck" -- true >"$scratch/out" 2>&1
expect_no_grep "$scratch/build/lib" "$scratch/out" \
    "the installed tool does not preload the build tree's library"
case $(cat "$scratch/out") in
*"cannot find the heapcheck library"*|*"processes checked"*|*"process checked"*)
    pass "it uses the installed library (or says there is none)" ;;
*) fail "unexpected output:"; sed 's/^/  | /' "$scratch/out" >&2 ;;
esac

finish
