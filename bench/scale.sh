#!/bin/sh
# How heapcheck's cost per operation grows with the number of live blocks: run
# bench-scale (a free + malloc churn at random sizes, bench/scale.c) with 10^3 to 10^7
# live blocks, with glibc and with libheapcheck preloaded under each preset, and time
# hc_check_heap() and hc_leak_report() with 10^6 live blocks.  Called by
# `make bench-scale`, from the build directory.  Writes, for today's date:
#   $BENCH_OUT/DATE-scale.md   Markdown tables and the verdict on O(log n)
#   $BENCH_OUT/DATE-scale.tsv  every single run
#   $BENCH_OUT/DATE-scale.svg  ns/op against live blocks, log x (gnuplot)
#
# The allocators alternate within each round (rotated by one place per round, as in
# bench/run.sh), and each number is the median of the rounds.  At 10^7 live blocks
# the heap holds about 2.6 GB of payload (sizes 16-512 B), 4-5 GB of RSS with
# heapcheck full: keep the machine's other work in mind.
#
# Environment (empty means the default):
#   BENCH_RUNS     rounds                                            [3]
#   BENCH_SIZES    numbers of live blocks             [1000 10000 100000 1000000 10000000]
#   BENCH_OPS      churn steps per run                               [2000000]
#   BENCH_PRESETS  heapcheck presets                                 [none hardened full]
#   BENCH_CHECK_LIVE  live blocks for the hc_check_heap/hc_leak_report timing [1000000]
#   BENCH_OUT      directory for the results                         [bench/results]
#   BENCH_DATE     date in the file names                            [date +%F]
#   BENCH_PROG, BENCH_LIB   bench-scale and libheapcheck (.so, or the .la beside .libs)
#   BENCH_VERSION  heapcheck's version, for the header
set -eu

prog=${BENCH_PROG:-bench/bench-scale}
lib=${BENCH_LIB:-lib/libheapcheck.la}
out=${BENCH_OUT:-bench/results}
runs=${BENCH_RUNS:-3}
sizes=${BENCH_SIZES:-1000 10000 100000 1000000 10000000}
ops=${BENCH_OPS:-2000000}
presets=${BENCH_PRESETS:-none hardened full}
check_live=${BENCH_CHECK_LIVE:-1000000}
day=${BENCH_DATE:-$(date +%F)}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "bench-scale: $*" >&2
    exit 1
}

for v in "$runs" "$ops" "$check_live" $sizes; do
    case $v in '' | *[!0-9]* | 0) die "not a positive integer: '$v' (BENCH_RUNS, BENCH_OPS, BENCH_SIZES, BENCH_CHECK_LIVE)" ;; esac
done
[ -x "$prog" ] || die "no program $prog (run: make bench-scale)"
. "$(dirname "$0")/common.sh"
lib=$(preload_path "$lib") || exit 1

unset LD_PRELOAD HEAPCHECK_OPTIONS GLIBC_TUNABLES MALLOC_CHECK_ MALLOC_PERTURB_ 2>/dev/null || true
allocators="glibc $presets"

# The chart needs gnuplot: install it as root with apt-get, or go on without a chart.
if ! command -v gnuplot >/dev/null 2>&1; then
    if [ "${BENCH_INSTALL:-1}" != 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench-scale: installing gnuplot-nox for the chart" >&2
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -q && apt-get install -y -q --no-install-recommends gnuplot-nox; } >&2 ||
            echo "bench-scale: could not install gnuplot-nox" >&2
    else
        echo "bench-scale: no gnuplot: the chart needs apt-get install gnuplot-nox" >&2
    fi
fi

mkdir -p "$out" || die "cannot create $out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
raw=$tmp/raw
: >"$raw"

