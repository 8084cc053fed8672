#!/bin/sh
# The exploitation suite's runner (tests/security/README.md).
#
#   run.sh            each technique under heapcheck's full and hardened presets
#                     (preloaded): it must be stopped by a report naming the class
#                     below, before the program says its primitive worked; and under
#                     each with abort_on_error=0, the report made, the allocator must go
#                     on safely: the primitive fails (exit 43), nothing crashes.  The test.
#   run.sh --matrix   each technique under glibc, Scudo, full and hardened: a Markdown
#                     table of outcomes (worked, stopped with the allocator's words,
#                     crashed, no effect, n/a).  Not a test: glibc and Scudo are what
#                     they are.  On them the programs run their glibc-aimed variant.
#
# Options in every heapcheck run: guard_sample=0 and guard_sample_hardened=0, so that
# whether a victim lands in a guarded slot (whose blocks have no core layout) is not
# left to chance; the full preset's first guarded allocations (guard_first) are used up
# by the programs themselves (sec.h: groom), and its quarantine is flushed by frees.
# Environment: HC_LIB (libheapcheck.so), top_builddir.  Exit: 0, 1 (a technique was
# not stopped as it must be), 99 (harness error).
set -u

here=$(cd "$(dirname "$0")" && pwd)
builddir=${top_builddir:-.}
lib=${HC_LIB:-$builddir/lib/.libs/libheapcheck.so}
bin=$builddir/tests/security
opts_common=guard_sample=0:guard_sample_hardened=0:dwarf_unwind=0

# technique: the report's class under full, and under hardened (a regular expression
# on the report's headline "heapcheck: CLASS on address").
techniques='
list_poisoning|write-after-free|write-after-free
unsafe_unlink|write-after-free|write-after-free
range_bin_poisoning|write-after-free|write-after-free
size_overlap_indexed|corrupted block header|corrupted block header
size_overlap_copy|corrupted block header|corrupted block header
poison_null_byte|corrupted block header|corrupted block header
house_of_force|corrupted block header|corrupted block header
spirit_stack|invalid-free of a wild pointer|invalid-free of a wild pointer
spirit_bss|invalid-free of a wild pointer|invalid-free of a wild pointer
spirit_heap|invalid-free of an interior pointer|invalid-free of an interior pointer
interior_free|invalid-free of an interior pointer|invalid-free of an interior pointer
double_free_aa|double-free|double-free
double_free_aba|double-free|double-free
'

[ -f "$lib" ] || { echo "run.sh: no library at $lib" >&2; exit 99; }
out=$(mktemp -d) || exit 99
trap 'rm -rf "$out"' EXIT

# run NAME KIND: runs the program under one allocator; sets status, and leaves its
# stdout and stderr in $out/NAME.KIND.{out,err}.
run() {
    name=$1 kind=$2
    case $kind in
    glibc) env -u LD_PRELOAD -u HEAPCHECK_OPTIONS "$bin/$name" ;;
    scudo) env -u HEAPCHECK_OPTIONS LD_PRELOAD="$scudo" "$bin/$name" ;;
    *-continue) env LD_PRELOAD="$lib" \
        HEAPCHECK_OPTIONS="preset=${kind%-continue}:$opts_common:abort_on_error=0:exitcode=0" "$bin/$name" ;;
    *) env LD_PRELOAD="$lib" HEAPCHECK_OPTIONS="preset=$kind:$opts_common" "$bin/$name" ;;
    esac >"$out/$name.$kind.out" 2>"$out/$name.$kind.err" </dev/null
    status=$?
}

# The outcome of the last run, in a word or a few.
outcome() {
    f=$out/$name.$kind
    if grep -q '^PRIMITIVE WORKED' "$f.out"; then
        echo "**worked** ($(sed -n 's/^PRIMITIVE WORKED: //p' "$f.out" | head -n 1))"
    elif grep -q '^setup error' "$f.out"; then
        echo "setup error: $(sed -n 's/^setup error: //p' "$f.out")"
    elif [ "$status" -eq 43 ]; then
        echo "no effect, nothing reported"
    elif [ "$status" -eq 44 ]; then
        echo "n/a ($(sed -n 's/^not applicable: //p' "$f.out"))"
    else
        words=$(grep -m 1 -o -E 'heapcheck: [a-z][a-z -]+ on address|malloc\(\): [^"]*|free\(\): [^"]*|double free[^"]*|corrupted [^"]*|Scudo ERROR: [^"]*' "$f.err" | head -n 1 | sed 's/ on address$//; s/^heapcheck: //; s/[[:space:]]*$//')
        if [ "$status" -gt 128 ]; then
            sig=$(kill -l "$((status - 128))" 2>/dev/null || echo "$((status - 128))")
            echo "stopped (SIG$sig)${words:+: $words}"
        else
            echo "exit $status${words:+: $words}"
        fi
    fi
}

if [ "${1:-}" = --matrix ]; then
    scudo=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.scudo_standalone-x86_64.so 2>/dev/null | tail -n 1)
    echo "| technique | glibc | Scudo | heapcheck full | heapcheck hardened |"
    echo "|---|---|---|---|---|"
    echo "$techniques" | while IFS='|' read -r name full hardened rest; do
        [ -n "$name" ] || continue
        row="| $name"
        for kind in glibc scudo full hardened; do
            if [ "$kind" = scudo ] && [ -z "$scudo" ]; then
                row="$row | (no Scudo)"
                continue
            fi
            run "$name" "$kind"
            row="$row | $(outcome)"
        done
        echo "$row |"
    done
    exit 0
fi

fails=0 passes=0
while IFS='|' read -r name full hardened alt; do
    [ -n "$name" ] || continue
    for kind in full hardened full-continue hardened-continue; do
        want=$full
        case $kind in hardened*) want=$hardened ;; esac
        run "$name" "$kind"
        f=$out/$name.$kind
        why=
        case $kind in *-continue) stop=43 ;; *) stop=134 ;; esac
        if grep -q '^PRIMITIVE WORKED' "$f.out"; then
            why="the primitive worked: $(cat "$f.out")"
        elif [ "$status" -ne "$stop" ]; then
            why="exit status $status, not $stop (134: the abort; 43: the primitive failed)"
        elif ! grep -q -E "heapcheck: ($want${alt:+|$alt}) on address" "$f.err"; then
            why="no '$want' report"
        fi
        if [ -n "$why" ]; then
            echo "FAIL: $name under $kind: $why"
            sed 's/^/    /' "$f.out" "$f.err" | head -n 30
            fails=$((fails + 1))
        else
            echo "ok: $name under $kind: $(grep -m 1 -o -E 'heapcheck: [a-z][a-z -]+ on address' "$f.err")"
            passes=$((passes + 1))
        fi
    done
done <<EOF_T
$techniques
EOF_T
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
