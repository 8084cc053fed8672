#!/bin/sh
# Compare heapcheck with other allocators and other memory debuggers, each against
# glibc's malloc in the same run: the five microbenchmarks of bench-workloads and
# five real programs run with the allocator preloaded (gcc, python3, perl, git, sort).
# Called by `make bench-peers`, from the build directory.  Writes, for today's date:
#   $BENCH_OUT/DATE-peers.md   Markdown tables: time and peak RSS as ratios to glibc
#   $BENCH_OUT/DATE-peers.tsv  every single run
#   $BENCH_OUT/DATE-peers.svg  a chart of the ratios (gnuplot)
#
# Method.  Every run goes through bench-rusage, which forks, execs and reports wall
# time and the peak RSS from wait4.  Each peer is paired with a glibc run of the same
# input: most peers run the full input, the slow debuggers a reduced one (fewer ops,
# or a smaller program input), and then glibc runs that reduced input too, so every
# ratio compares like with like.  Within a round the runs alternate (rotated by one
# place each round, as in bench/run.sh), so a machine that speeds up or slows down
# during the run affects all peers alike.  Time ratio = median(peer) / median(glibc)
# over the rounds; the range after it is the smallest and largest ratio of a single
# pair (round).  For a microbenchmark the time is its own timed loop (set-up and
# teardown excluded, see bench/workloads.c); for a program, the whole process.
#
# A program's output is compared with glibc's (an allocator that breaks a program
# must not post a good time).  A peer that fails (exit status, signal, wrong output,
# or over BENCH_TIMEOUT) is reported with its last line of stderr and not run again
# on that workload.  A peer whose library is missing is installed with apt-get when
# running as root, or else skipped with the command that would install it.
#
# Environment (empty means the default):
#   BENCH_RUNS      rounds (pairs per peer and workload)         [5]
#   BENCH_PEERS     peers to run (see peer_def below)            [all]
#   BENCH_WORKLOADS workloads: microbenchmarks and programs      [all]
#   BENCH_QUICK     1: tiny inputs (micro ops /100 more, every program at its reduced
#                   input), to test the script; the tables say so        [0]
#   BENCH_TIMEOUT   seconds before one run is killed and the peer dropped  [300]
#   BENCH_INSTALL   0: never apt-get install, only say what is missing     [1]
#   BENCH_OUT       directory for the results                    [bench/results]
#   BENCH_DATE      date in the file names                       [date +%F]
#   BENCH_PROG, BENCH_RUSAGE, BENCH_LIB   bench-workloads, bench-rusage and
#                   libheapcheck (.so, or the .la beside .libs)  [bench/..., lib/...]
#   BENCH_VERSION   heapcheck's version, for the header
set -eu

prog=${BENCH_PROG:-bench/bench-workloads}
rusage=${BENCH_RUSAGE:-bench/bench-rusage}
lib=${BENCH_LIB:-lib/libheapcheck.la}
out=${BENCH_OUT:-bench/results}
runs=${BENCH_RUNS:-5}
quick=${BENCH_QUICK:-0}
limit=${BENCH_TIMEOUT:-300}
install=${BENCH_INSTALL:-1}
day=${BENCH_DATE:-$(date +%F)}
all_peers="heapcheck-full heapcheck-full-nopool heapcheck-hardened heapcheck-hardened-nopool
heapcheck-none glibc-notcache scudo jemalloc
mimalloc tcmalloc tcmalloc-debug glibc-check dmalloc efence duma asan memcheck"
peers=${BENCH_PEERS:-$all_peers}
micro="small-churn medium-churn realloc-chains producer-consumer larson"
programs="gcc python3 perl git sort"
workloads=${BENCH_WORKLOADS:-$micro $programs}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "bench-peers: $*" >&2
    exit 1
}
say() {
    echo "bench-peers: $*" >&2
}

case $runs in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer, not '$runs'" ;; esac
case $limit in '' | *[!0-9]* | 0) die "BENCH_TIMEOUT must be a positive integer, not '$limit'" ;; esac
case $quick in 0 | 1) ;; *) die "BENCH_QUICK must be 0 or 1, not '$quick'" ;; esac
[ -x "$prog" ] || die "no program $prog (run: make bench-peers)"
[ -x "$rusage" ] || die "no program $rusage (run: make bench-peers)"
# Words on one line, so that " $list " can be searched.
words() { printf '%s\n' "$*" | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }
peers=$(words "$peers")
workloads=$(words "$workloads")
for w in $workloads; do
    case " $micro $programs " in *" $w "*) ;; *) die "unknown workload '$w'" ;; esac
done
for p in $peers; do
    case " $(words "$all_peers") " in *" $p "*) ;; *) die "unknown peer '$p'" ;; esac
done

. "$(dirname "$0")/common.sh"
lib=$(preload_path "$lib") || exit 1
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
rusage=$(cd "$(dirname "$rusage")" && pwd)/$(basename "$rusage")
# Settings travel as NAME=VALUE words (see peer_def), so no path may hold a space.
case "$lib$prog$rusage$srcdir" in *[[:space:]]*) die "paths with spaces are not supported" ;; esac