# One run: append "live, allocator, round, ns/op, fill ns/op, peak RSS KiB, check s,
# leak report s" to the file $4 (the last two "-" unless timed, with --check as $5).
measure() {
    alloc=$1 live=$2 round=$3 file=$4 check=${5:-}
    # $check is one word or nothing; unquoted so that nothing adds no argument.
    # shellcheck disable=SC2086
    if [ "$alloc" = glibc ]; then
        line=$("$prog" "$live" "$ops" $check 2>"$tmp/err") ||
            die "bench-scale $live failed with glibc: $(tail -n 1 "$tmp/err")"
    else
        line=$(LD_PRELOAD=$lib HEAPCHECK_OPTIONS=preset=$alloc "$prog" "$live" "$ops" $check \
            2>"$tmp/err") ||
            die "bench-scale $live failed with heapcheck preset=$alloc: $(tail -n 1 "$tmp/err")"
    fi
    echo "$line" | awk -v a="$alloc" -v r="$round" '
        {
            for (i = 2; i <= NF; i++) {
                eq = index($i, "=")
                v[substr($i, 1, eq - 1)] = substr($i, eq + 1)
            }
            if (v["ns_per_op"] == "")
                exit 1
            c = ("check_heap_s" in v) ? v["check_heap_s"] : "-"
            l = ("leak_report_s" in v) ? v["leak_report_s"] : "-"
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v["live"], a, r, v["ns_per_op"],
                v["fill_ns_per_op"], v["peak_rss_kib"], c, l
        }' >>"$file" || die "cannot read the output of bench-scale: $line"
}

start=$(date +%s)
for live in $sizes; do
    round=1
    while [ "$round" -le "$runs" ]; do
        # shellcheck disable=SC2086 # the list is words
        order=$(rotate $((round - 1)) $allocators)
        printf 'bench-scale: %s live blocks, round %d of %d:' "$live" "$round" "$runs" >&2
        for alloc in $order; do
            printf ' %s' "$alloc" >&2
            measure "$alloc" "$live" "$round" "$raw"
        done
        echo >&2
        round=$((round + 1))
    done
done
# The heap check and the leak report: separate runs, so that their pass over the
# heap does not disturb the churn timing above; 1,000 churn steps just to age the heap.
checks=$tmp/checks
: >"$checks"
ops_saved=$ops
ops=1000
round=1
while [ "$round" -le "$runs" ]; do
    printf 'bench-scale: hc_check_heap and hc_leak_report, %s live blocks, round %d of %d:' \
        "$check_live" "$round" "$runs" >&2
    # shellcheck disable=SC2086 # the list is words
    for alloc in $(rotate $((round - 1)) $presets); do
        printf ' %s' "$alloc" >&2
        measure "$alloc" "$check_live" "$round" "$checks" --check
    done
    echo >&2
    round=$((round + 1))
done
ops=$ops_saved
elapsed=$(($(date +%s) - start))

# "median min max" of column c for one allocator at one size, in file f.
stats() {
    awk -F '\t' -v l="$1" -v a="$2" -v c="$3" '$1 == l && $2 == a && $c != "-" { print $c }' "$4" |
        median_min_max || echo "nan nan nan"
}

version=$(heapcheck_version "$srcdir" "${BENCH_VERSION:-}")

# The medians, one line per size: live, then ns/op of each allocator, for the chart
# and the verdict.
medians=$tmp/medians
for live in $sizes; do
    printf '%s' "$live"
    for alloc in $allocators; do
        # shellcheck disable=SC2046
        set -- $(stats "$live" "$alloc" 4 "$raw")
        printf '\t%s' "$1"
    done
    echo
done >"$medians"

