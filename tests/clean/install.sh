#!/bin/sh
# make install into a staging tree (DESTDIR): everything lands, the loader's cache is
# left alone (no ldconfig with DESTDIR), heapcheck.pc names the tool and the preload
# library, and a program linked with pkg-config's flags runs without LD_LIBRARY_PATH
# (the run path in Libs; here with the prefix redefined to the staging tree).  As root
# without DESTDIR the install hook does run ldconfig.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
unset MAKEFLAGS MFLAGS MAKELEVEL LD_LIBRARY_PATH HEAPCHECK_OPTIONS
failures=0
checks=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hcinstall.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); checks=$((checks + 1)); }
pass() { echo "ok: $*"; checks=$((checks + 1)); }
for tool in pkg-config "${CC:-cc}"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
make=${MAKE:-make}

dest="$scratch/stage"
$make -C "$top_builddir" install DESTDIR="$dest" LDCONFIG='echo RAN-LDCONFIG' \
    >"$scratch/install" 2>&1 || { cat "$scratch/install"; fail "make install DESTDIR"; }
if grep -q RAN-LDCONFIG "$scratch/install"; then fail "ldconfig ran with DESTDIR"; else
    pass "no ldconfig with DESTDIR"; fi
prefix=$(sed -n 's/^prefix=//p' "$top_builddir/heapcheck.pc")
root="$dest$prefix"
pcdir=$(find "$dest" -name heapcheck.pc -printf '%h\n' | head -n 1)
for f in "$pcdir/heapcheck.pc" "$root/include/heapcheck.h" "$root/share/aclocal/heapcheck.m4" \
         "$root/share/man/man7/heapcheck-check.7" "$root/share/man/man1/heapcheck.1"; do
    if [ -f "$f" ]; then pass "installed: ${f#"$dest"}"; else fail "not installed: ${f#"$dest"}"; fi
done

pc() { PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$root" "$@" heapcheck; }
tool=$(pc --variable=heapcheck)
preload=$(pc --variable=preload)
if [ -x "$tool" ]; then pass "heapcheck.pc's heapcheck variable: $tool"; else fail "heapcheck=$tool is not the tool"; fi
if [ -f "$preload" ]; then pass "heapcheck.pc's preload variable: $preload"; else fail "preload=$preload is not the library"; fi
case " $(pc --libs) " in
*" -Wl,-rpath,$root/lib "*) pass "Libs has the run path" ;;
*) fail "no run path in Libs: $(pc --libs)" ;;
esac

# A program linked with pkg-config runs as it is, with heapcheck (it checks the heap).
cat >"$scratch/prog.c" <<'C'
#include <heapcheck.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
    char *p = malloc(16);
    if (!p)
        return 1;
    strcpy(p, "linked");
    int bad = hc_check_heap();
    free(p);
    return bad == 0 ? 0 : 1;
}
C
# shellcheck disable=SC2046
${CC:-cc} -o "$scratch/prog" "$scratch/prog.c" $(pc --cflags --libs) >"$scratch/cc" 2>&1 ||
    { cat "$scratch/cc"; fail "linking with pkg-config's flags"; }
if "$scratch/prog"; then pass "the linked program runs without LD_LIBRARY_PATH"; else
    fail "the linked program did not run (status $?)"; fi
if ldd "$scratch/prog" | grep -q "libheapcheck.so.0 => $root/lib/"; then
    pass "it loads the installed library"; else fail "ldd: $(ldd "$scratch/prog")"; fi
# The preload variable works as LD_PRELOAD, on a program that knows nothing of heapcheck.
printf '#include <stdlib.h>\nint main(void) { free(malloc(10)); return 0; }\n' >"$scratch/plain.c"
${CC:-cc} -o "$scratch/plain" "$scratch/plain.c" || fail "compiling a plain program"
out=$(LD_PRELOAD="$preload" HEAPCHECK_OPTIONS=verbosity=2 "$scratch/plain" 2>&1)
case $out in
*"heapcheck: "*allocations*) pass "LD_PRELOAD=\${preload} runs the program with heapcheck" ;;
*) fail "LD_PRELOAD=$preload: no heapcheck summary: $out" ;;
esac

# The hook itself: as root without DESTDIR it runs ldconfig (here an echo).
$make -C "$top_builddir" -s install-exec-hook LDCONFIG='echo RAN-LDCONFIG' >"$scratch/hook" 2>&1
if [ "$(id -u)" = 0 ]; then
    if grep -q RAN-LDCONFIG "$scratch/hook"; then pass "root, no DESTDIR: ldconfig runs"; else
        fail "root, no DESTDIR: no ldconfig: $(cat "$scratch/hook")"; fi
elif grep -q RAN-LDCONFIG "$scratch/hook"; then fail "ldconfig as a user"; else
    pass "as a user: no ldconfig"; fi

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