# Nothing from the caller's shell may change an allocator or a program: same locale
# for every run (sort and git depend on it), no preload, no allocator options.
unset LD_PRELOAD HEAPCHECK_OPTIONS GLIBC_TUNABLES MALLOC_CHECK_ MALLOC_PERTURB_ \
    DMALLOC_OPTIONS ASAN_OPTIONS PYTHONMALLOC GIT_DIR GIT_PAGER PAGER 2>/dev/null || true
LC_ALL=C
export LC_ALL

triplet=$(gcc -print-multiarch 2>/dev/null || true)
# The path of a shared library in the usual Debian places, or nothing.
find_lib() {
    for d in ${triplet:+/usr/lib/$triplet /lib/$triplet} /usr/lib /lib; do
        if [ -f "$d/$1" ]; then
            echo "$d/$1"
            return
        fi
    done
}

# The peers.  peer_def NAME sets:
#   P_NEED  the file (a library) or command it needs     P_PKG  the Debian package
#   P_ENV   NAME=VALUE settings for the run (no spaces)  P_WRAP a command to run under
#   P_DIV   microbenchmark ops are divided by this (1: full ops)
#   P_PROG  programs: full, reduced (smaller inputs) or none (microbenchmarks only)
#   P_BASE  its glibc baseline: glibc, or glibc-clang (the same source built by clang)
#   P_NOTE  how it is set up, for the notes under the tables
# The divisors keep one run of a slow debugger to about a second or two on this
# kind of machine; each is printed with the results.
peer_def() {
    P_NEED='' P_PKG='' P_ENV='' P_WRAP='' P_DIV=1 P_PROG=full P_BASE=glibc P_NOTE=''
    case $1 in
    glibc | glibc-clang) ;;
    heapcheck-full)
        P_NEED=$lib
        # exitcode=0: the leak check runs at exit as usual (its time counts), but a
        # leaking program (gcc's cc1, python) keeps its exit status.
        P_ENV="LD_PRELOAD=$lib HEAPCHECK_OPTIONS=preset=full,exitcode=0"
        P_NOTE="HEAPCHECK_OPTIONS=preset=full,exitcode=0 (every check, leak check at exit)" ;;
    heapcheck-full-nopool | heapcheck-hardened-nopool)
        # The same preset without the guarded-slot pool: the pool's cost is the
        # difference from the preset's own row.
        P_NEED=$lib nopool_preset=${1#heapcheck-}
        nopool_preset=${nopool_preset%-nopool}
        P_ENV="LD_PRELOAD=$lib HEAPCHECK_OPTIONS=preset=$nopool_preset,guard_slots=0,exitcode=0"
        P_NOTE="HEAPCHECK_OPTIONS=preset=$nopool_preset,guard_slots=0,exitcode=0 (no guarded slots: the pool's cost is the difference)" ;;
    heapcheck-none)
        P_NEED=$lib
        P_ENV="LD_PRELOAD=$lib HEAPCHECK_OPTIONS=preset=none,exitcode=0"
        P_NOTE="HEAPCHECK_OPTIONS=preset=none,exitcode=0 (the bare core allocator)" ;;
    glibc-notcache)
        # glibc's boundary-tag allocator without the per-thread cache in front.
        P_ENV="GLIBC_TUNABLES=glibc.malloc.tcache_count=0"
        P_NOTE="GLIBC_TUNABLES=glibc.malloc.tcache_count=0 (no thread cache)" ;;
    scudo)
        # The hardened allocator a release build would pick: clang's runtime.
        P_NEED=$(scudo_path) P_PKG=libclang-rt-14-dev
        [ -n "$P_NEED" ] || P_NEED=libclang_rt.scudo_standalone-x86_64.so
        case $P_NEED in /*) P_ENV="LD_PRELOAD=$P_NEED" ;; esac
        P_NOTE="libclang_rt.scudo_standalone-x86_64.so preloaded, default settings" ;;
    heapcheck-hardened)
        P_NEED=$lib
        P_ENV="LD_PRELOAD=$lib HEAPCHECK_OPTIONS=preset=hardened,exitcode=0"
        P_NOTE="HEAPCHECK_OPTIONS=preset=hardened,exitcode=0" ;;
    jemalloc)
        P_NEED=libjemalloc.so.2 P_PKG=libjemalloc2 P_NOTE="preloaded, default settings" ;;
    mimalloc)
        P_NEED=libmimalloc.so.2 P_PKG=libmimalloc2.0 P_NOTE="preloaded, default settings" ;;
    tcmalloc)
        P_NEED=libtcmalloc_minimal.so.4 P_PKG=libtcmalloc-minimal4
        P_NOTE="libtcmalloc_minimal.so.4 preloaded, default settings" ;;
    tcmalloc-debug)
        P_NEED=libtcmalloc_debug.so.4 P_PKG=libgoogle-perftools4 P_DIV=100 P_PROG=reduced
        P_NOTE="libtcmalloc_debug.so.4 preloaded, default settings" ;;
    glibc-check)
        P_NEED=libc_malloc_debug.so.0 P_PKG=libc6
        P_ENV="GLIBC_TUNABLES=glibc.malloc.check=3"
        P_NOTE="libc_malloc_debug.so.0 preloaded, GLIBC_TUNABLES=glibc.malloc.check=3 (MALLOC_CHECK_=3)" ;;
    dmalloc)
        # The thread-safe build: two workloads and some programs are threaded.
        # debug=0x4e48503 is dmalloc's "low" level: log-stats, log-non-free,
        # log-bad-space, log-elapsed-time, check-fence, check-shutdown, free-blank,
        # error-abort, alloc-blank, catch-null (no check-heap interval).
        P_NEED=libdmallocth.so.5 P_PKG=libdmalloc5 P_DIV=10
        P_ENV="DMALLOC_OPTIONS=debug=0x4e48503,log=/dev/null"
        P_NOTE="libdmallocth.so.5 preloaded, DMALLOC_OPTIONS=debug=0x4e48503,log=/dev/null (the \"low\" level)" ;;
    efence)
        # malloc(0) is legal and common (python); x86-64 code may rely on 16-byte
        # alignment, which Electric Fence gives up by default to catch small overruns.
        P_NEED=libefence.so.0 P_PKG=electric-fence P_DIV=1000 P_PROG=reduced
        P_ENV="EF_ALLOW_MALLOC_0=1 EF_ALIGNMENT=16"
        P_NOTE="libefence.so.0 preloaded, EF_ALLOW_MALLOC_0=1 EF_ALIGNMENT=16" ;;
    duma)
        # By default DUMA keeps every freed page mapped and protected, so a churn
        # runs out of memory mappings after ~32,000 frees; PROTECT_FREE=0 reuses them.
        P_NEED=libduma.so.0 P_PKG=duma P_DIV=1000 P_PROG=reduced
        P_ENV="DUMA_PROTECT_FREE=0 DUMA_ALIGNMENT=16 DUMA_DISABLE_BANNER=1 DUMA_REPORT_ALL_LEAKS=0"
        P_NOTE="libduma.so.0 preloaded, DUMA_PROTECT_FREE=0 DUMA_ALIGNMENT=16 DUMA_DISABLE_BANNER=1 DUMA_REPORT_ALL_LEAKS=0" ;;
    asan)
        # Leak detection on, as ASan runs by default on Linux; the microbenchmarks
        # free everything, so it costs one scan at exit.
        P_NEED=clang P_PKG=clang P_DIV=10 P_PROG=none P_BASE=glibc-clang
        P_ENV="ASAN_OPTIONS=detect_leaks=1"
        P_NOTE="bench-workloads rebuilt by clang -O2 -fsanitize=address, ASAN_OPTIONS=detect_leaks=1; compared with the same source built by clang -O2 without it; not run on the programs (they would need rebuilding)" ;;
    memcheck)
        P_NEED=valgrind P_PKG=valgrind P_DIV=20 P_PROG=reduced
        P_WRAP="valgrind -q --tool=memcheck --trace-children=yes"
        P_NOTE="valgrind -q --tool=memcheck --trace-children=yes (leak check: the default summary)" ;;
    *) die "internal: no peer $1" ;;
    esac
    # A bare library name is looked up now; it becomes the preload.
    case $P_NEED in
    *.so.*)
        found=$(find_lib "$P_NEED")
        if [ -n "$found" ]; then
            P_NEED=$found
            P_ENV="LD_PRELOAD=$found${P_ENV:+ $P_ENV}"
        fi ;;
    esac
}

# Is the peer's library or command there (after peer_def)?
peer_ready() {
    case $P_NEED in
    '') return 0 ;;
    /*) [ -f "$P_NEED" ] ;;
    *.so.* | *.so) return 1 ;;
    *) command -v "$P_NEED" >/dev/null 2>&1 ;;
    esac
}

mkdir -p "$out" || die "cannot create $out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-peers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
notes=$tmp/notes
: >"$notes"

## Missing peers: install them (root with apt-get), or say how and skip them. -------
missing=
for p in $peers; do
    peer_def "$p"
    peer_ready || missing="$missing $P_PKG"
done
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
if [ -n "$missing" ]; then
    missing=$(words "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
    if [ "$install" != 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing: $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >&2 || say "apt-get update failed; trying with the lists we have"
        # shellcheck disable=SC2086 # package names are words
        apt-get install -y -q --no-install-recommends $missing >&2 ||
            say "apt-get install failed; the peers still missing are skipped"
    else
        say "missing: $missing; install with: apt-get install $missing"
    fi
fi
ready=
for p in $peers; do
    peer_def "$p"
    if peer_ready; then
        ready="$ready $p"
    else
        printf '%s\t%s\t%s\n' '*' "$p" "skipped: not installed (apt-get install $P_PKG)" >>"$notes"
        say "skipping $p: not installed (apt-get install $P_PKG)"
    fi
done
peers=$(words "$ready")

## Inputs --------------------------------------------------------------------------
# The ASan build and its own glibc baseline: the same source and flags, by clang.
case " $peers " in
*" asan "*)
    if clang -O2 -g -pthread -fno-omit-frame-pointer -fsanitize=address \
        -o "$tmp/bench-workloads-asan" "$srcdir/bench/workloads.c" >"$tmp/cc.log" 2>&1 &&
        clang -O2 -g -pthread -fno-omit-frame-pointer \
            -o "$tmp/bench-workloads-clang" "$srcdir/bench/workloads.c" >>"$tmp/cc.log" 2>&1; then
        :
    else
        printf '%s\t%s\t%s\n' '*' asan "skipped: clang -fsanitize=address failed: $(tail -n 1 "$tmp/cc.log")" >>"$notes"
        peers=$(words "$(echo " $peers " | sed 's/ asan / /')")
    fi ;;
esac

# Program inputs.  full: about a second or two with glibc on this kind of machine;
# reduced: about a tenth of that, for the peers that are 10-100 times slower.
gcc_full=80 gcc_reduced=5           # functions in the generated C file
py_full=20 py_reduced=1             # rounds of alloc.py
pl_full=10 pl_reduced=1             # rounds of hash.pl
git_full=4000 git_reduced=300       # commits in the repository; commits shown
sort_full=1500000 sort_reduced=150000 # lines to sort

# "What one input is", for the tables.
describe() {
    case $1 in
    gcc) eval "echo \"gcc -O2 -c, \$gcc_$2 functions\"" ;;
    python3) eval "echo \"alloc.py, rounds: \$py_$2\"" ;;
    perl) eval "echo \"hash.pl, rounds: \$pl_$2\"" ;;
    git) eval "echo \"log -p, \$git_$2 commits\"" ;;
    sort) eval "echo \"\$sort_$2 lines\"" ;;
    esac
}

case " $workloads " in
*" gcc "*)
    awk -v n=$gcc_full -f "$srcdir/bench/programs/gen-c.awk" >"$tmp/gcc-full.c"
    awk -v n=$gcc_reduced -f "$srcdir/bench/programs/gen-c.awk" >"$tmp/gcc-reduced.c" ;;
esac
case " $workloads " in
*" sort "*)
    awk -v n=$sort_full -f "$srcdir/bench/programs/gen-lines.awk" >"$tmp/sort-full.txt"
    awk -v n=$sort_reduced -f "$srcdir/bench/programs/gen-lines.awk" >"$tmp/sort-reduced.txt" ;;
esac
case " $workloads " in
*" git "*)
    say "generating a git repository of $git_full commits"
    git init -q "$tmp/repo" >&2
    awk -v commits=$git_full -f "$srcdir/bench/programs/gen-repo.awk" |
        git -C "$tmp/repo" fast-import --quiet >&2 || die "git fast-import failed"
    git -C "$tmp/repo" update-ref HEAD refs/heads/main ;;
esac

# The default ops of each microbenchmark, from bench-workloads --help.
default_ops() {
    "$prog" --help 2>&1 | awk -v w="$1" '$1 == w && $2 ~ /^[0-9]+$/ { print $2; exit }'
}
# The ops of a microbenchmark divided by LEVEL, but at least 3,000 (300 with
# BENCH_QUICK): fewer would time thread start-up and noise rather than the allocator.
ops_of() {
    floor=3000
    [ "$quick" = 0 ] || floor=300
    awk -v d="$(default_ops "$1")" -v l="$2" -v f=$floor \
        'BEGIN { o = int(d / l); if (o < f) o = (d < f) ? d : f; print o }'
}

## Running one -----------------------------------------------------------------------
# An entry is ALLOCATOR@LEVEL: LEVEL is the ops of a microbenchmark, or full or
# reduced for a program.  The entries of one workload: each peer, and the glibc
# baseline of each level (and build) that a peer needs.
entries() {
    w=$1 list='' bases=''
    for p in $peers; do
        peer_def "$p"
        case " $micro " in
        *" $w "*)
            div=$P_DIV
            [ "$quick" = 0 ] || div=$((div * 100))
            level=$(ops_of "$w" "$div") ;;
        *)
            [ "$P_PROG" != none ] || continue
            level=$P_PROG
            [ "$quick" = 0 ] || level=reduced ;;
        esac
        list="$list $p@$level"
        case " $bases " in *" $P_BASE@$level "*) ;; *) bases="$bases $P_BASE@$level" ;; esac
    done
    # The full-input glibc baseline first, so the tables start with it.
    # shellcheck disable=SC2086 # the list is words
    words "$(printf '%s\n' $bases | sort -t@ -k2,2nr | tr '\n' ' ') $list"
}

# Fills the positional parameters... in the caller; here: print the command of one
# workload at one level, one word per line (inputs have no spaces).
command_of() {
    w=$1 level=$2 alloc=$3
    case $w in
    gcc) printf '%s\n' gcc -O2 -c "$tmp/gcc-$level.c" -o "$tmp/gcc.o" ;;
    python3) eval "printf '%s\n' PYTHONMALLOC=malloc python3 $srcdir/bench/programs/alloc.py \$py_$level" ;;
    perl) eval "printf '%s\n' perl $srcdir/bench/programs/hash.pl \$pl_$level" ;;
    git)
        printf '%s\n' git -C "$tmp/repo" log -p
        [ "$level" = full ] || printf '%s\n' -n $git_reduced ;;
    sort) printf '%s\n' sort --parallel=1 "$tmp/sort-$level.txt" ;;
    *)
        bin=$prog
        [ "$alloc" = asan ] && bin=$tmp/bench-workloads-asan
        [ "$alloc" = glibc-clang ] && bin=$tmp/bench-workloads-clang
        printf '%s\n' "$bin" "$w" "$level" ;;
    esac
}

# What a program produced, to compare with glibc's: a checksum of its output (gcc:
# of the object file).
output_sum() {
    case $1 in
    gcc) cksum <"$tmp/gcc.o" ;;
    *) cksum <"$tmp/out" ;;
    esac
}

raw=$tmp/raw
: >"$raw"
# One run: append "workload, allocator, input, round, seconds, peak RSS KiB, status,
# process wall seconds" to the raw data.  A failed run is recorded with its status
# and the peer is dropped from the rest of that workload (dropped=...).
measure() {
    w=$1 entry=$2 round=$3
    alloc=${entry%@*} level=${entry#*@}
    peer_def "$alloc"
    # env settings, then the wrapper, then the command: one word each.
    # shellcheck disable=SC2046,SC2086 # intended splitting of words without spaces
    set -- $P_ENV $(command_of "$w" "$level" "$alloc")
    # A setting of the command (PYTHONMALLOC=) belongs before the wrapper.
    pre=
    while [ $# -gt 0 ]; do
        case $1 in *=*) pre="$pre $1"; shift ;; *) break ;; esac
    done
    # shellcheck disable=SC2086
    set -- $pre $P_WRAP "$@"
    rm -f "$tmp/gcc.o"
    status=0
    rm -f "$tmp/ru"
    (cd "$tmp" && exec "$rusage" -t "$limit" -o "$tmp/ru" "$@") >"$tmp/out" 2>"$tmp/err" ||
        status=$?
    line=$(cat "$tmp/ru" 2>/dev/null || true)
    wall=$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
    rss=$(echo "$line" | sed -n 's/.*maxrss_kib=\([0-9]*\).*/\1/p')
    secs=$wall
    result=ok
    if [ "$status" -eq 124 ]; then
        result="timeout"
    elif [ "$status" -ne 0 ]; then
        result="exit-$status"
    else
        case " $micro " in
        *" $w "*)
            # The workload's own line: its timed loop (as ops / (ops/s), which keeps
            # more digits than its seconds=), and its peak RSS.
            secs=$(awk '{
                    for (i = 2; i <= NF; i++) {
                        eq = index($i, "=")
                        v[substr($i, 1, eq - 1)] = substr($i, eq + 1)
                    }
                    if (v["ops/s"] > 0) printf "%.9f\n", v["ops"] / v["ops/s"]
                }' "$tmp/out" | tail -n 1)
            rss=$(sed -n 's/.* peak_rss_kib=\([0-9]*\).*/\1/p' "$tmp/out" | tail -n 1)
            [ -n "$secs" ] && [ -n "$rss" ] || result=no-output ;;
        *)
            ref=$tmp/ref.$w.$level
            [ "$(output_sum "$w")" = "$(cat "$ref")" ] || result=wrong-output ;;
        esac
    fi
    [ -n "$secs" ] || secs=0
    [ -n "$rss" ] || rss=0
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$alloc" "$level" "$round" "$secs" "$rss" \
        "$result" "$wall" >>"$raw"
    if [ "$result" != ok ]; then
        case $result in
        timeout) why="over $limit s" ;;
        wrong-output) why="its output differs from glibc's" ;;
        *) why=$(grep -v '^[[:space:]]*$' "$tmp/err" | tail -n 1 | tr '\t|' '  ' |
            sed 's/^ *//' | cut -c1-100) ;;
        esac
        # Electric Fence and DUMA need a memory mapping or two per live block.
        case $alloc in
        efence | duma)
            why="$why [vm.max_map_count is $(cat /proc/sys/vm/max_map_count 2>/dev/null || echo unknown)]" ;;
        esac
        printf '%s\t%s\t%s\n' "$w" "$alloc" "failed ($result): $why" >>"$notes"
        dropped="$dropped $entry "
        printf ' (%s: %s)' "$result" "$why" >&2
    fi
}