md=$tmp/md
{
    echo "# heapcheck: cost per operation against live blocks"
    echo
    echo "- date: $day ($(date -u '+%H:%M UTC')); the run took $((elapsed / 60)) min $((elapsed % 60)) s"
    echo "- machine: $(machine_description)"
    echo "- heapcheck: ${version:-unknown version}, preloaded (HEAPCHECK_OPTIONS=preset=...)"
    echo "- method: bench-scale (bench/scale.c) allocates N blocks of 16-512 B, then times" \
        "$ops steps of free(random live block) + malloc(random size); $runs rounds," \
        "allocators alternating; medians, with the min-max of the rounds"
    echo
    echo "## ns per free + malloc"
    echo
    printf '| live blocks |'
    for alloc in $allocators; do printf ' %s |' "$alloc"; done
    for alloc in $presets; do printf ' %s / glibc |' "$alloc"; done
    echo
    printf '|---:|'
    for alloc in $allocators $presets; do printf -- '---:|'; done
    echo
    for live in $sizes; do
        # shellcheck disable=SC2046
        set -- $(stats "$live" glibc 4 "$raw")
        base=$1
        printf '| %s |' "$live"
        for alloc in $allocators; do
            # shellcheck disable=SC2046
            set -- $(stats "$live" "$alloc" 4 "$raw")
            printf ' %.0f (%.0f-%.0f) |' "$1" "$2" "$3"
        done
        for alloc in $presets; do
            # shellcheck disable=SC2046
            set -- $(stats "$live" "$alloc" 4 "$raw")
            awk -v m="$1" -v b="$base" 'BEGIN { printf " %.2fx |", m / b }'
        done
        echo
    done
    echo
    echo "## Filling the heap (ns per malloc) and peak RSS"
    echo
    printf '| live blocks |'
    for alloc in $allocators; do printf ' %s fill ns |' "$alloc"; done
    for alloc in $allocators; do printf ' %s RSS MiB |' "$alloc"; done
    echo
    printf '|---:|'
    for alloc in $allocators $allocators; do printf -- '---:|'; done
    echo
    for live in $sizes; do
        printf '| %s |' "$live"
        for alloc in $allocators; do
            # shellcheck disable=SC2046
            set -- $(stats "$live" "$alloc" 5 "$raw")
            printf ' %.0f |' "$1"
        done
        for alloc in $allocators; do
            # shellcheck disable=SC2046
            set -- $(stats "$live" "$alloc" 6 "$raw")
            awk -v k="$1" 'BEGIN { printf " %.0f |", k / 1024 }'
        done
        echo
    done
    echo
    echo "## Heap check and leak report with $check_live live blocks"
    echo
    echo "| preset | hc_check_heap() s (median, min-max) | hc_leak_report() s (median, min-max) |"
    echo "|---|---:|---:|"
    for alloc in $presets; do
        # shellcheck disable=SC2046
        set -- $(stats "$check_live" "$alloc" 7 "$checks") $(stats "$check_live" "$alloc" 8 "$checks")
        awk -v a="$alloc" -v m="$1" -v lo="$2" -v hi="$3" -v lm="$4" -v llo="$5" -v lhi="$6" 'BEGIN {
            printf "| %s | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) |\n", a, m, lo, hi, lm, llo, lhi
        }'
    done
    echo
    echo "Every block is reachable from the program's pointer array, so the leak report" \
        "finds nothing but still scans and marks every block. Under preset=none" \
        "heapcheck keeps no record of blocks, so both calls have nothing to walk."
    echo
    echo "## Growth: no faster than O(log n)?"
    echo
    # Two views of each allocator's growth from the smallest n to each larger one,
    # beside the O(log n) bound log n / log n0:
    #  - raw: ns/op(n) / ns/op(n0).  This includes the memory system's share: random
    #    blocks in a heap that outgrows the caches and the TLB cost misses that any
    #    allocator pays, glibc's constant-time one too.
    #  - extra: (ns/op(n) - glibc's) / (ns/op(n0) - glibc's), heapcheck's cost over
    #    glibc's on the same machine and the same sequence of requests; the verdict
    #    is taken on it, allowing 20% for noise.
    awk -F '\t' -v names="$allocators" '
        BEGIN { na = split(names, a, " ") }
        { n[NR] = $1; for (i = 1; i <= na; i++) v[NR, i] = $(i + 1) }
        END {
            if (NR < 2) { print "Only one size measured: no growth to judge."; exit }
            printf "| growth from %s live blocks |", n[1]
            for (r = 2; r <= NR; r++) printf " to %s |", n[r]
            printf " verdict on the extra cost |\n|---|"
            for (r = 2; r <= NR; r++) printf "---:|"
            printf "---|\n"
            printf "| log n / log %s (the O(log n) bound) |", n[1]
            for (r = 2; r <= NR; r++) printf " %.2f |", log(n[r]) / log(n[1])
            printf " |\n"
            for (i = 1; i <= na; i++) {
                printf "| %s, raw ns/op |", a[i]
                for (r = 2; r <= NR; r++) printf " %.2f |", v[r, i] / v[1, i]
                printf " |\n"
            }
            for (i = 2; i <= na; i++) {
                ok = 1
                printf "| %s, extra over glibc |", a[i]
                for (r = 2; r <= NR; r++) {
                    e0 = v[1, i] - v[1, 1]; e = v[r, i] - v[r, 1]
                    g = (e0 > 0) ? e / e0 : 0
                    if (e0 <= 0 || g > 1.2 * log(n[r]) / log(n[1])) ok = 0
                    printf " %.2f |", g
                }
                verdict[i] = ok
                printf " %s |\n", ok ? "within O(log n)" : "grows faster than log n"
            }
            printf "\n"
            for (i = 2; i <= na; i++) {
                e0 = v[1, i] - v[1, 1]; e = v[NR, i] - v[NR, 1]
                printf "- heapcheck %s: %.0f ns/op at %s live blocks, %.0f at %s (glibc: %.0f, %.0f);", \
                    a[i], v[1, i], n[1], v[NR, i], n[NR], v[1, 1], v[NR, 1]
                printf " its cost over glibc grows %.2fx while log n grows %.2fx:", \
                    (e0 > 0 ? e / e0 : 0), log(n[NR]) / log(n[1])
                printf " %s.\n", verdict[i] ? "**no faster than O(log n)**" : \
                    "**faster than O(log n)** at some size (see the row above)"
            }
        }' "$medians"
} >"$md"

