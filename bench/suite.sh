#!/bin/sh
# A real project's test suite, the number users feel: `make check` of a Debian source
# package run plainly, under heapcheck's full preset (`heapcheck -- make check`) and
# under memcheck (`valgrind --trace-children=yes make check`), with wall times, ratios
# to the plain run, the suite's own result counts, the tests whose result changed, and
# the processes with findings.  Called by `make bench-suite` from the build directory;
# runnable by hand (every knob below has a default).
#
# The package comes from `apt-get source` (deb-src entries are needed: as root the
# script adds them beside /etc/apt/sources.list.d/debian.sources and runs
# apt-get update; as a user it says how), its build dependencies from
# `apt-get build-dep` (as root), and is configured and built once, out of tree, in a
# cache outside the source tree: $SUITE_CACHE/PKG/{src,build}.  The first build also
# runs `make check` once, untimed, so the check programs are built and every timed
# run only runs the tests; later calls reuse the build (a new heapcheck needs no
# rebuild: `make check` reruns the tests).  Only Autotools packages whose suite is
# `make check` are supported.
#
# Appends to $BENCH_OUT/DATE-suite.md one table per package, and keeps the raw
# material of each run (make's output with heapcheck's reports, the suites'
# test-suite.log files, every test's result, memcheck's logs) in
# $SUITE_RAW/PKG/STAMP/.
#
# Environment (empty means the default):
#   SUITE          Debian source packages, one or more                    [gzip]
#   SUITE_MODES    which runs: plain, heapcheck, memcheck; or build: only fetch and
#                  build the packages                       [plain heapcheck memcheck]
#   HEAPCHECK      the heapcheck tool to measure                  [tools/heapcheck]
#   SUITE_HC_OPTIONS  HEAPCHECK_OPTIONS for the heapcheck run  [none: the full preset]
#   SUITE_HC_FLAGS    extra flags for the tool, e.g. --keep-dumps=DIR           []
#   SUITE_JOBS     make -j for the build and every run                            [2]
#                  (every make check is make -k: a failing directory's tests do not
#                  keep the others from running)
#   SUITE_NICE     niceness of the builds and runs (the machine may be shared)   [10]
#   SUITE_TIMEOUT  seconds before a run is killed (SIGTERM, then SIGKILL)      [3600]
#   SUITE_CACHE    where sources and builds are kept
#                                          [${XDG_CACHE_HOME:-$HOME/.cache}/heapcheck-suites]
#   SUITE_RAW      where each run's raw material goes                [$SUITE_CACHE/runs]
#   SUITE_INSTALL  0: never apt-get (no deb-src set-up, no build-dep), only say what
#                  is missing                                                      [1]
#   SUITE_CONFIGURE_FLAGS  extra flags for the package's configure                 []
#   SUITE_CHECK_ARG  one more argument of every timed make check, e.g. TESTS='a.sh b.sh'
#                  to run a few tests                                                []
#   BENCH_OUT      directory for the results file                   [bench/results]
#   BENCH_DATE     date in the results file's name                      [date +%F]
#   BENCH_VERSION  heapcheck's version, for the header
set -u

die() {
    echo "bench-suite: $*" >&2
    exit 2
}
say() {
    echo "bench-suite: $*" >&2
}

srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$srcdir/bench/common.sh"

suites=${SUITE:-gzip}
modes=${SUITE_MODES:-plain heapcheck memcheck}
hc=${HEAPCHECK:-tools/heapcheck}
jobs=${SUITE_JOBS:-2}
niceness=${SUITE_NICE:-10}
limit=${SUITE_TIMEOUT:-3600}
cache=${SUITE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/heapcheck-suites}
install=${SUITE_INSTALL:-1}
out=${BENCH_OUT:-bench/results}
day=${BENCH_DATE:-$(date +%F)}

case $jobs in '' | *[!0-9]* | 0) die "SUITE_JOBS must be a positive integer, not '$jobs'" ;; esac
case $niceness in '' | *[!0-9]*) die "SUITE_NICE must be 0 to 19, not '$niceness'" ;; esac
case $limit in '' | *[!0-9]* | 0) die "SUITE_TIMEOUT must be a positive integer, not '$limit'" ;; esac
case $install in 0 | 1) ;; *) die "SUITE_INSTALL must be 0 or 1, not '$install'" ;; esac
for m in $modes; do
    case $m in plain | heapcheck | memcheck | build) ;; *) die "unknown mode '$m' (plain, heapcheck, memcheck, build)" ;; esac
