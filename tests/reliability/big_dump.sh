#!/bin/sh
# heapcheck report refuses a dump past its size limit (--max-dump-size), naming the
# file: /dev/zero must not eat memory (run under a 1 GiB address-space limit), and a
# file just over a lowered limit is refused while the same limit plus one reads on.
set -eu
tool=${top_builddir:-.}/tools/heapcheck
[ -x "$tool" ] || { echo "big_dump: build first" >&2; exit 99; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
check() { # DESCRIPTION CONDITION...
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); echo "PASS: $what"
    else failed=$((failed + 1)); echo "FAIL: $what"; sed 's/^/    /' "$dir/err"; fi
}
status=0
(ulimit -v 1048576; timeout 60 "$tool" report /dev/zero) >/dev/null 2>"$dir/err" || status=$?
check "/dev/zero: refused with status 2" [ "$status" -eq 2 ]
check "/dev/zero: the message names the file and the limit" \
    grep -q "cannot read dump: /dev/zero: larger than the limit of 268435456 bytes" "$dir/err"
# 5000 bytes: refused at 4999, past the size check (then not JSON) at 5000.
head -c 5000 /dev/zero | tr '\0' ' ' >"$dir/blank.json"
status=0
"$tool" report --max-dump-size=4999 "$dir/blank.json" >/dev/null 2>"$dir/err" || status=$?
check "a 5000-byte file over --max-dump-size=4999: refused, named" \
    grep -q "$dir/blank.json: larger than the limit of 4999 bytes" "$dir/err"
status=0
"$tool" report --max-dump-size=5000 "$dir/blank.json" >/dev/null 2>"$dir/err" || status=$?
check "the same file at --max-dump-size=5000: read (and found not to be JSON)" \
    sh -c "! grep -q 'larger than the limit' '$dir/err' && grep -q 'blank.json' '$dir/err'"
echo "big_dump: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
