#!/bin/sh
# memcheck.sh: Valgrind's memcheck with heapcheck underneath (docs/valgrind.md).
# Each test program of tests/valgrind runs under memcheck with libheapcheck
# preloaded (and one linked with it), and memcheck must report what it reports on
# its own allocator: nothing for a correct program, and for a bug the bug, at the
# program's line, described against the block heapcheck handed out.  Heapcheck
# itself must stay silent about errors memcheck reports, and memcheck must never
# report heapcheck's own code.  The leak program's LEAK SUMMARY from memcheck is
# compared with the one heapcheck prints for the same program on its own.
#
# Each assertion prints PASS or FAIL and a closing line counts them.  A failure
# shows memcheck's output for that run.  Lines in the C sources marked
# "memcheck.sh: error here" (or "freed here") are the lines memcheck must name.
#
# Known differences: a difference that is understood, and whose fix lies outside
# this test, is listed in known_bugs below with its explanation.  Its assertions
# print XFAIL while they fail, and count as failures (XPASS) once they hold, so that
# the entry is removed with the fix.  HC_VG_STRICT=1 treats them as plain failures.
#
# Environment (set by the Makefile; defaults suit a run by hand from the top of an
# in-tree build): top_srcdir, top_builddir, HC_LIB (the libheapcheck.so to
# preload), VALGRIND (the valgrind program; default: valgrind from PATH).
# Exit status: 0 every assertion held, 1 one failed, 77 valgrind is not installed
# or heapcheck was built without memcheck client requests, 99 setup error.
set -eu

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}

die() {
    echo "memcheck: ERROR: $*" >&2
    exit 99
}

# Understood failures (see the header).  Each entry: a key, then why.
#  leak-roots: memcheck takes every accessible word of client memory outside its
#    own heap as a root, and heapcheck's heap is client memory: the contents of
#    every live block, lost or not, are roots.  So a block pointed to only by a lost
#    block is "still reachable", not "indirectly lost" (and a lost block that points
#    to itself is not reported at all).  Definitely and possibly lost agree, and so
#    does the sum of the other two; heapcheck keeps its own leak check on under
#    Valgrind for this reason (docs/valgrind.md).
known_bugs='leak-roots'
if [ "${HC_VG_STRICT:-0}" = 1 ]; then known_bugs=; fi

valgrind=${VALGRIND:-}
if [ -z "$valgrind" ]; then
    valgrind=$(command -v valgrind 2>/dev/null) || valgrind=
fi
if [ -z "$valgrind" ] || ! "$valgrind" --version >/dev/null 2>&1; then
    echo "memcheck: SKIP: valgrind is not installed"
    exit 77
fi
top_srcdir=$(cd "$top_srcdir" && pwd) || die "no source tree at $top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || die "no build tree at $top_builddir"
if ! grep -q '^#define HAVE_VALGRIND_MEMCHECK_H 1' "$top_builddir/config.h" 2>/dev/null; then
    echo "memcheck: SKIP: heapcheck was built without valgrind/memcheck.h (no client requests)"
    exit 77
