#!/bin/sh
# Suppressions: leaks and errors matched by their symbolized stacks move to
# "suppressed" and stop counting; --gen-suppressions writes blocks that suppress.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

"$SAMPLE" dump "$scratch/self.json" || exit 99

cat >"$scratch/a.supp" <<'SUPP'
# The node cache is freed by the OS at exit.
leak:node-cache
  kinds: definitely
  frame: fun:make_node
  frame: ...
  frame: fun:main

# An inlined frame counts as a frame; src: and obj: match paths or base names.
leak:inlined
  kinds: indirect
  frame: fun:inner_*
  frame: src:sample_prog.c
  frame: obj:*sample_prog

error:known-double-free
  type: double-free
  stack: found
  frame: ...
  frame: fun:write_dump
SUPP
"$HC" report --error-exitcode=9 --suppressions="$scratch/a.supp" "$scratch/self.json" \
    >"$scratch/out" 2>&1
expect_status 0 $? "everything that counts is suppressed"
expect_no_grep 'in loss record' "$scratch/out" "no loss record is shown"
expect_no_grep 'heapcheck: double-free on address' "$scratch/out" "the error is not shown"
expect_grep 'definitely lost: 0 bytes in 0 blocks' "$scratch/out" "definitely lost is 0"
expect_grep 'indirectly lost: 0 bytes in 0 blocks' "$scratch/out" "indirectly lost is 0"
expect_grep 'suppressed: 48 bytes in 3 blocks' "$scratch/out" "suppressed bytes"
expect_grep 'ERROR SUMMARY: 0 errors (suppressed: 1)' "$scratch/out" "suppressed errors"

"$HC" report --json --suppressions="$scratch/a.supp" "$scratch/self.json" >"$scratch/json"
expect_grep '"suppressed":"known-double-free"' "$scratch/json" "JSON names the suppression"

# Patterns that must not match: the innermost frame first, whole names.
cat >"$scratch/b.supp" <<'SUPP'
leak:not-innermost
  frame: fun:main
leak:partial-name
  frame: fun:make
error:other-type
  type: heap-buffer-overflow
  frame: ...
SUPP
"$HC" report --error-exitcode=9 --suppressions="$scratch/b.supp" "$scratch/self.json" \
    >"$scratch/out" 2>&1
expect_status 9 $? "suppressions that do not match"
expect_grep 'suppressed: 0 bytes in 0 blocks' "$scratch/out" "nothing suppressed"

# --errors-for-leak-kinds: what counts toward the exit status.
"$HC" report --error-exitcode=9 --suppressions="$scratch/a.supp" \
    --errors-for-leak-kinds=reachable "$scratch/self.json" >/dev/null 2>&1
expect_status 9 $? "reachable leaks made to count"

# --gen-suppressions: paste the output back in and it all goes away.
"$HC" report --gen-suppressions --show-leak-kinds=all "$scratch/self.json" >"$scratch/out" 2>&1
expect_grep '^leak:definitely-make_node-[0-9a-f]\{6\}$' "$scratch/out" "a generated leak suppression"
expect_grep '^  frame: fun:make_node$' "$scratch/out" "with frames"
expect_grep '^error:double-free-release_twice-[0-9a-f]\{6\}$' "$scratch/out" "a generated error suppression"
n_all=$(grep -c '^\(leak\|error\):' "$scratch/out")
n_uniq=$(grep '^\(leak\|error\):' "$scratch/out" | sort -u | wc -l)
if [ "$n_all" -gt 1 ] && [ "$n_all" -eq "$n_uniq" ]; then pass "$n_all generated names, all different"; else
    fail "generated names: $n_all, of which $n_uniq different"; fi
grep -v '^==' "$scratch/out" >"$scratch/gen.supp"
"$HC" report --error-exitcode=9 --errors-for-leak-kinds=all --suppressions="$scratch/gen.supp" \
    "$scratch/self.json" >"$scratch/out" 2>&1
expect_status 0 $? "generated suppressions suppress everything"
expect_grep 'suppressed: 56 bytes in 4 blocks' "$scratch/out" "all four records suppressed"

finish