start=$(date +%s)
for w in $workloads; do
    list=$(entries "$w")
    dropped=
    # Programs: one untimed glibc run per input level, for the page cache and for the
    # output every peer must reproduce.
    case " $programs " in
    *" $w "*)
        for level in full reduced; do
            case " $list " in *"@$level "*) ;; *) continue ;; esac
            # shellcheck disable=SC2046
            set -- $(command_of "$w" "$level" glibc)
            rm -f "$tmp/gcc.o"
            (cd "$tmp" && exec "$rusage" "$@") >"$tmp/out" 2>"$tmp/err" ||
                die "$w ($level) fails with glibc: $(tail -n 2 "$tmp/err")"
            output_sum "$w" >"$tmp/ref.$w.$level"
        done ;;
    esac
    round=1
    while [ "$round" -le "$runs" ]; do
        # shellcheck disable=SC2086 # the list is words
        order=$(rotate $((round - 1)) $list)
        printf 'bench-peers: %s, round %d of %d:' "$w" "$round" "$runs" >&2
        for entry in $order; do
            case " $dropped " in *" $entry "*) continue ;; esac
            printf ' %s' "${entry%@*}" >&2
            measure "$w" "$entry" "$round"
        done
        echo >&2
        round=$((round + 1))
    done
done
elapsed=$(($(date +%s) - start))