fi
case $HC_LIB in
/*) ;;
*) HC_LIB=$(pwd)/$HC_LIB ;;
esac
[ -r "$HC_LIB" ] || die "no library to preload: $HC_LIB"
case $HC_LIB in
*[[:space:]:]*) die "LD_PRELOAD cannot name a path with a space or colon: $HC_LIB" ;;
esac
src=$top_srcdir/tests/valgrind
bin=$top_builddir/tests/valgrind
for p in vg_clean vg_clean-linked vg_overflow vg_uninit vg_read_after_free vg_leak; do
    [ -x "$bin/$p" ] || die "the program $bin/$p is not built"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-memcheck.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# Nothing from the caller may change a report: no heapcheck options, no preloads,
# no valgrind options from the environment or a .valgrindrc (valgrind reads one in
# HOME and one in the working directory), no debuginfod downloads.
unset HEAPCHECK_OPTIONS LD_PRELOAD VALGRIND_OPTS DEBUGINFOD_URLS || :
mkdir "$tmp/home"
cd "$tmp"
# A program still running after this long is hung: a failure, not a stuck make.
limit=${HC_VG_TIMEOUT:-600}
if command -v timeout >/dev/null 2>&1; then
    watchdog="timeout -s KILL $limit"
else
    watchdog=
fi
# shellcheck disable=SC3045 # not POSIX, but dash and bash have it; it may fail
ulimit -c 0 2>/dev/null || :

# --fullpath-after= prints whole source paths, so that a frame in heapcheck's own
# code (lib/...) is told from the program's.
vg_opts='--soname-synonyms=somalloc=nouserintercepts --error-exitcode=42 --leak-check=full --fullpath-after='

passed=0
failed=0
xfailed=0
shown=' '
cur= # the run the assertions are about

# run NAME HOW [OPTIONS]: run the program NAME under memcheck, HOW = preload
# (LD_PRELOAD in valgrind's environment, as docs/valgrind.md says) or linked (no
# preload: the program is linked with libheapcheck); OPTIONS, if given, become
# HEAPCHECK_OPTIONS.  Writes $tmp/NAME.out and $tmp/NAME.err; sets $status.
# (env sets the variables for valgrind alone: the watchdog itself must not run
# with heapcheck preloaded.)
run() {
    cur=$1
    if [ "$2" = preload ]; then preload=$HC_LIB; else preload=; fi
    started=$(date +%s)
    status=0
    # shellcheck disable=SC2086 # $watchdog and $vg_opts are lists of words
    $watchdog env HOME="$tmp/home" ${preload:+LD_PRELOAD="$preload"} \
        ${3:+HEAPCHECK_OPTIONS="$3"} \
        "$valgrind" $vg_opts "$bin/$1" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" ||
        status=$?
    echo "== $1 ($2${3:+, $3}, under memcheck): exit status $status, $(($(date +%s) - started))s"
}

# show: memcheck's output for the current run, once, after its first failure.
show() {
    case $shown in
    *" $cur "*) return 0 ;;
    esac
    shown="$shown$cur "
    echo "   the stderr of $cur (at most 150 lines):"
    sed -n 's/^/   | /; 1,150p' "$tmp/$cur.err"
    if [ -s "$tmp/$cur.out" ]; then
        echo "   and its stdout:"
        sed 's/^/   | /' "$tmp/$cur.out"
    fi
}

# check WHAT COMMAND...: an assertion about the current run; WHAT describes it.
check() {
    what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "PASS: $cur: $what"
    else
        failed=$((failed + 1))
        echo "FAIL: $cur: $what"
        show
    fi
}

# known KEY WHAT COMMAND...: an assertion that fails for the understood reason KEY
# while KEY is in known_bugs (otherwise the same as check).
known() {
    key=$1
    shift
    case " $known_bugs " in
    *" $key "*) ;;
    *)
        check "$@"
        return 0
        ;;
    esac
    what=$1
    shift
    if "$@"; then
        failed=$((failed + 1))
        echo "FAIL (XPASS): $cur: $what -- holds now: remove '$key' from known_bugs in memcheck.sh"
    else
        xfailed=$((xfailed + 1))
        echo "XFAIL: $cur: $what (known: $key, see memcheck.sh)"
    fi
}

# --- Reading memcheck's report ---------------------------------------------------
# Its lines start with ==PID==; after that, an error's headline starts in column 0,
# its first frame follows ("   at 0x...: fn (file:line)"), then the "by" frames, then
# descriptions (" Address ...") each with a stack of its own.

# body: the current run's stderr without the ==PID== prefixes.
body() {
    sed -n 's/^==[0-9][0-9]*== \{0,1\}//p' "$tmp/$cur.err"
}

has() { body | grep -F -q -- "$1"; }

status_is() { [ "$status" -eq "$1" ]; }

# errors_are N: memcheck counted exactly N errors.
errors_are() {
    n=$(body | sed -n 's/^ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' | tr -d ,)
    [ "$n" = "$1" ]
}

# first_frame HEADLINE: the first frame of the first error whose headline begins
# with HEADLINE.
first_frame() {
    body | awk -v h="$1" '
        found { print; exit }
        index($0, h) == 1 { found = 1 }'
}

# frame_is HEADLINE FILE LINE: that error's first frame is FILE:LINE of the program.
frame_is() {
    first_frame "$1" | grep -F -q -- "/$2:$3)"
}

# described_stack DESCRIPTION: the stack printed under the first description line
# (" Address ... alloc'd", " Block was alloc'd at", ...) that contains DESCRIPTION.
described_stack() {
    body | awk -v d="$1" '
        on && /^   (at|by) / { print; next }
        on { exit }
        /^ [^ ]/ && index($0, d) { on = 1 }'
}

# stack_has DESCRIPTION TEXT: that stack mentions TEXT.
stack_has() {
    described_stack "$1" | grep -F -q -- "$2"
}

# in_heapcheck: the first frames of the run's errors that are heapcheck's own code
# (a source file under lib/, or the library itself when it has no line
# information).  Loss records are left out: their first frame is the allocation
# function, which is heapcheck's, as memcheck's own is its malloc.
in_heapcheck() {
    body | awk '
        next_is_first { next_is_first = 0; if (/^   at /) print }
        /^[^ ]/ && !/in loss record/ { next_is_first = 1 }' |
        grep -E 'libheapcheck|/lib/[A-Za-z0-9_]+\.[ch]:[0-9]+\)' || :
}

no_heapcheck_frames() { [ -z "$(in_heapcheck)" ]; }

# heapcheck_silent: heapcheck printed no report of its own (memcheck reports it).
heapcheck_silent() { ! grep -E -q '^(==[0-9]+== )?heapcheck(\[[0-9]+\])?:' "$tmp/$cur.err"; }

# heap_usage: "ALLOCS FREES" from memcheck's HEAP SUMMARY.
heap_usage() {
    body | sed -n 's/^ *total heap usage: \([0-9,]*\) allocs, \([0-9,]*\) frees.*/\1 \2/p' | tr -d ,
}

