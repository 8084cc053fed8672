#!/bin/sh
# The HTML report in a real browser: the bundled example (examples/leaky) run under
# heapcheck, its dump rendered with --html and opened in headless Chromium, which must
# run the page's script to the end without an error (the page marks its body
# data-rendered="ok", and data-script-error on any error) and whose screenshot must
# not be blank.  The same for a page of two snapshots (the chart of live bytes over
# time), and for the example with guarded slots (their strip and legend).  Skips
# where Chromium is not installed (Debian: apt-get install chromium).
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: Chromium is not installed (apt-get install chromium); the HTML report is not tested in a browser"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is needed; ./bootstrap installs it"
    exit 77
fi

browse() { # browse HTML WHAT: its script runs to the end, its screenshot is not blank
    timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$scratch/profile" \
        --dump-dom "file://$1" >"$scratch/dom" 2>"$scratch/chromium.err"
    expect_status 0 $? "Chromium opens the page of $2"
    expect_grep '<body[^>]*data-rendered="ok"' "$scratch/dom" "the page's script of $2 ran to the end"
    expect_no_grep '<body[^>]*data-script-error' "$scratch/dom" "without a script error ($2)"
    expect_grep '<canvas class="strip"\|Outside the regions' "$scratch/dom" "it drew the heap map of $2"
    rm -f "$scratch/shot.png"
    timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$scratch/profile" --window-size=1280,1800 \
        --screenshot="$scratch/shot.png" "file://$1" >/dev/null 2>>"$scratch/chromium.err"
    if python3 "$srcdir/tests/tool/png_check.py" "$scratch/shot.png" 40 0.05 >"$scratch/png"; then
        pass "the screenshot of $2 is not blank: $(cat "$scratch/png")"
    else
        fail "the screenshot of $2 looks blank: $(cat "$scratch/png" 2>/dev/null)"
    fi
}

# No guarded slots: the heap map draws the core's regions only, and with slots every
# block of this small program would be in one (so no region, no strip to draw).
HEAPCHECK_OPTIONS=guard_slots=0 "$HC" --keep-dumps="$scratch/dumps" -- ./examples/leaky >/dev/null 2>"$scratch/run"
"$HC" report --html="$scratch/leaky.html" "$scratch"/dumps/*.json 2>"$scratch/err"
expect_status 0 $? "--html of the example's dump"
expect_grep 'definitely lost' "$scratch/leaky.html" "the page has the leak summary"
expect_grep 'add_word' "$scratch/leaky.html" "and the leaking function"
expect_no_grep '<script[^>]*src=\|<link\|<img\|<iframe\|@import\|url(' "$scratch/leaky.html" \
    "nothing is fetched from elsewhere"
grep -o 'https\?://[^"]*' "$scratch/leaky.html" | grep -v '^http://www.w3.org/2000/svg$' \
    >"$scratch/urls"
expect_no_grep . "$scratch/urls" "no address but the SVG namespace appears"
browse "$scratch/leaky.html" "examples/leaky"

# With guarded slots (the default): the pool is drawn as a strip of its own.
"$HC" --keep-dumps="$scratch/slotdumps" -- ./examples/leaky >/dev/null 2>"$scratch/run"
"$HC" report --html="$scratch/slots.html" "$scratch"/slotdumps/*.json 2>"$scratch/err"
expect_status 0 $? "--html of the example's dump with guarded slots"
browse "$scratch/slots.html" "examples/leaky with guarded slots"
expect_grep 'guarded slots: 0x' "$scratch/dom" "the guarded-slot pool is labelled as its strip"
expect_grep 'guarded: a slot holding a live block' "$scratch/dom" "and the legend names its state"

"$HC" report --html="$scratch/snaps.html" "$DATA/snapshot.json" "$DATA/snapshot_later.json" \
    2>"$scratch/err"
expect_status 0 $? "--html of two snapshots"
expect_grep 'Live bytes over 2 snapshots' "$scratch/snaps.html" "it charts them over time"
browse "$scratch/snaps.html" "two snapshots"

"$HC" report --html="$scratch/mixed.html" "$DATA/snapshot.json" "$DATA/clean.json" \
    >"$scratch/out" 2>&1
expect_status 0 $? "dumps of two programs make one page"
expect_grep 'heapcheck report: 2 programs, 2 processes' "$scratch/mixed.html" "its header counts the programs"
browse "$scratch/mixed.html" "two programs"
finish