done
for p in $suites; do
    case $p in *[!a-z0-9.+-]* | '') die "'$p' is not a Debian source package name" ;; esac
done
case " $modes " in
*" heapcheck "*)
    [ -x "$hc" ] || die "no heapcheck tool $hc (run make, or set HEAPCHECK=/path/to/tools/heapcheck)"
    hc=$(cd "$(dirname "$hc")" && pwd)/$(basename "$hc")
    ;;
esac
case " $modes " in
*" memcheck "*) command -v valgrind >/dev/null 2>&1 ||
    die "memcheck run asked for, but no valgrind (apt-get install valgrind, or SUITE_MODES='plain heapcheck')" ;;
esac
mkdir -p "$cache" "$out" || die "cannot create $cache or $out"
cache=$(cd "$cache" && pwd)
raw_root=${SUITE_RAW:-$cache/runs}
mkdir -p "$raw_root" || die "cannot create $raw_root"
raw_root=$(cd "$raw_root" && pwd)
out=$(cd "$out" && pwd)

# The outer make's flags (-j jobserver, TESTS=...) are not the package's; nothing of the
# caller's may change an allocator.
unset MAKEFLAGS MFLAGS MAKELEVEL TESTS LD_PRELOAD HEAPCHECK_OPTIONS GLIBC_TUNABLES \
    MALLOC_CHECK_ MALLOC_PERTURB_ DEBUGINFOD_URLS 2>/dev/null || true
export LC_ALL=C
export DEBIAN_FRONTEND=noninteractive

nice_cmd() {
    if [ "$niceness" -gt 0 ]; then nice -n "$niceness" "$@"; else "$@"; fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
is_root() { [ "$(id -u)" = 0 ]; }

# deb-src entries: without them apt-get source knows no package.
have_sources() { [ -n "$(apt-cache showsrc "$1" 2>/dev/null | sed -n 1p)" ]; }
enable_deb_src() {
    how="add deb-src entries: copy /etc/apt/sources.list.d/debian.sources to
  /etc/apt/sources.list.d/heapcheck-deb-src.sources with 'Types: deb' changed to
  'Types: deb-src' (or a 'deb-src' line for each 'deb' line of /etc/apt/sources.list),
  then run apt-get update"
    if [ "$install" = 0 ] || ! is_root; then
        die "apt-get source needs deb-src entries; as root, $how"
    fi
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            >/etc/apt/sources.list.d/heapcheck-deb-src.sources
    elif [ -f /etc/apt/sources.list ]; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list \
            >/etc/apt/sources.list.d/heapcheck-deb-src.list
    else
        die "no apt sources found to derive deb-src entries from; $how"
    fi
    say "added deb-src entries; apt-get update"
    apt-get update >/dev/null || die "apt-get update failed"
}

# fetch PKG: its source, unpacked with Debian's patches, in $cache/PKG/src.
fetch() {
    d=$cache/$1
    [ -f "$d/src/.heapcheck-fetched" ] && return 0
    have_sources "$1" || enable_deb_src
    have_sources "$1" || die "no source package '$1' known to apt (apt-cache showsrc $1)"
    rm -rf "$d/dl" "$d/src" && mkdir -p "$d/dl" || die "cannot create $d/dl"
    say "$1: apt-get source"
    (cd "$d/dl" && apt-get source -q "$1") >"$d/fetch.log" 2>&1 ||
        { tail -5 "$d/fetch.log" >&2; die "$1: apt-get source failed (log: $d/fetch.log)"; }
    unpacked=$(find "$d/dl" -mindepth 1 -maxdepth 1 -type d | sed -n 1p)
    [ -n "$unpacked" ] || die "$1: apt-get source unpacked nothing"
    mv "$unpacked" "$d/src" || die "$1: cannot move the source"
    dpkg-parsechangelog -l "$d/src/debian/changelog" -S Version >"$d/version" 2>/dev/null ||
        echo unknown >"$d/version"
    touch "$d/src/.heapcheck-fetched"
}

# build PKG: configure and make out of tree, then one untimed make check.
build() {
    d=$cache/$1
    [ -f "$d/build/.heapcheck-built" ] && return 0
    if [ "$install" = 1 ] && is_root && [ ! -f "$d/.build-deps" ]; then
        say "$1: apt-get build-dep"
        apt-get build-dep -y -q --no-install-recommends "$1" >"$d/build-dep.log" 2>&1 ||
            { tail -5 "$d/build-dep.log" >&2; die "$1: apt-get build-dep failed (log: $d/build-dep.log)"; }
        touch "$d/.build-deps"
    fi
    if [ ! -x "$d/src/configure" ]; then
        say "$1: no configure script; autoreconf -fi"
        (cd "$d/src" && nice_cmd autoreconf -fi) >"$d/autoreconf.log" 2>&1 ||
            die "$1: autoreconf failed (log: $d/autoreconf.log); only Autotools packages are supported"
    fi
    # Debian's patches leave Makefile.am or configure.ac newer than the files made
    # from them; Debian's build reruns autoreconf, make would rerun automake, which
    # refuses another version's aclocal.m4.  The tarball's generated files are kept:
    # made newer, in the order the Autotools make them.
    (cd "$d/src" && find . -name aclocal.m4 -exec touch {} + && sleep 1 &&
        find . \( -name configure -o -name config.h.in -o -name config.in \) -exec touch {} + &&
        sleep 1 && find . -name Makefile.in -exec touch {} +)
    rm -rf "$d/build" && mkdir -p "$d/build" || die "cannot create $d/build"
    say "$1: configure, make -j$jobs (log: $d/build.log)"
    t0=$(now)
    # shellcheck disable=SC2086 # the extra flags are words
    (cd "$d/build" && nice_cmd ../src/configure ${SUITE_CONFIGURE_FLAGS:-} &&
        nice_cmd make -j"$jobs") >"$d/build.log" 2>&1 ||
        { tail -15 "$d/build.log" >&2
          is_root || say "as root, run: apt-get build-dep $1"
          die "$1: the build failed (log: $d/build.log)"; }
    say "$1: built in $(elapsed "$t0" "$(now)") s; a first, untimed make check builds the check programs"
    (cd "$d/build" && nice_cmd timeout -k 10 "$limit" make -k -j"$jobs" check) >"$d/first-check.log" 2>&1 ||
        say "$1: the first make check failed (status $?); the timed runs will show it"
    touch "$d/build/.heapcheck-built"
}

# sum_logs STAMP: the automake harness's counts summed over the test-suite.log files
# written since STAMP: "total pass fail skip xfail xpass error", or nothing.
sum_logs() {
    find . -name test-suite.log -newer "$1" -print | sort >"$1.logs"
    [ -s "$1.logs" ] || return 0
    # shellcheck disable=SC2046 # paths in a build tree without spaces
    awk '/^# (TOTAL|PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): *[0-9]+/ {
             k = $2; sub(":", "", k); n[k] += $3 }
         END { printf "%d %d %d %d %d %d %d\n", n["TOTAL"], n["PASS"], n["FAIL"],
               n["SKIP"], n["XFAIL"], n["XPASS"], n["ERROR"] }' $(cat "$1.logs")
}

