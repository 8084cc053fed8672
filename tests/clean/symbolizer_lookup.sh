#!/bin/sh
# A library run from its build tree (libtool's BUILD/lib/.libs) starts its build
# tree's heapcheck-symbolizer (BUILD/tools) with no HEAPCHECK_SYMBOLIZER set, so
# in-tree reports name file:line before any install (the library preloaded by an
# absolute or a relative path); but never one that someone
# other than this user or root could have replaced (a group- or world-writable
# file or directory): then the library does as if there were no build-tree
# symbolizer at all (the ELF symbol tables' function+offset, or, after `make
# install`, the installed symbolizer's file:line: the report of a copy of the library
# with no tools/ beside it says which, so the test holds installed or not).
set -eu
build=${top_builddir:-.}
lib=${HC_LIB:-$build/lib/.libs/libheapcheck.so}
prog=$build/examples/leaky
real=$build/tools/heapcheck-symbolizer
for f in "$lib" "$prog" "$real"; do
    [ -e "$f" ] || { echo "symbolizer_lookup: no $f (make first)" >&2; exit 99; }
done
unset HEAPCHECK_SYMBOLIZER HEAPCHECK_OPTIONS LD_PRELOAD || :
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-symlookup.XXXXXX")
trap 'chmod -R go-w "$tmp"; rm -rf "$tmp"' EXIT
# A copy of the build tree's layout whose symbolizer leaves a mark when started.
mkdir -p "$tmp/b/lib/.libs" "$tmp/b/tools"
cp "$lib" "$tmp/b/lib/.libs/libheapcheck.so"
cat >"$tmp/b/tools/heapcheck-symbolizer" <<SCRIPT
#!/bin/sh
: >"$tmp/started"
exec "$(cd "$(dirname "$real")" && pwd)/heapcheck-symbolizer"
SCRIPT
chmod 755 "$tmp/b/tools/heapcheck-symbolizer"
chmod 755 "$tmp" "$tmp/b" "$tmp/b/tools"
fail=0
bad() {
    echo "FAIL: $*"
    fail=1
}
# run: the leak report of examples/leaky with the copied library preloaded.
run() {
    rm -f "$tmp/started"
    LD_PRELOAD="$tmp/b/lib/.libs/libheapcheck.so" "$prog" >/dev/null 2>"$tmp/err" || :
}

run
[ -f "$tmp/started" ] || bad "the build tree's symbolizer was not started"
grep -q ' in main .*examples/leaky\.c:[0-9]' "$tmp/err" ||
    bad "the report does not name main's file:line: $(grep -m1 '#0' "$tmp/err" || :)"

# The same library preloaded by a relative path (LD_PRELOAD=lib/.libs/... in the
# build tree): found all the same.
rm -f "$tmp/started"
prog_abs=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
(cd "$tmp/b" && LD_PRELOAD=lib/.libs/libheapcheck.so "$prog_abs" >/dev/null 2>"$tmp/err") || :
[ -f "$tmp/started" ] || bad "preloaded by a relative path, the build tree's symbolizer was not started"
grep -q ' in main .*examples/leaky\.c:[0-9]' "$tmp/err" ||
    bad "preloaded by a relative path, no file:line: $(grep -m1 '#0' "$tmp/err" || :)"

# Without a build-tree symbolizer: the form every untrusted case must give.
mkdir -p "$tmp/bare/lib/.libs"
cp "$lib" "$tmp/bare/lib/.libs/libheapcheck.so"
LD_PRELOAD="$tmp/bare/lib/.libs/libheapcheck.so" "$prog" >/dev/null 2>"$tmp/err" || :
if grep -q ' in main .*examples/leaky\.c:[0-9]' "$tmp/err"; then
    fallback=' in main .*examples/leaky\.c:[0-9]' fallback_name="file:line (an installed symbolizer)"
else
    fallback=' in main+0x[0-9a-f]* (' fallback_name="function+offset"
    grep -q "$fallback" "$tmp/err" ||
        bad "with no build-tree symbolizer, no function+offset report: $(grep -m1 '#0' "$tmp/err" || :)"
fi
echo "symbolizer_lookup: with no build-tree symbolizer, reports name $fallback_name"

for writable in "g+w $tmp/b/tools" "o+w $tmp/b/tools/heapcheck-symbolizer" "o+w $tmp/b"; do
    chmod ${writable% *} "${writable#* }"
    run
    [ ! -f "$tmp/started" ] || bad "the symbolizer was started with ${writable#* } ${writable% *}"
    # Still a report, as with no build-tree symbolizer.
    grep -q "$fallback" "$tmp/err" ||
        bad "with ${writable#* } ${writable% *}, no $fallback_name report: $(grep -m1 '#0' "$tmp/err" || :)"
    chmod go-w "${writable#* }"
done

if [ $fail -eq 0 ]; then
    echo "symbolizer_lookup: 1 passed, 0 failed"
else
    echo "symbolizer_lookup: 0 passed, 1 failed"
fi
exit $fail
