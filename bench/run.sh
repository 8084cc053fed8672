#!/bin/sh
# Compare heapcheck with the system allocator: run each workload of bench-workloads
# with glibc's malloc and with libheapcheck preloaded under each preset, and print a
# Markdown table of medians and ratios (also written to $BENCH_OUT/latest.md, with
# every single run in latest.tsv).  Called by `make bench`, from the build directory.
#
# The allocators alternate within each round (glibc, none, hardened, full, then the
# next round starts one place further along), so a machine that slows down or speeds
# up during the run affects all of them alike instead of whichever ran last.
#
# Environment (empty means the default):
#   BENCH_PROG       the bench-workloads program       [bench/bench-workloads]
#   BENCH_LIB        libheapcheck: the shared object, or the libtool .la beside
#                    its .libs directory                 [lib/libheapcheck.la]
#   BENCH_OUT        where latest.md and latest.tsv go  [bench/results]
#   BENCH_RUNS       rounds; each runs every allocator once per workload  [5]
#   BENCH_WORKLOADS  workloads to run                   [all: bench-workloads --list]
#   BENCH_PRESETS    heapcheck presets to run           [none hardened full]
#   BENCH_OPS        ops for every workload             [each workload's own]
#   BENCH_VERSION    heapcheck's version, for the header
set -eu

prog=${BENCH_PROG:-bench/bench-workloads}
lib=${BENCH_LIB:-lib/libheapcheck.la}
out=${BENCH_OUT:-bench/results}
runs=${BENCH_RUNS:-5}
presets=${BENCH_PRESETS:-none hardened full}
ops=${BENCH_OPS:-}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "bench: $*" >&2
    exit 1
}

case $runs in
'' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer, not '$runs'" ;;
esac
case $ops in
*[!0-9]*) die "BENCH_OPS must be a positive integer, not '$ops'" ;;
esac
[ -x "$prog" ] || die "no program $prog (run: make bench)"

. "$(dirname "$0")/common.sh"
lib=$(preload_path "$lib") || exit 1

# The glibc runs must not inherit a preload or options from the caller's shell.
unset LD_PRELOAD HEAPCHECK_OPTIONS

workloads=${BENCH_WORKLOADS:-$("$prog" --list)}
# One line, words separated by single spaces, so " $workloads " can be searched.
workloads=$(printf '%s\n' "$workloads" | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//')
allocators="glibc $presets"

mkdir -p "$out" || die "cannot create $out"
raw=$out/latest.tsv.$$
table=$out/latest.md.$$
trap 'rm -f "$raw" "$table"' EXIT
trap 'exit 130' INT TERM
: >"$raw"

# One run: append "workload, allocator, round, ops/s, peak RSS KiB" to the raw data.
measure() {
    alloc=$1 workload=$2 round=$3
    # ops is one word or nothing; unquoted so that nothing adds no argument.
    # shellcheck disable=SC2086
    if [ "$alloc" = glibc ]; then
        line=$("$prog" "$workload" $ops) || die "$workload failed with glibc"
    else
        line=$(LD_PRELOAD=$lib HEAPCHECK_OPTIONS=preset=$alloc "$prog" "$workload" $ops) ||
            die "$workload failed with heapcheck preset=$alloc"
    fi
    echo "$line" | awk -v a="$alloc" -v r="$round" '
        {
            for (i = 2; i <= NF; i++) {
                eq = index($i, "=")
                v[substr($i, 1, eq - 1)] = substr($i, eq + 1)
            }
            if (v["ops/s"] == "" || v["peak_rss_kib"] == "")
                exit 1
            printf "%s\t%s\t%s\t%s\t%s\n", $1, a, r, v["ops/s"], v["peak_rss_kib"]
        }' >>"$raw" || die "cannot read the output of $workload: $line"
}

for workload in $workloads; do
    round=1
    while [ "$round" -le "$runs" ]; do
        # shellcheck disable=SC2086 # the lists are words
        order=$(rotate $((round - 1)) $allocators)
        printf 'bench: %s, round %d of %d:' "$workload" "$round" "$runs" >&2
        for alloc in $order; do
            printf ' %s' "$alloc" >&2
            measure "$alloc" "$workload" "$round"
        done
        echo >&2
        round=$((round + 1))
    done
done

# "median min max" of column $3 (4: ops/s, 5: peak RSS) over the runs of one workload
# under one allocator.
stats() {
    awk -F '\t' -v w="$1" -v a="$2" -v c="$3" '$1 == w && $2 == a { print $c }' "$raw" |
        median_min_max
}

version=$(heapcheck_version "$srcdir" "${BENCH_VERSION:-}")

{
    echo "# heapcheck benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(machine_description)"
    echo "- heapcheck: ${version:-unknown version}, $lib"
    echo "- method: $runs rounds; in each, every workload runs once with glibc and once" \
        "per heapcheck preset (HEAPCHECK_OPTIONS=preset=...), alternating;" \
        "threaded workloads pin their threads round robin over the allowed CPUs"
    echo
    echo "| workload | allocator | Mops/s (median) | Mops/s (min-max) | vs glibc |" \
        "peak RSS KiB (median) | RSS vs glibc |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    for workload in $workloads; do
        # shellcheck disable=SC2046 # median, min, max of each into positional parameters
        set -- $(stats "$workload" glibc 4) $(stats "$workload" glibc 5)
        base_ops=$1 base_rss=$4
        for alloc in $allocators; do
            # shellcheck disable=SC2046
            set -- $(stats "$workload" "$alloc" 4) $(stats "$workload" "$alloc" 5)
            name=glibc
            [ "$alloc" = glibc ] || name="heapcheck $alloc"
            awk -v w="$workload" -v n="$name" -v m="$1" -v lo="$2" -v hi="$3" -v rss="$4" \
                -v bo="$base_ops" -v br="$base_rss" 'BEGIN {
                    printf "| %s | %s | %.3f | %.3f-%.3f | %.2fx | %d | %.2fx |\n",
                        w, n, m / 1e6, lo / 1e6, hi / 1e6, m / bo, rss, rss / br
                }'
        done
    done
    echo
    echo "Mops/s: millions of operations per second (an operation is one free+malloc" \
        "replacement, one realloc, or one block through the queue; see" \
        "\`bench-workloads --help\`). Peak RSS: the process's ru_maxrss." \
        "Ratios: heapcheck's median over glibc's."
    case " $workloads " in
    *" small-churn "*)
        case " $presets " in
        *" none "*)
            # Each stats call gives three numbers: median, min, max.
            # shellcheck disable=SC2046
            set -- $(stats small-churn glibc 4) $(stats small-churn glibc 5) \
                $(stats small-churn none 4) $(stats small-churn none 5)
            echo
            awk -v bo="$1" -v br="$4" -v o="$7" -v r="${10}" 'BEGIN {
                t = o / bo; m = r / br
                # Parenthesized: a bare ">" in print arguments is a redirection.
                tv = (t >= 0.70) ? "met" : "missed"
                mv = (m <= 1.20) ? "met" : "missed"
                printf "Targets for preset=none on small-churn: "
                printf "throughput >= 0.70x glibc: %.2fx (%s); ", t, tv
                printf "peak RSS <= 1.20x glibc: %.2fx (%s).\n", m, mv
            }'
            ;;
        esac
        ;;
    esac
} >"$table"

mv "$raw" "$out/latest.tsv"
mv "$table" "$out/latest.md"
cat "$out/latest.md"
echo >&2
echo "bench: written to $out/latest.md (every run in $out/latest.tsv)" >&2