# results STAMP: every test's result since STAMP, "RESULT path", from the .trs files.
results() {
    find . -name '*.trs' -newer "$1" -print | sort | while read -r trs; do
        sed -n "s|^:test-result: *\([A-Z]*\).*|\1 ${trs%.trs}|p" "$trs"
    done
}

# memcheck's --trace-children-skip: leaves of the process tree that are not the suite's.
# A suite that runs valgrind itself (libtasn1's, sed's) gets it unchecked: valgrind
# cannot run under valgrind ("mmap(0x58000000) failed in UME"), and runs its own
# memcheck on the test.
vg_skip='*/cc1,*/cc1plus,*/as,*/ld,*/ld.bfd,*/ld.gold,*/collect2,*/valgrind,*/valgrind.bin,*/valgrind/*-linux'
for u in sed grep egrep fgrep awk gawk mawk cat cmp diff diff3 sdiff rm mkdir rmdir mv cp \
    ln chmod touch tr cut head tail sort uniq wc expr basename dirname tee ls date sleep \
    test [ true false od seq mktemp uname id readlink realpath stat tput printf echo comm \
    paste join fold nl split dd sync tty locale getconf hostname md5sum sha256sum cksum \
    install iconv gzip xz bzip2 tar file; do
    vg_skip="$vg_skip,/usr/bin/$u,/bin/$u"
done

# run PKG MODE RAWDIR: one timed make check; prints "seconds status counts..."
run() {
    d=$cache/$1
    r=$3/$2
    mkdir -p "$r"
    stamp=$r/start
    touch "$stamp"
    sleep 1 # -newer compares whole seconds on some file systems
    t0=$(now)
    case $2 in
    plain)
        (cd "$d/build" && nice_cmd timeout -k 10 "$limit" make -k -j"$jobs" check ${SUITE_CHECK_ARG:+"$SUITE_CHECK_ARG"}) \
            >"$r/make.out" 2>&1
        ;;
    heapcheck)
        # shellcheck disable=SC2086 # the extra flags are words
        (cd "$d/build" && nice_cmd env ${SUITE_HC_OPTIONS:+"HEAPCHECK_OPTIONS=$SUITE_HC_OPTIONS"} \
            timeout -k 10 "$limit" "$hc" ${SUITE_HC_FLAGS:-} -- make -k -j"$jobs" check ${SUITE_CHECK_ARG:+"$SUITE_CHECK_ARG"}) \
            >"$r/make.out" 2>&1
        ;;
    memcheck)
        # make and the shells are traced too: a process valgrind skips runs its
        # children unchecked.  Skipped: the compiler, and the system's utilities that
        # start no program (by full path, so a suite's own sed or diff is traced).
        mkdir -p "$r/vg"
        (cd "$d/build" && nice_cmd timeout -k 10 "$limit" valgrind --trace-children=yes \
            --trace-children-skip="$vg_skip" --leak-check=full --num-callers=30 --log-file="$r/vg/vg.%p" \
            make -k -j"$jobs" check ${SUITE_CHECK_ARG:+"$SUITE_CHECK_ARG"}) >"$r/make.out" 2>&1
        ;;
    esac
    st=$?
    t1=$(now)
    (cd "$d/build" && {
        sum_logs "$stamp" >"$r/counts"
        results "$stamp" >"$r/results"
        while read -r log; do
            mkdir -p "$r/logs/$(dirname "$log")" && cp "$log" "$r/logs/$log"
        done <"$stamp.logs"
    })
    # No automake harness: count the PASS:/FAIL:/... lines make printed.
    if [ ! -s "$r/counts" ]; then
        awk '/^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): / { k = $1; sub(":", "", k); n[k]++; t++ }
             END { if (t) printf "%d %d %d %d %d %d %d\n", t, n["PASS"], n["FAIL"],
                   n["SKIP"], n["XFAIL"], n["XPASS"], n["ERROR"] }' "$r/make.out" >"$r/counts"
    fi
    [ -s "$r/counts" ] || echo "- - - - - - -" >"$r/counts"
    case $2 in
    heapcheck)
        # The tool's summary line: "heapcheck: N processes checked, M with findings: ..."
        sed -n 's/^heapcheck: \([0-9][0-9]*\) process\(es\)\{0,1\} checked, \([0-9][0-9]*\) with findings.*/\1 \3/p' \
            "$r/make.out" | tail -1 >"$r/processes"
        sed -n 's/.*heapcheck report for [0-9]* (\(.*\))$/\1/p' "$r/make.out" |
            sort | uniq -c | sort -rn >"$r/findings-by-program"
        # No summary line (a tool that prints none for a single process): count the
        # reports.
        [ -s "$r/processes" ] ||
            echo "? $(awk '{ n += $1 } END { print n + 0 }' "$r/findings-by-program")" >"$r/processes"
        ;;
    memcheck)
        n=$(find "$r/vg" -type f | wc -l)
        # A process with findings: errors, or leaks memcheck counts as errors.
        grep -l 'ERROR SUMMARY: [1-9]' "$r/vg"/vg.* 2>/dev/null >"$r/vg-with-findings" || true
        while read -r f; do
            sed -n 's/^==[0-9]*== Command: \([^ ]*\).*/\1/p' "$f" | sed -n 1p
        done <"$r/vg-with-findings" >"$r/findings-programs"
        # The suite's own programs (not under the system's directories).
        own=$(grep -cv '^/\(usr\|bin\|sbin\|lib\|lib64\|opt\)/' "$r/findings-programs")
        echo "$n $(wc -l <"$r/vg-with-findings") ($own of the suite's own programs)" >"$r/processes"
        sort "$r/findings-programs" | uniq -c | sort -rn >"$r/findings-by-program"
        (cd "$r" && tar czf vg-logs.tar.gz vg && rm -rf vg)
        ;;
    *) echo "- -" >"$r/processes" ;;
    esac
    [ -s "$r/processes" ] || echo "? ?" >"$r/processes"
    echo "$(elapsed "$t0" "$t1") $st $(cat "$r/counts") $(cat "$r/processes")"
}

