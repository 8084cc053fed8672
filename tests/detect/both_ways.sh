#!/bin/sh
# both_ways.sh: one renderer.  Every detection recipe (tests/detect/*.detect) is run
# preloaded (linked when its mode says so) with a dump, and each finding the library
# printed on stderr must come out of `heapcheck report` on that dump with the same
# lines: the headline, the sentence, the stack headings with their threads, every
# frame of the program, the likely cause; and the same SUMMARY line, when the library
# printed one.  Both texts go through filter.sh.
#
# Differences left out of the comparison, and why:
#  - frame numbers, and heapcheck's own frames: the tool leaves out the frames inside
#    libheapcheck at the top of a stack (a fault caught inside it), the library shows
#    them (filter.sh folds them into one line), so the numbers after them differ;
#  - "+0x..." after a function name: the library names a frame without debug
#    information by its ELF symbol and offset, the tool by the symbol alone;
#  - frames in the system's libraries: filter.sh drops them from both (their names
#    depend on glibc's debug package).
# Everything else must be equal.  A recipe whose program writes no dump (none) is
# skipped with a note; at least one finding and one SUMMARY line must have been compared.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}
HC=$top_builddir/tools/heapcheck
here=$top_srcdir/tests/detect
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-both.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0 2>/dev/null || :
failures=0
compared=0
summaries=0

# The findings of a report: from "heapcheck: CLASS ..." to "likely cause:", with the
# differences above taken out.
findings() {
    sh "$here/filter.sh" | awk '
        /^==PID== heapcheck: / && !/heapcheck: aborting/ && !/heapcheck: warning/ &&
            !/heapcheck report for/ { on = 1 }
        on { print }
        /^==PID==   likely cause: / { on = 0 }' |
        grep -v "in heapcheck's own frames" |
        sed -E -e 's/^(==PID==     )#[0-9N]+ /\1# /' -e 's/( in [^ ]+)\+0x\.\.\./\1/'
}

for recipe in "$here"/*.detect; do
    name=$(basename "$recipe" .detect)
    prog=$(sed -n 's/^prog:[[:space:]]*//p' "$recipe")
    prog=${prog:-$name}
    args=$(sed -n 's/^args:[[:space:]]*//p' "$recipe" | tr '\n' ' ')
    mode=$(sed -n 's/^mode:[[:space:]]*//p' "$recipe")
    opts=$(sed -n 's/^env:[[:space:]]*HEAPCHECK_OPTIONS=//p' "$recipe")
    others=$(sed -n 's/^env:[[:space:]]*//p' "$recipe" | grep -v '^HEAPCHECK_OPTIONS=')
    bin=$top_builddir/tests/detect/$prog
    [ "$mode" = linked ] && bin=$bin-linked
    [ -x "$bin" ] || { echo "$name: not built, skipped"; continue; }
    rm -rf "$tmp/d" && mkdir "$tmp/d"
    (
        unset LD_PRELOAD HEAPCHECK_OPTIONS || :
        HEAPCHECK_SYMBOLIZER=$top_builddir/tools/heapcheck-symbolizer
        HEAPCHECK_OPTIONS=${opts:+$opts:}dump_path=$tmp/d/hc
        export HEAPCHECK_SYMBOLIZER HEAPCHECK_OPTIONS
        [ "$mode" = linked ] || { LD_PRELOAD=$HC_LIB; export LD_PRELOAD; }
        for assignment in $others; do export "${assignment?}"; done
        set -f
        # shellcheck disable=SC2086 # split at blanks, as run.sh does
        exec "$bin" $args
    ) </dev/null >/dev/null 2>"$tmp/lib.raw"
    # Only what the library printed before its own dump line: a process's report.
    findings <"$tmp/lib.raw" >"$tmp/lib"
    if ! ls "$tmp"/d/hc.*.json >/dev/null 2>&1; then
        echo "$name: no dump written, skipped"
        continue
    fi
    "$HC" report "$tmp"/d/hc.*.json 2>/dev/null | findings >"$tmp/tool"
    # A fork test prints its processes' reports in the order they ran; the tool in
    # the order of its dumps: compare as sorted blocks of lines.
    sort "$tmp/lib" >"$tmp/lib.sorted"
    sort "$tmp/tool" >"$tmp/tool.sorted"
    # The SUMMARY lines (lib/finding_text.c's finding_summary) too, where the library
    # printed one.
    sh "$here/filter.sh" <"$tmp/lib.raw" | grep '^==PID== SUMMARY: heapcheck: ' | sort >"$tmp/lib.sum"
    "$HC" report "$tmp"/d/hc.*.json 2>/dev/null | sh "$here/filter.sh" |
        grep '^==PID== SUMMARY: heapcheck: ' | sort >"$tmp/tool.sum"
    if ! diff -u "$tmp/lib" "$tmp/tool" >"$tmp/diff" &&
        ! cmp -s "$tmp/lib.sorted" "$tmp/tool.sorted"; then
        echo "FAIL: $name: the tool's rendering differs from the library's:"
        sed 's/^/    /' "$tmp/diff"
        failures=$((failures + 1))
    elif [ -s "$tmp/lib.sum" ] && ! diff -u "$tmp/lib.sum" "$tmp/tool.sum" >"$tmp/diff"; then
        echo "FAIL: $name: the tool's SUMMARY line differs from the library's:"
        sed 's/^/    /' "$tmp/diff"
        failures=$((failures + 1))
    else
        n=$(grep -c '^==PID== heapcheck: ' "$tmp/lib")
        echo "ok: $name ($n finding(s))"
        compared=$((compared + n))
        summaries=$((summaries + $(wc -l <"$tmp/lib.sum")))
    fi
done
[ "$compared" -gt 0 ] || { echo "FAIL: no finding was compared"; failures=$((failures + 1)); }
[ "$summaries" -gt 0 ] || { echo "FAIL: no SUMMARY line was compared"; failures=$((failures + 1)); }
echo "$compared findings and $summaries SUMMARY lines compared, $failures recipe(s) differ"
[ "$failures" -eq 0 ]
