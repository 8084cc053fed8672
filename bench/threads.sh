#!/bin/sh
# Thread scaling: ops/s of larson and producer-consumer (bench-workloads WORKLOAD OPS
# THREADS) at 1, 2, 4 and 8 threads, for glibc, glibc without its thread cache, Scudo
# and each heapcheck preset.  Called by `make bench-peers` (after bench/peers.sh) and
# `make bench-threads`; writes $BENCH_OUT/DATE-threads.md and DATE-threads.tsv.
#
# Method: each round runs every (allocator, threads) pair of a workload once, in an
# order rotated by one place per round; the table gives the median ops/s over the
# rounds and, per allocator, the scaling (ops/s at T threads over ops/s at 1).  With
# fewer cores than threads the scaling says how an allocator behaves oversubscribed
# (lock hand-over, spinning), not how it would scale on a larger machine.
#
# Environment (empty means the default):
#   BENCH_RUNS        rounds                                   [3]
#   BENCH_THREADS     thread counts                            [1 2 4 8]
#   BENCH_ALLOCS      allocators                               [all of the above]
#   BENCH_LARSON_OPS  larson ops per run                       [2000000]
#   BENCH_PC_OPS      producer-consumer ops per run            [300000]
#   BENCH_PROG, BENCH_LIB, BENCH_OUT, BENCH_DATE, BENCH_VERSION  as in bench/peers.sh
set -eu

prog=${BENCH_PROG:-bench/bench-workloads}
lib=${BENCH_LIB:-lib/libheapcheck.la}
out=${BENCH_OUT:-bench/results}
runs=${BENCH_RUNS:-3}
threads=${BENCH_THREADS:-1 2 4 8}
allocs=${BENCH_ALLOCS:-glibc glibc-notcache scudo heapcheck-none heapcheck-hardened heapcheck-full}
larson_ops=${BENCH_LARSON_OPS:-2000000}
pc_ops=${BENCH_PC_OPS:-300000}
day=${BENCH_DATE:-$(date +%F)}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "bench-threads: $*" >&2
    exit 1
}
case $runs in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer, not '$runs'" ;; esac
[ -x "$prog" ] || die "no program $prog (run: make bench-threads)"
. "$(dirname "$0")/common.sh"
lib=$(preload_path "$lib") || exit 1
unset LD_PRELOAD HEAPCHECK_OPTIONS GLIBC_TUNABLES 2>/dev/null || true
scudo=$(scudo_path)
mkdir -p "$out" || die "cannot create $out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run ALLOC WORKLOAD OPS THREADS: print ops/s, or nothing when the run failed.
run() {
    case $1 in
    glibc) set -- env "$prog" "$2" "$3" "$4" ;;
    glibc-notcache) set -- env GLIBC_TUNABLES=glibc.malloc.tcache_count=0 "$prog" "$2" "$3" "$4" ;;
    scudo) set -- env LD_PRELOAD="$scudo" "$prog" "$2" "$3" "$4" ;;
    heapcheck-*)
        set -- env LD_PRELOAD="$lib" HEAPCHECK_OPTIONS="preset=${1#heapcheck-},exitcode=0" \
            "$prog" "$2" "$3" "$4" ;;
    *) die "unknown allocator $1" ;;
    esac
    "$@" 2>"$tmp/err" | sed -n 's/.* ops\/s=\([0-9.]*\).*/\1/p'
}

ready=
for a in $allocs; do
    if [ "$a" = scudo ] && [ -z "$scudo" ]; then
        echo "bench-threads: skipping scudo: no libclang_rt.scudo_standalone-x86_64.so (apt-get install clang)" >&2
        continue
    fi
    ready="$ready $a"
done

raw=$tmp/raw
: >"$raw"
for w in larson producer-consumer; do
    ops=$larson_ops
    [ "$w" = larson ] || ops=$pc_ops
    list=
    for a in $ready; do
        for t in $threads; do list="$list $a@$t"; done
    done
    round=1
    while [ "$round" -le "$runs" ]; do
        echo "bench-threads: $w, round $round of $runs" >&2
        # shellcheck disable=SC2086 # the list is words
        for entry in $(rotate $((round - 1)) $list); do
            a=${entry%@*} t=${entry#*@}
            r=$(run "$a" "$w" "$ops" "$t" || true)
            [ -n "$r" ] || r=failed
            printf '%s\t%s\t%s\t%s\t%s\n' "$w" "$a" "$t" "$round" "$r" >>"$raw"
        done
        round=$((round + 1))
    done
done

tsv=$out/$day-threads.tsv
md=$out/$day-threads.md
{
    printf 'workload\tallocator\tthreads\tround\tops_per_s\n'
    cat "$raw"
} >"$tsv"

# median W A T: the median ops/s, or "failed".
median() {
    awk -F '\t' -v w="$1" -v a="$2" -v t="$3" '$1 == w && $2 == a && $3 == t && $5 != "failed" { print $5 }' \
        "$raw" | median_min_max | awk '{ print $1 }' || echo failed
}
{
    echo "# Thread scaling, $day"
    echo
    echo "heapcheck $(heapcheck_version "$srcdir" "${BENCH_VERSION:-}"); $(machine_description)."
    echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "\`bench-workloads WORKLOAD OPS THREADS\`: larson $larson_ops ops, producer-consumer"
    echo "$pc_ops ops (THREADS/2 producer-consumer pairs; 1 thread: one thread that frees"
    echo "each block 1,024 blocks after allocating it); median ops/s of $runs rounds; in"
    echo "brackets, ops/s over the same allocator's at 1 thread.  The machine has"
    echo "$(nproc) CPUs: past that, threads share them and the numbers say how each"
    echo "allocator copes with oversubscription."
    for w in larson producer-consumer; do
        echo
        echo "## $w"
        echo
        printf '| allocator |'
        for t in $threads; do printf ' %s threads |' "$t"; done
        echo
        printf '|---|'
        for t in $threads; do printf -- '---:|'; done
        echo
        for a in $ready; do
            printf '| %s |' "$a"
            base=
            for t in $threads; do
                m=$(median "$w" "$a" "$t")
                if [ "$m" = failed ]; then
                    printf ' failed |'
                    continue
                fi
                [ -n "$base" ] || base=$m
                awk -v m="$m" -v b="$base" 'BEGIN { printf " %.0f (%.2fx) |", m, m / b }'
            done
            echo
        done
    done
} >"$md"
echo "bench-threads: wrote $md and $tsv" >&2