## Versions and machine ---------------------------------------------------------------
pkg_version() {
    dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown
}
peer_version() {
    case $1 in
    heapcheck-*) echo "${hc_version:-unknown}" ;;
    asan) clang --version 2>/dev/null | head -n 1 ;;
    memcheck) valgrind --version 2>/dev/null ;;
    glibc-check | glibc-notcache) echo "glibc $(pkg_version libc6)" ;;
    *) peer_def "$1"; echo "$P_PKG $(pkg_version "$P_PKG")" ;;
    esac
}
hc_version=$(heapcheck_version "$srcdir" "${BENCH_VERSION:-}")

## Tables --------------------------------------------------------------------------
# The order of the rows and columns: baselines, then the peers as listed.
order="glibc glibc-clang $peers"
# Per workload, allocator and input, tab-separated, no field ever empty:
#  1 workload  2 allocator  3 input  4 ok|fail  5 time median  6 time min  7 time max
#  8 time ratio  9 lowest pair ratio  10 highest  11 RSS KiB median  12 RSS ratio
#  13 runs  14 note (how a later run failed, or "-")
# A failed row has "-" in 5-13 and the failure in 14.
ratios=$tmp/ratios
awk -F '\t' '
    function median(v, n,    i, j, t) {
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
                t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
            }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function base_of(a) { return a == "asan" ? "glibc-clang" : "glibc" }
    {
        k = $1 SUBSEP $2 SUBSEP $3
        if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
        if ($7 == "ok") {
            n = ++cnt[k]
            t[k, n] = $5; r[k, n] = $6; rnd[k, n] = $4
            bytime[k, $4] = $5
        } else
            fail[k] = $7
    }
    END {
        for (i = 1; i <= nk; i++) {
            k = keys[i]
            split(k, f, SUBSEP)
            b = f[1] SUBSEP base_of(f[2]) SUBSEP f[3]
            if (f[2] ~ /^glibc(-clang)?$/) b = k
            if (!(k in cnt) || !(b in cnt)) {
                printf "%s\t%s\t%s\tfail", f[1], f[2], f[3]
                for (j = 5; j <= 13; j++) printf "\t-"
                printf "\t%s\n", (k in fail) ? fail[k] : "no successful run of glibc"
                continue
            }
            n = cnt[k]; nb = cnt[b]
            split("", tv); split("", rv); split("", btv); split("", brv)
            for (j = 1; j <= n; j++) { tv[j] = t[k, j]; rv[j] = r[k, j] }
            for (j = 1; j <= nb; j++) { btv[j] = t[b, j]; brv[j] = r[b, j] }
            mt = median(tv, n); mr = median(rv, n)
            mbt = median(btv, nb); mbr = median(brv, nb)
            tmin = tv[1]; tmax = tv[n]   # sorted by median()
            lo = hi = ""
            for (j = 1; j <= n; j++) {
                bt = bytime[b, rnd[k, j]]
                if (bt == "" || bt <= 0) continue
                q = t[k, j] / bt
                if (lo == "" || q < lo) lo = q
                if (hi == "" || q > hi) hi = q
            }
            if (lo == "") lo = hi = "nan"
            printf "%s\t%s\t%s\tok\t%.6f\t%.6f\t%.6f\t%s\t%s\t%s\t%.0f\t%s\t%d\t%s\n",
                f[1], f[2], f[3], mt, tmin, tmax, (mbt > 0 ? mt / mbt : "nan"), lo, hi,
                mr, (mbr > 0 ? mr / mbr : "nan"), n, (k in fail) ? "then " fail[k] : "-"
        }
    }' "$raw" >"$ratios"