# The measured tool's version, and its tree's commit when it is a build tree's.
hc_version=-
case " $modes " in
*" heapcheck "*)
    hc_version=$("$hc" --version 2>/dev/null | sed -n 1p)
    hc_version=$(heapcheck_version "$(dirname "$hc")/.." "${hc_version:-${BENCH_VERSION:-}}")
    [ -n "$hc_version" ] || hc_version=unknown
    ;;
esac
results_file=$out/$day-suite.md
for pkg in $suites; do
    fetch "$pkg"
    build "$pkg"
    [ "$modes" = build ] && continue
    version=$(cat "$cache/$pkg/version")
    stampname=$(date -u +%Y%m%dT%H%M%SZ)
    rawdir=$raw_root/$pkg/$stampname
    mkdir -p "$rawdir"
    plain_time=
    plain_results=
    plain_note=
    # Without a plain run in this call, the latest earlier one of the package is the
    # reference (its time and results), so a new heapcheck can be measured alone.
    case " $modes " in
    *" plain "*) ;;
    *)
        prev=$(ls -d "$raw_root/$pkg"/*/plain 2>/dev/null | sort | tail -1)
        if [ -n "$prev" ] && [ -s "$prev/results" ]; then
            plain_results=$prev/results
            plain_time=$(sed -n 's/^| plain | \([0-9.]*\) |.*/\1/p' "$prev/../table.md")
            plain_note="- ratios and changes against the plain run of $(dirname "$prev")"
        fi
        ;;
    esac
    table=$rawdir/table.md
    {
        echo
        echo "## $pkg $version: make -k -j$jobs check${SUITE_CHECK_ARG:+ $SUITE_CHECK_ARG}, $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "- heapcheck: $hc_version, $hc; options: ${SUITE_HC_OPTIONS:-default (full preset)}${SUITE_HC_FLAGS:+; flags: $SUITE_HC_FLAGS}"
        echo "- machine: $(machine_description); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- raw: $rawdir"
        [ -z "$plain_note" ] || echo "$plain_note"
        echo
        echo "| run | wall s | ratio | make status | tests | pass | fail | skip | xfail | xpass | error | results changed | processes checked | with findings |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    } >"$table"
    for mode in $modes; do
        say "$pkg: make check ($mode)"
        set -- $(run "$pkg" "$mode" "$rawdir")
        secs=$1 st=$2 total=$3 npass=$4 nfail=$5 nskip=$6 nxfail=$7 nxpass=$8 nerror=$9
        shift 9
        checked=$1
        shift
        withf=$*
        ratio=-
        if [ "$mode" = plain ]; then
            plain_time=$secs
            plain_results=$rawdir/plain/results
            ratio=1.00
        elif [ -n "$plain_time" ]; then
            ratio=$(awk -v a="$secs" -v b="$plain_time" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
        fi
        changed=-
        if [ "$mode" != plain ] && [ -n "$plain_results" ]; then
            # Tests whose result differs from the plain run's (a test in one list only
            # counts too).
            sort "$plain_results" >"$rawdir/plain.sorted"
            sort "$rawdir/$mode/results" >"$rawdir/$mode.sorted"
            diff "$rawdir/plain.sorted" "$rawdir/$mode.sorted" |
                sed -n 's/^\([<>]\) /\1 /p' >"$rawdir/changed-$mode"
            changed=$(sed 's/^[<>] [A-Z]* //' "$rawdir/changed-$mode" | sort -u | wc -l)
        fi
        [ "$st" = 124 ] || [ "$st" = 137 ] && st="$st (timed out)"
        echo "| $mode | $secs | $ratio | $st | $total | $npass | $nfail | $nskip | $nxfail | $nxpass | $nerror | $changed | $checked | $withf |" >>"$table"
        echo "- load average after $mode: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$rawdir/load"
        say "$pkg $mode: ${secs}s, status $st, tests $total: $npass pass, $nfail fail, $nskip skip, $nerror error; processes $checked, with findings $withf"
    done
    cat "$rawdir/load" >>"$table"
    for mode in heapcheck memcheck; do
        [ -s "$rawdir/$mode/findings-by-program" ] || continue
        echo
        echo "$mode: processes with findings, by program (count program):"
        echo
        sed 's/^ */    /' "$rawdir/$mode/findings-by-program" | head -20
    done >>"$table"
    for mode in heapcheck memcheck; do
        [ -s "$rawdir/changed-$mode" ] || continue
        echo
        echo "$mode: tests whose result changed (< plain, > $mode):"
        echo
        sed 's/^/    /' "$rawdir/changed-$mode" | head -40
    done >>"$table"
    cat "$table"
    cat "$table" >>"$results_file"
done
[ "$modes" = build ] || say "appended to $results_file"
