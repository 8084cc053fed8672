#!/bin/sh
# An exit dump with more distinct leak stacks (16384, tests/tool/many_stacks.c, each
# named by two records: a definite leak and a reachable block) than the 8192 the dump
# writer's set of written stacks once held: each stack is written once (no repeated
# key in "stacks"; the old set repeated 8192), every leak record's stack is there,
# and the tool reads the dump and its folded stacks add up to the leaked bytes.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is needed; ./bootstrap installs it"
    exit 77
fi
HEAPCHECK_OPTIONS="dump_path=$scratch/hc:stack_depth=32:leak_check=full:exitcode=0:verbosity=0" \
    timeout 120 ./tests/tool/many_stacks >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "a program leaking from 16384 stacks runs"
dump=$(ls "$scratch"/hc.*.json 2>/dev/null | head -1)
[ -n "$dump" ] || fail "no exit dump was written"

python3 - "$dump" >"$scratch/check" <<'PY'
import json, sys
repeated = []
def pairs(kv):
    seen = set()
    for k, _ in kv:
        if k in seen:
            repeated.append(k)
        seen.add(k)
    return dict(kv)
d = json.load(open(sys.argv[1]), object_pairs_hook=pairs)
stacks = d["stacks"]
named = {str(r["stack"]) for r in d["leaks"]}
print("stacks", len(stacks), "leak stacks", len(named), "repeated keys", len(repeated))
bad = 0
if repeated:
    print("BAD: repeated keys, e.g.", repeated[:5])
    bad = 1
if len(named) <= 8192:
    print("BAD: only %d distinct leak stacks" % len(named))
    bad = 1
if named - set(stacks):
    print("BAD: %d leak stacks missing from stacks" % len(named - set(stacks)))
    bad = 1
sys.exit(bad)
PY
if [ $? -eq 0 ]; then
    pass "every one of more than 8192 leak stacks is written once"
else
    fail "the dump's stacks:"
fi
cat "$scratch/check"

"$HC" report --show-leak-kinds=all --folded "$dump" >"$scratch/folded" 2>"$scratch/err"
expect_status 0 $? "the tool reads the dump"
sum=$(awk '{ s += $NF } END { print s }' "$scratch/folded")
want=$(python3 -c 'import json,sys; print(sum(r["bytes"] for r in json.load(open(sys.argv[1]))["leaks"]))' "$dump")
if [ "$sum" = "$want" ] && [ "$want" -ge $((16384 * 16)) ]; then
    pass "its folded stacks add up to the $want leaked bytes"
else
    fail "folded stacks add up to $sum, the leaks to $want"
fi
finish
