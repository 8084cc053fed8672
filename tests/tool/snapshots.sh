#!/bin/sh
# Snapshots in a running multithreaded program (tests/tool/snapshot_prog.c): by
# hc_dump_now and by the snapshot signal, while four threads allocate, without
# deadlock (the program must finish within the timeout); each snapshot's live groups
# add up to its statistics; taken while the threads are paused, its totals equal
# hc_stats() before and after; snapshot_interval_ms writes them on a clock; the tool
# draws one, and its folded stacks add up to the snapshot's live bytes.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is needed; ./bootstrap installs it"
    exit 77
fi
PROG=./tests/tool/snapshot_prog
mkdir "$scratch/snaps"
HEAPCHECK_OPTIONS="dump_path=$scratch/snaps/hc:snapshot_signal=12:leak_check=off" \
    timeout 120 "$PROG" "$scratch/snaps" "$scratch/snaps/hc" >"$scratch/out" 2>"$scratch/err"
status=$?
expect_status 0 $status "snapshots by API and by signal while threads allocate"
[ "$status" -eq 124 ] && fail "the program did not finish in 120 s: a deadlock?"
cat "$scratch/out"

python3 - "$scratch/snaps" "$scratch/out" >"$scratch/check" <<'PY'
import glob, json, sys
snaps, out = sys.argv[1], sys.argv[2]
bad = 0
triggers = {}
for path in sorted(glob.glob(snaps + "/*.snap.*.json")):
    d = json.load(open(path))
    st = d["stats"]
    triggers[d["trigger"]] = triggers.get(d["trigger"], 0) + 1
    live = sum(g["bytes"] for g in d["live"])
    blocks = sum(g["blocks"] for g in d["live"])
    if d["kind"] != "snapshot" or (live, blocks) != (st["live_bytes"], st["live_blocks"]):
        print("BAD %s: groups %d bytes in %d blocks, stats %d in %d"
              % (path, live, blocks, st["live_bytes"], st["live_blocks"]))
        bad += 1
    for r in d["heap_map"]["regions"]:
        if not r["cells"]:
            print("BAD %s: an empty heap map strip" % path)
            bad += 1
for line in open(out):
    w = line.split()
    if w[0].startswith("quiet"):
        d = json.load(open(snaps + "/" + w[1]))
        st = d["stats"]
        want = [int(x) for x in w[2:]]
        got = [st["live_bytes"], st["live_blocks"]] * 2
        print("%s: hc_stats %s, snapshot %s" % (w[0], want, got))
        if want != got:
            print("BAD %s: the snapshot's totals differ from hc_stats()" % w[0])
            bad += 1
print("triggers", sorted(triggers.items()))
if triggers.get("api", 0) != 4 or triggers.get("signal", 0) < 2:
    print("BAD: expected 4 snapshots by API and at least 2 by signal")
    bad += 1
sys.exit(1 if bad else 0)
PY
if [ $? -eq 0 ]; then
    pass "every snapshot's groups add up to its stats; paused ones equal hc_stats()"
else
    fail "snapshot contents:"
fi
cat "$scratch/check"

one=$(ls "$scratch"/snaps/*.snap.1.json)
"$HC" report --folded "$one" >"$scratch/folded" 2>"$scratch/err"
expect_status 0 $? "the tool reads a snapshot"
sum=$(awk '{ s += $NF } END { print s }' "$scratch/folded")
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["live_bytes"])' "$one")
if [ -n "$want" ] && [ "$sum" = "$want" ]; then
    pass "its folded stacks add up to its $want live bytes"
else
    fail "folded stacks add up to $sum, the snapshot has $want live bytes"
fi
expect_grep 'worker' "$scratch/folded" "the threads' stacks are symbolized"

mkdir "$scratch/clock"
HEAPCHECK_OPTIONS="dump_path=$scratch/clock/hc:snapshot_interval_ms=50:leak_check=off" \
    LD_PRELOAD="$PWD/lib/.libs/libheapcheck.so" timeout 60 sleep 1 2>"$scratch/err"
expect_status 0 $? "a program with periodic snapshots runs"
n=$(ls "$scratch"/clock/*.snap.*.json 2>/dev/null | wc -l)
if [ "$n" -ge 3 ]; then
    pass "snapshot_interval_ms=50 wrote $n snapshots in a second"
else
    fail "snapshot_interval_ms=50 wrote $n snapshots in a second"
fi
expect_grep '"trigger":"interval"' "$(ls "$scratch"/clock/*.snap.*.json | head -1)" \
    "they say what took them"
finish