# The input of each workload and level, for the tables: ops for a microbenchmark
# (and the divisor), the input of a program; then 1 if it is a reduced input.
labels=$tmp/labels
cut -f 1,3 "$ratios" | sort -u | while IFS='	' read -r w level; do
    case " $micro " in
    *" $w "*)
        label=$(awk -v o="$level" -v d="$(default_ops "$w")" 'BEGIN {
            if (o == d) printf "%d ops\t0", o
            else printf "%d ops (1/%d)\t1", o, d / o + 0.5
        }') ;;
    *)
        if [ "$level" = full ]; then reduced=0; else reduced=1; fi
        label="$level: $(describe "$w" "$level")	$reduced" ;;
    esac
    printf '%s\t%s\t%s\n' "$w" "$level" "$label"
done >"$labels"

md=$tmp/md
{
    echo "# heapcheck and its peers: time and peak RSS as ratios to glibc"
    echo
    echo "- date: $day ($(date -u '+%H:%M UTC')); the run took $((elapsed / 60)) min $((elapsed % 60)) s"
    echo "- machine: $(machine_description)"
    echo "- method: $runs rounds; in each, every peer runs once and the glibc baseline of" \
        "its input once, in an order rotated by one place per round; a ratio is" \
        "median(peer) / median(glibc of the same input), and the range after it the" \
        "smallest and largest ratio of one round's pair"
    [ "$quick" = 0 ] || echo "- **quick run (BENCH_QUICK=1): tiny inputs, for testing the script; do not quote these numbers**"
    echo
    echo "## Peers and versions"
    echo
    echo "| peer | version | set-up | microbenchmark ops | programs |"
    echo "|---|---|---|---|---|"
    echo "| glibc | $libc | the system malloc, nothing preloaded | full | full and reduced |"
    for p in $peers; do
        peer_def "$p"
        case $P_DIV in 1) ops=full ;; *) ops="divided by $P_DIV" ;; esac
        case $P_PROG in
        none) pr="not run" ;;
        reduced) pr="**reduced inputs**" ;;
        *) pr=full ;;
        esac
        echo "| $p | $(peer_version "$p") | $P_NOTE | $ops | $pr |"
    done
    echo
    echo "Programs: gcc $(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)," \
        "$(python3 --version 2>&1) (PYTHONMALLOC=malloc), perl $(perl -e 'print $^V')," \
        "$(git --version), $(sort --version | head -n 1); LC_ALL=C." \
        "Inputs: gcc -O2 -c of a C file from bench/programs/gen-c.awk" \
        "($gcc_full functions; reduced $gcc_reduced); bench/programs/alloc.py" \
        "($py_full rounds; reduced $py_reduced); bench/programs/hash.pl ($pl_full rounds;" \
        "reduced $pl_reduced); git log -p of a repository from bench/programs/gen-repo.awk" \
        "($git_full commits; reduced: the last $git_reduced); sort --parallel=1 of" \
        "bench/programs/gen-lines.awk output ($sort_full lines; reduced $sort_reduced)," \
        "a control with few allocations."
    # Summary matrices: one row per peer, one column per workload.
    for what in time rss; do
        echo
        if [ "$what" = time ]; then
            echo "## Time, as a ratio to glibc (lower is better; * reduced input)"
        else
            echo "## Peak RSS, as a ratio to glibc (lower is better; * reduced input)"
        fi
        echo
        printf '| peer |'
        for w in $workloads; do printf ' %s |' "$w"; done
        echo
        printf '|---|'
        for w in $workloads; do printf -- '---:|'; done
        echo
        for p in $peers; do
            printf '| %s |' "$p"
            for w in $workloads; do
                awk -F '\t' -v w="$w" -v p="$p" -v what="$what" '
                    FILENAME == ARGV[1] { reduced[$1, $2] = $4; next }
                    $1 == w && $2 == p {
                        found = 1
                        star = reduced[$1, $3] ? "*" : ""
                        if ($4 != "ok") { printf " failed |"; exit }
                        v = (what == "time") ? $8 : $12
                        printf " %s%s |", (v >= 100 ? sprintf("%.0fx", v) : sprintf("%.2fx", v)), star
                    }
                    END { if (!found) printf " - |" }' "$labels" "$ratios"
            done
            echo
        done
    done
    echo
    echo "## Every workload"
    echo
    echo "| workload | peer | input | time s (median) | time s (min-max) | time vs glibc (pairs' range) |" \
        "peak RSS MiB (median) | RSS vs glibc |"
    echo "|---|---|---|---:|---:|---:|---:|---:|"
    # Rows in the order of the workloads, then of the allocators (baselines first).
    awk -F '\t' -v workloads="$workloads" -v order="$order" '
        FILENAME == ARGV[1] { label[$1, $2] = $3; next }
        { row[$1, $2, ++nrow[$1, $2]] = $0 }
        END {
            nw = split(workloads, W, " "); na = split(order, A, " ")
            for (i = 1; i <= nw; i++)
                for (j = 1; j <= na; j++)
                    for (m = 1; m <= nrow[W[i], A[j]]; m++) {
                        split(row[W[i], A[j], m], f, "\t")
                        l = label[f[1], f[3]]
                        if (f[4] != "ok") {
                            printf "| %s | %s | %s | - | - | %s | - | - |\n", f[1], f[2], l, f[14]
                            continue
                        }
                        if (f[2] == "glibc" || f[2] == "glibc-clang") {
                            ratio = "1 (baseline)"; rratio = "1"
                        } else {
                            ratio = sprintf("%.2fx (%.2f-%.2f)", f[8], f[9], f[10])
                            rratio = sprintf("%.2fx", f[12])
                        }
                        if (f[14] != "-") ratio = ratio ", " f[14]
                        printf "| %s | %s | %s | %.4f | %.4f-%.4f | %s | %.1f | %s |\n",
                            f[1], f[2], l, f[5], f[6], f[7], ratio, f[11] / 1024, rratio
                    }
        }' "$labels" "$ratios"
    echo
    echo "Time: for a microbenchmark, its timed loop (bench-workloads' own seconds); for a" \
        "program, the whole process, wall clock. Peak RSS: ru_maxrss (for a program, of" \
        "the largest process, e.g. cc1; under memcheck, Valgrind's own process). A peer" \
        "with fewer ops or a reduced input is compared with glibc on that same input." \
        "glibc-clang is the ASan peer's baseline: bench-workloads built by the same clang" \
        "without -fsanitize=address."
    if [ -s "$notes" ]; then
        echo
        echo "## Skipped and failed"
        echo
        sort -u "$notes" | while IFS='	' read -r w p why; do
            if [ "$w" = '*' ]; then echo "- $p: $why"; else echo "- $p on $w: $why"; fi
        done
    fi
} >"$md"