# The chart: ns/op against live blocks, both axes logarithmic.
svg=
if command -v gnuplot >/dev/null 2>&1; then
    {
        printf 'live'
        for alloc in $allocators; do printf '\t%s' "$alloc"; done
        echo
        cat "$medians"
    } >"$tmp/scale.dat"
    # shellcheck disable=SC2086 # the list is words
    ncol=$(($(set -- $allocators; echo $#) + 1))
    cat >"$tmp/chart.gp" <<EOF
set terminal svg size 900,560 dynamic font "sans,12" background "white"
set output "$tmp/chart.svg"
set datafile separator "\t"
set title "Cost of free + malloc against live blocks, $day (median of $runs)"
set xlabel "live blocks (log scale)"
set ylabel "ns per free + malloc (log scale)"
set logscale xy
set autoscale xfix
set format x "10^{%T}"
set grid xtics ytics mytics lc rgb "#dddddd"
set key left top
array c[4] = ["#7f7f7f", "#2ca02c", "#1f77b4", "#d62728"]
plot for [i=2:$ncol] "$tmp/scale.dat" using 1:i with linespoints lw 2 pt 7 lc rgb c[(i - 2) % 4 + 1] title columnheader(i)
EOF
    if gnuplot "$tmp/chart.gp" 2>"$tmp/gnuplot.log"; then
        svg=$out/$day-scale.svg
        mv "$tmp/chart.svg" "$svg"
        printf '\n![ns per operation against live blocks](%s)\n' "$(basename "$svg")" >>"$md"
    else
        echo "bench-scale: gnuplot failed, no chart: $(grep -v '^[[:space:]]*$' "$tmp/gnuplot.log" | tail -n 1)" >&2
    fi
else
    echo "bench-scale: no gnuplot (apt-get install gnuplot-nox): no chart" >&2
fi

{
    printf 'live_blocks\tallocator\tround\tns_per_op\tfill_ns_per_op\tpeak_rss_kib\tcheck_heap_s\tleak_report_s\n'
    cat "$raw" "$checks"
} >"$out/$day-scale.tsv"
mv "$md" "$out/$day-scale.md"
cat "$out/$day-scale.md"
echo >&2
echo "bench-scale: written to $out/$day-scale.md (every run in $day-scale.tsv${svg:+, chart $day-scale.svg})" >&2
