#!/bin/sh
# Real programs under heapcheck: each one runs twice, as installed and with
# libheapcheck preloaded, and must exit 0 both times with the same stdout and the
# same stderr.  Unit tests only reach the allocator paths their authors thought
# of; python, gcc, sort, perl and git between them make millions of calls of every
# size, from several threads, across fork and exec, and they check their own
# results.  The same stderr means heapcheck reported nothing: on a correct program
# any report is a false alarm.
#
# Environment (set by the Makefile; defaults for a run by hand from the build tree):
#   top_srcdir    the source tree (gcc compiles the project's own lib/*.c)
#   top_builddir  the build tree (for config.h)
#   HC_LIB        the libheapcheck.so to preload
# A program that is not installed is skipped.  Exit status: 0 every program that
# ran passed, 1 a program failed, 77 none of them is installed, 99 setup error.

# The case_ functions (and run, which only they call) are called through check,
# by a name in a variable that shellcheck cannot follow.
# shellcheck disable=SC2317
set -eu

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}

die() {
    echo "real_programs: ERROR: $*" >&2
    exit 99
}

[ -r "$HC_LIB" ] || die "no library to preload: $HC_LIB (is the shared library built?)"
# The programs run in a temporary directory, and ld.so resolves a relative
# LD_PRELOAD entry against each process's own working directory.
top_srcdir=$(cd "$top_srcdir" && pwd) || die "no source tree at $top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || die "no build tree at $top_builddir"
case $HC_LIB in
/*) ;;
*) HC_LIB=$(pwd)/$HC_LIB ;;
esac
case $HC_LIB in
*[[:space:]:]*) die "LD_PRELOAD cannot name a path with a space or colon: $HC_LIB" ;;
esac
# heapcheck goes first so that its malloc is the one every object binds to; an
# LD_PRELOAD the caller already had stays, in both runs.
hc_preload=$HC_LIB${LD_PRELOAD:+ $LD_PRELOAD}

# The defaults, but for the leak check: perl, gcc and git leave blocks unfreed at
# exit by design (memcheck reports the same leaks), and a leak report is a stderr
# difference that says nothing about the allocator's transparency, which is what
# this test is for.  Every check of the full default stays on, including the heap
# check at exit.  An option from the caller would be noise too.
HEAPCHECK_OPTIONS=leak_check=off
export HEAPCHECK_OPTIONS
# Both runs of a program must do the same work and print the same text: no hash
# randomisation, one locale, fixed git identities and dates, no user or system
# git configuration, no pager, no terminal.
LC_ALL=C
PYTHONHASHSEED=0
PERL_HASH_SEED=0
PERL_PERTURB_KEYS=0
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_AUTHOR_NAME='Heap Check'
GIT_AUTHOR_EMAIL=heapcheck@example.invalid
GIT_AUTHOR_DATE='2020-02-02T12:00:00+0000'
GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
GIT_PAGER='cat'
export LC_ALL PYTHONHASHSEED PERL_HASH_SEED PERL_PERTURB_KEYS GIT_CONFIG_NOSYSTEM \
    GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE \
    GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE GIT_PAGER
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE PYTHONMALLOC PYTHONSTARTUP || :

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-real.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
data=$tmp/data
work=$tmp/work
mkdir "$data"
# git looks for a global configuration under HOME even with GIT_CONFIG_GLOBAL set
# in older versions; python and perl look for user files there too.
HOME=$tmp
export HOME

# A deadlock in the allocator must fail the test, not hang 'make check'.
if command -v timeout >/dev/null 2>&1; then
    time_limit=600
else
    time_limit=
fi

passed=0
failed=0
skipped=0

# run COMMAND [ARG...]: run one program of a case, with heapcheck when $preload is
# set.  env sets LD_PRELOAD for COMMAND only: neither this shell nor timeout runs
# under heapcheck, so what is tested is the program and its children.
preload=
run() {
    if [ -n "$time_limit" ]; then
        set -- timeout "$time_limit" "$@"
    fi
    if [ -n "$preload" ]; then
        env LD_PRELOAD="$preload" "$@"
    else
        "$@"
    fi
}

# describe STATUS: an exit status in words, naming the signal of a crash.
describe() {
    if [ "$1" -gt 128 ] && name=$(kill -l "$1" 2>/dev/null); then
        echo "status $1 (killed by SIG$name)"
    elif [ "$1" -eq 124 ] && [ -n "$time_limit" ]; then
        echo "status 124 (timed out after ${time_limit}s?)"
    else
        echo "status $1"
    fi
}

# show_diff WHAT A B: the start of a difference, for the log.
show_diff() {
    echo "  $1 differs (-: plain, +: heapcheck):"
    diff -u "$2" "$3" | sed -n '3,42s/^/    /p' || :
}

# check LABEL FUNCTION: run FUNCTION plainly and under heapcheck, each time in a
# fresh $work directory at the same path (so paths a program prints or embeds
# agree), and compare.  FUNCTION returns the status of the first command that
# failed: the caller's 'set -e' does not reach a function run inside '||'.
check() {
    label=$1
    for mode in plain heapcheck; do
        if [ "$mode" = heapcheck ]; then preload=$hc_preload; else preload=; fi
        rm -rf "$work"
        mkdir "$work"
        status=0
        (cd "$work" && "$2") >"$tmp/$mode.out" 2>"$tmp/$mode.err" </dev/null || status=$?
        if [ "$mode" = heapcheck ]; then status_heapcheck=$status; else status_plain=$status; fi
    done
    preload=
    ok=true
    if [ "$status_plain" -ne 0 ]; then
        # The program fails without heapcheck: this machine's problem, not ours.
        echo "SKIP: $label: fails without heapcheck too, $(describe "$status_plain")"
        sed 's/^/    /' "$tmp/plain.err" | head -n 20
        skipped=$((skipped + 1))
        return 0
    fi
    if [ "$status_heapcheck" -ne 0 ]; then
        echo "FAIL: $label: under heapcheck, $(describe "$status_heapcheck")"
        ok=false
    fi
    if ! cmp -s "$tmp/plain.out" "$tmp/heapcheck.out"; then
        echo "FAIL: $label: stdout changed under heapcheck"
        show_diff stdout "$tmp/plain.out" "$tmp/heapcheck.out"
        ok=false
    fi
    if ! cmp -s "$tmp/plain.err" "$tmp/heapcheck.err"; then
        echo "FAIL: $label: stderr changed under heapcheck"
        show_diff stderr "$tmp/plain.err" "$tmp/heapcheck.err"
        ok=false
    fi
    if $ok; then
        echo "PASS: $label ($(wc -c <"$tmp/plain.out" | tr -d ' ') bytes of output)"
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
}

skip() {
    echo "SKIP: $1"
    skipped=$((skipped + 1))
}

have() { command -v "$1" >/dev/null 2>&1; }

# --- Is heapcheck really in the programs? --------------------------------------
# Without this, a library that ld.so could not load would still show up (as its
# complaint on stderr), but one that loads and is not interposed would pass
# unnoticed.  A preloaded process lists its own mappings.
if [ -r /proc/self/maps ] && have readlink; then
    real_lib=$(readlink -f "$HC_LIB")
    if env LD_PRELOAD="$hc_preload" cat /proc/self/maps | grep -F -q "$real_lib"; then
        echo "preload: $real_lib is mapped into preloaded programs"
    else
        echo "FAIL: preload: $real_lib is not mapped into a preloaded program"
        failed=$((failed + 1))
    fi
fi

# --- python3 ----------------------------------------------------------------
# Dicts, lists, strings and bytes of every size, freed in bulk and piecemeal, from
# four threads; the results are checksummed so that any corrupted object shows.
cat >"$data/alloc.py" <<'EOF'
import hashlib, json, threading

def work(seed, n):
    table = {}
    for i in range(n):
        table["k%d-%d" % (seed, i)] = [i, str(i) * (i % 7), {"x": i % 13}]
    for i in range(0, n, 3):
        del table["k%d-%d" % (seed, i)]
    keys = sorted(table, key=lambda k: (len(k), k))
    text = ",".join(keys)
    blob = json.dumps(table, sort_keys=True)
    return (len(table), len(text), hashlib.sha256(blob.encode()).hexdigest(),
            json.loads(blob) == table)

results = [None] * 4
def worker(i):
    results[i] = work(i, 30000 + 1000 * i)
threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for r in results:
    print(*r)

chunks = [bytes(range(256)) * (i % 64 + 1) for i in range(5000)]
print(sum(map(len, chunks)), len(set(chunks)))
text = ""
for i in range(20000):
    text += chr(65 + i % 26)
print(len(text), hashlib.md5(text.encode()).hexdigest())
squares = {i: [i * i] * (i % 5) for i in range(100000)}
print(sum(len(v) for v in squares.values()))
EOF

case_python() {
    run python3 "$data/alloc.py"
}
# Python's own small-object allocator hands out most objects from its arenas;
# PYTHONMALLOC=malloc sends every object through malloc and free instead.
case_python_malloc() {
    PYTHONMALLOC=malloc
    export PYTHONMALLOC
    run python3 "$data/alloc.py"
}
if have python3; then
    check "python3" case_python
    check "python3 PYTHONMALLOC=malloc" case_python_malloc
else
    skip "python3: not installed"
    skip "python3 PYTHONMALLOC=malloc: not installed"
fi

# --- gcc --------------------------------------------------------------------
# cc1 is a heavy allocator user.  It compiles this project's library, with the
# configured config.h; the objects must come out byte for byte the same (the
# checksums are part of stdout), and nm's listing shows what changed if not.
case_gcc() {
    run gcc -std=gnu11 -O2 -g -Wall -Wextra -DHC_BUILDING_LIBRARY \
        -I"$top_srcdir/include" -I"$top_srcdir/lib" -I"$top_builddir" \
        -c "$top_srcdir"/lib/*.c || return
    for o in ./*.o; do
        cksum "$o" && nm "$o" || return
    done
}
if ! have gcc; then
    skip "gcc: not installed"
elif ! have nm; then
    skip "gcc: nm is not installed"
elif [ ! -r "$top_builddir/config.h" ]; then
    skip "gcc: no config.h in $top_builddir (run configure)"
else
    check "gcc -c lib/*.c" case_gcc
fi

# --- sort -------------------------------------------------------------------
# 200,000 pseudo-random lines (a fixed linear congruential sequence, so every run
# sorts the same input), sorted three ways.  GNU sort also gets a tiny buffer and
# threads, which makes it allocate, spill to temporary files and merge.
case_sort() {
    run sort "$data/lines" || return
    run sort -r -k2,2 -k1,1n "$data/lines" || return
    # shellcheck disable=SC2086 # $sort_extra is a list of options
    run sort $sort_extra -u -k2,2 "$data/lines"
}
if ! have sort; then
    skip "sort: not installed"
elif ! have awk; then
    skip "sort: awk (to make the input) is not installed"
else
    awk 'BEGIN {
        x = 20240229
        for (i = 0; i < 200000; i++) {
            x = (x * 69069 + 1) % 4294967296
            printf "%010d %s %d\n", x, substr("abcdefghijklmnopqrstuvwxyz", x % 26 + 1, x % 17), i
        }
    }' >"$data/lines"
    sort_extra=
    if sort --parallel=2 -S 1M </dev/null >/dev/null 2>&1; then
        sort_extra="--parallel=4 -S 1M"
    fi
    check "sort (200000 lines)" case_sort
fi

# --- perl -------------------------------------------------------------------
# Perl (built with the system malloc on Debian and most distributions) filling,
# thinning and walking a hash of 200,000 entries.
cat >"$data/hash.pl" <<'EOF'
my %h;
$h{"key$_"} = [$_, "v" x ($_ % 50)] for 1 .. 200000;
delete $h{"key$_"} for grep { $_ % 3 == 0 } 1 .. 200000;
my $n = 0;
$n += length($h{$_}[1]) for keys %h;
my %count;
$count{length $_}++ for keys %h;
my @k = sort keys %h;
print scalar(@k), " $n $k[0] $k[-1] ", join(",", map { "$_=$count{$_}" } sort keys %count), "\n";
EOF
case_perl() {
    run perl "$data/hash.pl"
}
if have perl; then
    check "perl (hash of 200000)" case_perl
else
    skip "perl: not installed"
fi

# --- git --------------------------------------------------------------------
# A repository built from scratch: five commits of generated files, the whole
# history as patches, then gc (pack-objects with threads, repack, prune) and fsck.
# Fixed identities and dates make every object id the same in both runs.
case_git() {
    run git -c init.defaultBranch=main init -q repo || return
    cd repo || return
    for c in 1 2 3 4 5; do
        for f in 1 2 3 4 5 6 7 8 9 10; do
            awk -v c="$c" -v f="$f" 'BEGIN {
                for (i = 0; i < 2000; i++) print c, f, i, (i * c * f) % 97
            }' >"file$f.txt" || return
        done
        run git add -A || return
        run git commit -q -m "commit $c" || return
    done
    run git log -p || return
    run git gc -q || return
    run git count-objects -v || return
    run git fsck --no-progress || return
    run git rev-parse HEAD
}
if ! have git; then
    skip "git: not installed"
elif ! have awk; then
    skip "git: awk (to make the files) is not installed"
else
    check "git (commit, log -p, gc, fsck)" case_git
fi

echo "real_programs: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ]; then
    exit 1
fi
if [ "$passed" -eq 0 ]; then
    exit 77
fi
exit 0
