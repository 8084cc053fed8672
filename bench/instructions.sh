#!/bin/sh
# Instructions per free + malloc as the live blocks grow, counted by callgrind: the
# algorithmic cost, apart from the cache and TLB misses that make wall time grow with
# the heap for every allocator (bench-scale measures those).  Each size runs twice,
# with OPS and 2*OPS steps; the difference divided by OPS is the cost of one step,
# without the filling of the heap or start-up and exit.  Called by `make
# bench-instructions`; writes $BENCH_OUT/DATE-instructions.md.
#
# Environment (empty means the default):
#   BENCH_PROG     bench-scale                            [bench/bench-scale]
#   BENCH_LIB      libheapcheck (.so, or the libtool .la)  [lib/libheapcheck.la]
#   BENCH_OUT      where the results go                   [bench/results]
#   BENCH_SIZES    live block counts                      [1000 10000 100000 1000000]
#   BENCH_OPS      steps of the shorter run               [100000]
#   BENCH_PRESETS  heapcheck presets                      [none full]
# (Under Valgrind heapcheck keeps a quarantine in every guarded preset, see
# docs/valgrind.md, so hardened would be measured with one: it is left out.)
set -eu

prog=${BENCH_PROG:-bench/bench-scale}
lib=${BENCH_LIB:-lib/libheapcheck.la}
out=${BENCH_OUT:-bench/results}
sizes=${BENCH_SIZES:-1000 10000 100000 1000000}
ops=${BENCH_OPS:-100000}
presets=${BENCH_PRESETS:-none full}

die() {
    echo "bench-instructions: $*" >&2
    exit 1
}
command -v valgrind >/dev/null 2>&1 || die "valgrind is not installed"
[ -x "$prog" ] || die "no program $prog (run: make bench-instructions)"
. "$(dirname "$0")/common.sh"
lib=$(preload_path "$lib") || exit 1
unset LD_PRELOAD HEAPCHECK_OPTIONS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-instr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# instructions ALLOCATOR N STEPS: the program's total instruction count.
instructions() {
    if [ "$1" = glibc ]; then
        set -- "$2" "$3" env
    else
        set -- "$2" "$3" env LD_PRELOAD="$lib" HEAPCHECK_OPTIONS="preset=$1,leak_check=off,check_at_exit=0"
    fi
    n=$1 steps=$2
    shift 2
    rm -f "$tmp"/cg.*
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg.%p" \
        "$@" "$prog" "$n" "$steps" >/dev/null 2>"$tmp/log" || die "callgrind failed: $(tail -1 "$tmp/log")"
    # The largest profile is the program's (env's own is tiny).
    for f in "$tmp"/cg.*; do
        sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$f"
    done | sort -n | tail -1
}

date=$(date +%F)
file=$out/$date-instructions.md
mkdir -p "$out"
{
    echo "# Instructions per free + malloc against live blocks (callgrind)"
    echo
    echo "- date: $date; machine: $(uname -m), $(nproc) CPUs; $(valgrind --version)"
    echo "- method: bench-scale N STEPS under callgrind with STEPS = $ops and $((2 * ops)); the difference over $ops is one step's instructions (the fill and exit cancel out)"
    echo
    printf '| live blocks |'
    for a in glibc $presets; do printf ' %s |' "$a"; done
    echo ' log n / log 1000 |'
    printf '|---:|'
    for a in glibc $presets; do printf -- '---:|'; done
    printf '%s\n' '---:|'
} >"$file"
first_n=''
for n in $sizes; do
    [ -n "$first_n" ] || first_n=$n
    row="| $n |"
    for a in glibc $presets; do
        echo "bench-instructions: $n live blocks, $a" >&2
        short=$(instructions "$a" "$n" "$ops")
        long=$(instructions "$a" "$n" $((2 * ops)))
        row="$row $(( (long - short) / ops )) |"
    done
    row="$row $(awk -v n="$n" -v f="$first_n" 'BEGIN { printf "%.2f", log(n) / log(f) }') |"
    echo "$row" >>"$file"
done
echo "bench-instructions: written to $file" >&2
cat "$file"
