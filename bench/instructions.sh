#!/bin/sh
# Instructions per free + malloc as the live blocks grow, counted by callgrind: the
# algorithmic cost, apart from the cache and TLB misses that make wall time grow with
# the heap for every allocator (bench-scale measures those).  Callgrind counts only
# inside bench-scale's churn_steps (--toggle-collect), so filling the heap, freeing it
# all at exit and start-up are left out; the count over OPS is one step's cost.
# Called by `make bench-instructions`; writes $BENCH_OUT/DATE-instructions.md.
#
# Environment (empty means the default):
#   BENCH_PROG     bench-scale                            [bench/bench-scale]
#   BENCH_LIB      libheapcheck (.so, or the libtool .la)  [lib/libheapcheck.la]
#   BENCH_OUT      where the results go                   [bench/results]
#   BENCH_SIZES    live block counts                      [1000 10000 100000 1000000]
#   BENCH_OPS      steps counted                          [200000]
#   BENCH_PRESETS  heapcheck presets                      [none full]
# (Under Valgrind heapcheck keeps a quarantine in every guarded preset, see
# docs/valgrind.md, so hardened would be measured with one: it is left out.)
set -eu

prog=${BENCH_PROG:-bench/bench-scale}
lib=${BENCH_LIB:-lib/libheapcheck.la}
out=${BENCH_OUT:-bench/results}
sizes=${BENCH_SIZES:-1000 10000 100000 1000000}
ops=${BENCH_OPS:-200000}
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

# instructions ALLOCATOR N STEPS: the instructions executed inside churn_steps.
instructions() {
    if [ "$1" = glibc ]; then
        set -- "$2" "$3" env
    else
        set -- "$2" "$3" env LD_PRELOAD="$lib" HEAPCHECK_OPTIONS="preset=$1,leak_check=off,check_at_exit=0"
    fi
    n=$1 steps=$2
    shift 2
    rm -f "$tmp"/cg.*
    valgrind --tool=callgrind --trace-children=yes --toggle-collect=churn_steps \
        --callgrind-out-file="$tmp/cg.%p" \
        "$@" "$prog" "$n" "$steps" >/dev/null 2>"$tmp/log" || die "callgrind failed: $(tail -1 "$tmp/log")"
    # The largest count is the program's (env's own profile counts nothing).
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
    echo "- method: bench-scale N $ops under callgrind, counting only inside its churn_steps (a free of a random live block and a malloc of 16-512 B, $ops times); the count over $ops is one step's instructions"
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
        row="$row $(( $(instructions "$a" "$n" "$ops") / ops )) |"
    done
    row="$row $(awk -v n="$n" -v f="$first_n" 'BEGIN { printf "%.2f", log(n) / log(f) }') |"
    echo "$row" >>"$file"
done
echo "bench-instructions: written to $file" >&2
cat "$file"
