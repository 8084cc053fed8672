#!/bin/sh
# The shared library must export exactly the names in lib/exports.txt: an extra
# name leaks an internal function into every program that preloads heapcheck (and
# may interpose on the program's own symbol); a missing one silently leaves the
# system allocator in charge of that call.
#
# Environment (set by the Makefile; defaults for a run by hand from the build tree):
#   top_srcdir  the source tree, for lib/exports.txt
#   HC_LIB      the built libheapcheck.so
# Exit status: 0 same list, 1 different, 77 no nm, 99 missing inputs.
set -eu

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-.}
HC_LIB=${HC_LIB:-$top_builddir/lib/.libs/libheapcheck.so}

if ! command -v nm >/dev/null 2>&1; then
    echo "exports: SKIP: nm not found"
    exit 77
fi
expected_list=$top_srcdir/lib/exports.txt
for f in "$HC_LIB" "$expected_list"; do
    if [ ! -r "$f" ]; then
        echo "exports: ERROR: cannot read $f" >&2
        exit 99
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# The list may carry blank lines and # comments; the C locale makes both sides
# sort the same way whatever the user's locale.
grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' "$expected_list" |
    LC_ALL=C sort >"$tmp/expected"

# nm prints "VALUE TYPE NAME" (no value for undefined symbols, which
# --defined-only leaves out anyway).  A symbol version, if the library ever gets a
# version script, follows the name after an '@' and is not part of the name.
if ! nm -D --defined-only "$HC_LIB" >"$tmp/nm"; then
    echo "exports: ERROR: nm -D failed on $HC_LIB" >&2
    exit 99
fi
awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" | LC_ALL=C sort >"$tmp/actual"

if diff -u "$tmp/expected" "$tmp/actual"; then
    echo "exports: $(wc -l <"$tmp/actual" | tr -d ' ') symbols, as in lib/exports.txt"
    exit 0
fi
echo "exports: FAIL: the exported names differ from lib/exports.txt" \
    "('-' missing from the library, '+' exported but not listed)"
exit 1