## Chart -----------------------------------------------------------------------------
# Two panels of bars on a log scale, one group per workload, one bar per peer: time
# ratio above, peak RSS ratio below; the line at 1 is glibc.
svg=
if command -v gnuplot >/dev/null 2>&1; then
    for what in time rss; do
        col=8
        [ "$what" = time ] || col=12
        {
            printf 'workload'
            for p in $peers; do printf '\t%s' "$p"; done
            echo
            for w in $workloads; do
                printf '%s' "$w"
                for p in $peers; do
                    v=$(awk -F '\t' -v w="$w" -v p="$p" -v c=$col \
                        '$1 == w && $2 == p && $4 == "ok" { print $c; exit }' "$ratios")
                    printf '\t%s' "${v:-NaN}"
                done
                echo
            done
        } >"$tmp/$what.dat"
    done
    # shellcheck disable=SC2086 # the list is words
    npeers=$(set -- $peers; echo $#)
    title="heapcheck and peers vs glibc, $day ($runs rounds$([ "$quick" = 0 ] || echo ', QUICK TEST RUN'))"
    cat >"$tmp/chart.gp" <<EOF
set terminal svg size 1400,1000 dynamic font "sans,12" background "white"
set output "$tmp/chart.svg"
set datafile separator "\t"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 2
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set grid ytics mytics lc rgb "#dddddd"
set key outside right top vertical
set xtics rotate by -30 nomirror
set format y "%gx"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "black"
array c[13] = ["#d62728", "#ff9896", "#1f77b4", "#aec7e8", "#2ca02c", "#98df8a", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e"]
set multiplot layout 2,1 title "$title"
set title "Time / glibc time, same input (log scale; no bar: failed or not run)"
plot for [i=2:$((npeers + 1))] "$tmp/time.dat" using i:xtic(1) title columnheader(i) lc rgb c[(i - 2) % 13 + 1]
set title "Peak RSS / glibc peak RSS, same input (log scale)"
plot for [i=2:$((npeers + 1))] "$tmp/rss.dat" using i:xtic(1) title columnheader(i) lc rgb c[(i - 2) % 13 + 1]
unset multiplot
EOF
    if gnuplot "$tmp/chart.gp" 2>"$tmp/gnuplot.log"; then
        svg=$out/$day-peers.svg
    else
        say "gnuplot failed, no chart: $(tail -n 1 "$tmp/gnuplot.log")"
    fi
else
    say "no gnuplot (apt-get install gnuplot-nox): no chart"
fi

{
    printf 'workload\tallocator\tinput\tround\tseconds\tpeak_rss_kib\tstatus\tprocess_wall_seconds\n'
    cat "$raw"
} >"$out/$day-peers.tsv"
if [ -n "$svg" ]; then
    mv "$tmp/chart.svg" "$svg"
    printf '\n![time and peak RSS ratios](%s)\n' "$(basename "$svg")" >>"$md"
fi
mv "$md" "$out/$day-peers.md"
cat "$out/$day-peers.md"
echo >&2
say "written to $out/$day-peers.md (every run in $day-peers.tsv${svg:+, chart $day-peers.svg})"
