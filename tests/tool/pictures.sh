#!/bin/sh
# heapcheck report --folded / --svg on known dumps: folded stacks against golden files;
# the flame graph parses as XML and its boxes add up to the dump's bytes; the HTML
# page's heap map carries the dump's strips, the guarded-slot pool flagged; mixed or
# bad dumps give clear errors and status 2.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
GOLDEN="$srcdir/tests/tool/golden"
if ! command -v python3 >/dev/null 2>&1 || ! command -v xmllint >/dev/null 2>&1; then
    echo "SKIP: python3 and xmllint (libxml2-utils) are needed; ./bootstrap installs them"
    exit 77
fi

# golden NAME ARGS...: folded stacks of ARGS equal tests/tool/golden/NAME
golden() {
    name=$1
    shift
    "$HC" report --folded "$@" >"$scratch/$name" 2>"$scratch/err"
    expect_status 0 $? "--folded $name"
    if diff -u "$GOLDEN/$name" "$scratch/$name" >"$scratch/diff"; then
        pass "$name matches its golden file"
    else
        fail "$name differs from its golden file:"
        cat "$scratch/diff" >&2
    fi
}
golden snapshot.folded "$DATA/snapshot.json"
golden valid.folded "$DATA/valid.json"
golden valid_clean_all.folded --show-leak-kinds=all "$DATA/valid.json" "$DATA/clean.json"

# svg DUMP BYTES [FLAGS...]: drawn, well-formed, boxes adding up to BYTES
svg() {
    dump=$1
    bytes=$2
    shift 2
    "$HC" report --svg="$scratch/f.svg" "$@" "$dump" >"$scratch/out" 2>&1
    expect_status 0 $? "--svg of $dump"
    if xmllint --noout "$scratch/f.svg" 2>"$scratch/xml"; then
        pass "the SVG of $dump is well-formed XML"
    else
        fail "the SVG of $dump is not well-formed XML:"
        cat "$scratch/xml" >&2
    fi
    if python3 "$srcdir/tests/tool/svg_check.py" "$scratch/f.svg" "$bytes" >"$scratch/check"; then
        pass "the boxes of $dump add up to $bytes bytes"
    else
        fail "the boxes of $dump do not add up:"
        cat "$scratch/check" >&2
    fi
}
svg "$DATA/snapshot.json" 7400    # the live groups' bytes
svg "$DATA/valid.json" 348        # definite 16 + indirect 32 + possible 300
expect_grep 'Leaked memory by allocation stack' "$scratch/f.svg" "a leak graph says so"
expect_grep 'definitely lost' "$scratch/f.svg" "with its legend"
svg "$DATA/valid.json" 412 --show-leak-kinds=all

# The heap map of a run with guarded slots (the default): the dump's slots strip is
# passed to the HTML page's map data, flagged as the pool, with the same cells.
"$HC" --keep-dumps="$scratch/slotdumps" -- ./examples/leaky >/dev/null 2>"$scratch/run"
"$HC" report --html="$scratch/slots.html" "$scratch"/slotdumps/*.json 2>"$scratch/err"
expect_status 0 $? "--html of a dump with guarded slots"
if python3 - "$scratch/slots.html" "$scratch"/slotdumps/*.json >"$scratch/check" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
maps = json.loads(re.search(r'<script type="application/json" id="hc-maps">(.*?)</script>', page, re.S).group(1))
strips = json.load(open(sys.argv[2]))["heap_map"]["regions"]
want = [[r["base"], r["size"], r["cell"], r["cells"], 1 if r.get("kind") == "slots" else 0] for r in strips]
got = [[int(r[0], 16), r[1], r[2], r[3], r[4]] for r in maps[-1]["regions"]]
want = [[int(r[0], 16)] + r[1:] for r in want]
print("strips", len(want), "slots strips", sum(r[4] for r in want), "page", len(got))
sys.exit(0 if want == got and sum(r[4] for r in want) == 1 and set(want[-1][3]) & set("gc") else 1)
PY
then
    pass "the page draws the dump's strips, the guarded-slot pool flagged: $(cat "$scratch/check")"
else
    fail "the page's heap map differs from the dump's: $(cat "$scratch/check")"
fi
expect_grep "guarded slots" "$scratch/slots.html" "the page's script labels the pool's strip"

# refuse PATTERN WHAT ARGS...: status 2 and a message matching PATTERN
refuse() {
    pattern=$1
    what=$2
    shift 2
    "$HC" report "$@" >"$scratch/out" 2>&1
    expect_status 2 $? "$what is refused"
    expect_grep "$pattern" "$scratch/out" "$what: clear message"
}
refuse 'mixed dumps: .*snapshot.json is a snapshot, .*valid.json an exit dump' \
    "a snapshot with an exit dump" --folded "$DATA/snapshot.json" "$DATA/valid.json"
refuse 'several snapshots of process 4242' "two snapshots of a process" \
    --svg="$scratch/x.svg" "$DATA/snapshot.json" "$DATA/snapshot_later.json"
refuse 'bad_map_cells.json: at heap_map.regions\[0\]: "cells" holds something other' \
    "a heap map with a bad cell" --folded "$DATA/bad_map_cells.json"
refuse 'bad_map_kind.json: at heap_map.regions\[0\]: "kind" must be "heap" or "slots"' \
    "a heap map strip of an unknown kind" --folded "$DATA/bad_map_kind.json"
refuse 'bad_live_stack.json: at live\[2\]: stack 8 is not in "stacks"' \
    "a live group with no stack" --folded "$DATA/bad_live_stack.json"
refuse 'bad_newer.json: written by a newer heapcheck' "a newer dump" --folded \
    "$DATA/bad_newer.json"
refuse "cannot write $scratch/none/x.svg" "an SVG that cannot be written" \
    --svg="$scratch/none/x.svg" "$DATA/valid.json"
refuse "separate outputs" "--json with --folded" --json --folded "$DATA/valid.json"
"$HC" --folded -- true >"$scratch/out" 2>&1
expect_status 2 $? "--folded when running a program"
finish