# all_blocks_described: memcheck learned of blocks (the client requests work) and
# saw each of them freed.
all_blocks_described() {
    # shellcheck disable=SC2046 # two numbers
    set -- $(heap_usage)
    [ $# -eq 2 ] && [ "$1" -gt 0 ] && [ "$1" -eq "$2" ]
}

# line_of FILE MARKER: the line of FILE that carries "memcheck.sh: MARKER".
line_of() {
    n=$(grep -n -F "memcheck.sh: $2" "$src/$1" | cut -d: -f1)
    case $n in
    '' | *[!0-9]*) die "$1 needs exactly one line marked 'memcheck.sh: $2'" ;;
    esac
    echo "$n"
}

# realloc_paths: the correct program grew blocks in place and by moving, and shrank
# them in place (heapcheck shrinks every block in place, mapped ones with mremap).
realloc_paths() {
    line=$(grep '^vg_clean: realloc' "$tmp/$cur.out") || return 1
    # shellcheck disable=SC2046 # the numbers are meant to split
    set -- $(echo "$line" | tr -c '0-9\n' ' ')
    [ "$#" -ge 3 ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ] && [ "$3" -gt 0 ]
}

# --- Correct programs -------------------------------------------------------------
clean_checks() {
    check "exit status 0" status_is 0
    check "ERROR SUMMARY: 0 errors" errors_are 0
    check "memcheck saw heapcheck's blocks, every one freed (allocs $(heap_usage | tr ' ' /) frees)" \
        all_blocks_described
    check "no error in heapcheck's own code" no_heapcheck_frames
}

run vg_clean preload
clean_checks
check "realloc grew in place and by moving, shrank in place ($(cat "$tmp/$cur.out"))" realloc_paths

run vg_clean-linked linked
clean_checks
check "realloc grew in place and by moving, shrank in place" realloc_paths

# The bare core (preset none): its own reads of block heads are not memcheck's errors.
run vg_clean preload preset=none
clean_checks

if [ -x "$bin/vg_clean_cxx" ]; then
    run vg_clean_cxx preload
    known cxx-new "exit status 0" status_is 0
    known cxx-new "ERROR SUMMARY: 0 errors" errors_are 0
    known cxx-new "memcheck saw heapcheck's blocks, every one freed (allocs $(heap_usage | tr ' ' /) frees)" \
        all_blocks_described
    known cxx-new "no error in heapcheck's own code" no_heapcheck_frames
else
    echo "== vg_clean_cxx: not built (no C++ compiler); its assertions are skipped"
fi

# --- One bug each -----------------------------------------------------------------
line=$(line_of vg_overflow.c 'error here')
run vg_overflow preload
check "exit status 42 (--error-exitcode)" status_is 42
check "Invalid write of size 1" has 'Invalid write of size 1'
check "... at vg_overflow.c:$line" frame_is 'Invalid write of size 1' vg_overflow.c "$line"
check "... 0 bytes after a block of size 13" has ' is 0 bytes after a block of size 13 alloc'\''d'
check "... allocated by malloc from vg_overflow.c" stack_has 'block of size 13 alloc' '/vg_overflow.c:'
check "ERROR SUMMARY: 1 errors" errors_are 1
check "heapcheck silent (memcheck reports it)" heapcheck_silent
check "no error in heapcheck's own code" no_heapcheck_frames

line=$(line_of vg_uninit.c 'error here')
run vg_uninit preload
check "exit status 42" status_is 42
check "Conditional jump or move depends on uninitialised value(s)" \
    has 'Conditional jump or move depends on uninitialised value(s)'
check "... at vg_uninit.c:$line" \
    frame_is 'Conditional jump or move depends on uninitialised value(s)' vg_uninit.c "$line"
check "ERROR SUMMARY: 1 errors" errors_are 1
check "no error in heapcheck's own code" no_heapcheck_frames

