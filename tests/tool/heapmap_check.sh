#!/bin/sh
# The heap map checked another way: tests/tool/heapmap_prog.c builds a heap of known
# layout (core blocks live, free and quarantined; guarded slots live and closed),
# prints where each block is and hc_stats() around one snapshot, and this test checks
# that the snapshot's map agrees: the cells inside each block have its state, in the
# heap strips and in the slots strip; each strip's exact bytes add up to its size;
# the live bytes of the strips and of "large" add up to hc_stats()'s, the free bytes
# equal its free bytes, the quarantined bytes are its quarantined bytes plus each
# block's header; the slots strip's guarded bytes are two data pages per live guarded
# block counted apart, its guard pages and never-used slots what the pool's layout
# says.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is needed; ./bootstrap installs it"
    exit 77
fi
HEAPCHECK_OPTIONS="dump_path=$scratch/hc:guard_slots=64:quarantine_size=150k:quarantine_ratio=0:leak_check=off" \
    timeout 60 ./tests/tool/heapmap_prog >"$scratch/out" 2>"$scratch/err"
expect_status 0 $? "a program of known heap layout takes a snapshot"
snap=$(ls "$scratch"/hc.*.snap.1.json 2>/dev/null)
[ -n "$snap" ] || fail "no snapshot was written"

python3 - "$snap" "$scratch/out" "$(getconf PAGESIZE)" 64 >"$scratch/check" <<'PY'
import json, re, sys
snap, out, page, nslots = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = json.load(open(snap))
m, st = d["heap_map"], d["stats"]
bad = []
def check(ok, what):
    print(("ok   " if ok else "BAD  ") + what)
    if not ok:
        bad.append(what)

def expand(rle):
    cells = []
    for n, c in re.findall(r"(\d*)([a-z])", rle):
        cells += c * int(n or 1)
    return cells

strips = []
for r in m["regions"]:
    r["base"] = int(r["base"], 16)
    r["cells"] = expand(r["cells"])
    strips.append(r)
heap = [r for r in strips if r.get("kind", "heap") == "heap"]
slots = [r for r in strips if r.get("kind") == "slots"]

blocks, stats = [], []
for line in open(out):
    w = line.split()
    if w[0] == "stats":
        stats.append([int(x) for x in w[1:]])
    else:
        blocks.append((w[0], int(w[1], 16), int(w[2])))
check(len(stats) == 2 and stats[0] == stats[1] == [st["live_bytes"], st["live_blocks"], st["free_bytes"],
      st["quarantine_bytes"], st["quarantine_blocks"]], "the snapshot's stats are hc_stats() %s" % stats[:1])

def inside(addr, size):
    """The strip holding [addr, addr + size), and the cells lying wholly inside it."""
    for r in strips:
        if r["base"] <= addr < r["base"] + r["size"]:
            first = -(-(addr - r["base"]) // r["cell"])
            last = (addr + size - r["base"]) // r["cell"]
            return r, r["cells"][first:last]
    return None, []

# Known layout: every cell wholly inside a block has the block's state.
letter = {"live": "l", "free": "f", "quarantined": "q", "guarded": "g", "closed": "c"}
in_slots = 0
for state, addr, size in blocks:
    r, cells = inside(addr, size)
    if r is not None and r.get("kind") == "slots":
        # A slot's data: the 2 pages after the guard page that starts its stride.
        in_slots += 1
        i = (addr - r["base"]) // (3 * page)
        r, cells = inside(r["base"] + i * 3 * page + page, 2 * page)
    want = letter[state]
    check(r is not None and len(cells) > 0 and set(cells) == {want},
          "%s block at %#x: %d cells inside, all %r (%s)" % (state, addr, len(cells), want,
                                                             "".join(sorted(set(cells)))))
check(in_slots == 8, "the 8 small blocks are in the slots strip (%d)" % in_slots)

# Exact bytes against hc_stats().
def total(rs, s):
    return sum(r["bytes"].get(s, 0) for r in rs)
for r in strips:
    check(sum(r["bytes"].values()) == r["size"], "strip %#x: its bytes add up to its size %d" % (r["base"], r["size"]))
    present = set(r["cells"])
    check(all(r["bytes"].get(name, 0) > 0 for name in
              [n.split("=")[1] for n in m["states"].split(",") if n[0] in present]),
          "strip %#x: each state drawn has bytes" % r["base"])
lg = m["large"]
live = total(heap, "live") + lg["live"]["bytes"] + lg["guarded"]["bytes"]
check(live == st["live_bytes"], "live bytes: strips %d + large %d + guarded %d = hc_stats %d"
      % (total(heap, "live"), lg["live"]["bytes"], lg["guarded"]["bytes"], st["live_bytes"]))
check(lg["live"]["blocks"] + lg["guarded"]["blocks"] <= st["live_blocks"], "large and guarded blocks within the live")
check(total(heap, "free") == st["free_bytes"], "free bytes: strips %d = hc_stats %d"
      % (total(heap, "free"), st["free_bytes"]))
q = total(heap, "quarantined") + lg["quarantined"]["bytes"] - st["quarantine_bytes"]
check(0 <= q <= 64 * st["quarantine_blocks"], "quarantined bytes: strips %d = hc_stats %d + headers %d"
      % (total(heap, "quarantined"), st["quarantine_bytes"], q))

# The slots strip against the pool's layout and the live guarded blocks counted apart.
check(len(slots) == 1, "one slots strip")
if slots:
    b = slots[0]["bytes"]
    used = (b.get("guarded", 0) + b.get("closed", 0)) // (2 * page)
    check(slots[0]["size"] == nslots * 3 * page + page, "the pool: %d slots of 3 pages and a guard" % nslots)
    check(b.get("guarded", 0) == 2 * page * lg["guarded"]["blocks"],
          "guarded bytes %d: two data pages per live guarded block (%d)" % (b.get("guarded", 0), lg["guarded"]["blocks"]))
    check(b.get("closed", 0) >= 3 * 2 * page, "at least the 3 freed slots are closed")
    check(b.get("overhead", 0) == used * page + page, "a guard page per used slot and one after the pool")
    check(b.get("unused", 0) == (nslots - used) * 3 * page, "the %d slots never used" % (nslots - used))
sys.exit(1 if bad else 0)
PY
if [ $? -eq 0 ]; then
    pass "the heap map agrees with the known layout and with hc_stats()"
else
    fail "the heap map disagrees:"
fi
cat "$scratch/check"
finish