line=$(line_of vg_read_after_free.c 'error here')
freed=$(line_of vg_read_after_free.c 'freed here')
run vg_read_after_free preload
check "exit status 42" status_is 42
check "Invalid read" has 'Invalid read of size 1'
check "... at vg_read_after_free.c:$line" frame_is 'Invalid read' vg_read_after_free.c "$line"
check "... inside a block of size 40 free'd" has ' bytes inside a block of size 40 free'\''d'
check "... freed at vg_read_after_free.c:$freed" \
    stack_has "block of size 40 free'd" "/vg_read_after_free.c:$freed)"
check "ERROR SUMMARY: 1 errors" errors_are 1
check "heapcheck silent (memcheck reports it)" heapcheck_silent
check "no error in heapcheck's own code" no_heapcheck_frames

# --- Leaks: memcheck's LEAK SUMMARY against heapcheck's ---------------------------
# leak_summary FILE: "KIND BYTES BLOCKS" for the four kinds, from the LEAK SUMMARY
# (memcheck and heapcheck print it alike; memcheck puts commas in numbers).
leak_summary() {
    sed -n 's/^==[0-9][0-9]*==//p' "$1" | tr -d , | awk '
        ($2 == "lost:" || $2 == "reachable:") && $4 == "bytes" && $5 == "in" &&
            $7 == "blocks" { print $1, $3, $6 }'
}
# amount FILE KIND: "BYTES BLOCKS" of that kind (definitely, indirectly, possibly,
# still) in the summary of FILE, empty if it has none.
amount() {
    leak_summary "$1" | awk -v k="$2" '$1 == k { print $2, $3; exit }'
}
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
kind_name() {
    case $1 in
    still) echo 'still reachable' ;;
    *) echo "$1 lost" ;;
    esac
}
show_amount() {
    # shellcheck disable=SC2086 # two numbers
    set -- $1
    echo "${1:-?} bytes in ${2:-?} blocks"
}

# heapcheck on its own, reporting every kind, with the exit status that says it
# found leaks.
cur='hc-leak'
started=$(date +%s)
status=0
$watchdog env HEAPCHECK_OPTIONS=leak_check=full:show_leak_kinds=all LD_PRELOAD="$HC_LIB" \
    "$bin/vg_leak" </dev/null >"$tmp/hc-leak.out" 2>"$tmp/hc-leak.err" || status=$?
echo "== vg_leak (preload, heapcheck alone, as hc-leak): exit status $status, $(($(date +%s) - started))s"
check "heapcheck: exit status 23 (leaks found)" status_is 23
# What vg_leak.c makes: definitely 37 + 48 bytes, indirectly 2 x 48, possibly 120,
# still reachable 200.
for expected in 'definitely 85 2' 'indirectly 96 2' 'possibly 120 1' 'still 200 1'; do
    # shellcheck disable=SC2086 # three words
    set -- $expected
    check "heapcheck: $(kind_name "$1"): $2 bytes in $3 blocks, as vg_leak.c makes them" \
        same "$(amount "$tmp/hc-leak.err" "$1")" "$2 $3"
done

run vg_leak preload
check "exit status 42 (definite leaks are errors)" status_is 42
check "no error in heapcheck's own code" no_heapcheck_frames
for kind in definitely indirectly possibly still; do
    mc=$(amount "$tmp/vg_leak.err" "$kind")
    hc=$(amount "$tmp/hc-leak.err" "$kind")
    what="LEAK SUMMARY, $(kind_name "$kind"): memcheck $(show_amount "$mc") = heapcheck $(show_amount "$hc")"
    case $kind in
    definitely | possibly) check "$what" same "$mc" "$hc" ;;
    *) known leak-roots "$what" same "$mc" "$hc" ;;
    esac
done
# Whatever memcheck calls the blocks lost only through lost blocks, it must count
# them, and nothing else, with the reachable ones.
sum() {
    echo "$1 $2" | awk '{ print $1 + $3, $2 + $4 }'
}
mc=$(sum "$(amount "$tmp/vg_leak.err" indirectly)" "$(amount "$tmp/vg_leak.err" still)")
hc=$(sum "$(amount "$tmp/hc-leak.err" indirectly)" "$(amount "$tmp/hc-leak.err" still)")
check "indirectly lost + still reachable: memcheck $(show_amount "$mc") = heapcheck $(show_amount "$hc")" \
    same "$mc" "$hc"

if [ "$xfailed" -gt 0 ]; then
    echo "memcheck: $passed passed, $failed failed ($xfailed known failures, XFAIL, not counted)"
else
    echo "memcheck: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
