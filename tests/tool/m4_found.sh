#!/bin/sh
# Where aclocal finds heapcheck.m4, and a clear failure when it does not:
#  - a project whose configure.ac has m4_pattern_forbid([^HEAPCHECK_]) (as
#    heapcheck-check(7) says) fails at autoreconf, naming HEAPCHECK_CHECK, when aclocal
#    cannot find the macro; without it autoreconf "succeeds" and configure prints
#    "HEAPCHECK_CHECK: command not found" (the confusing failure this guards against);
#    with ACLOCAL_PATH naming the directory it works;
#  - make install-data-local puts heapcheck.m4 in aclocal's own directory when asked
#    (the default prefix /usr/local asks) and a plain aclocal then finds it; another
#    prefix gets a note saying what to set; make uninstall-local removes the copy.
# Skipped (77) without the Autotools.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL ACLOCAL_PATH
for tool in autoreconf aclocal automake make; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (./bootstrap installs the Autotools)"
        exit 77
    fi
done
M4DIR=$(cd "$srcdir/m4" && pwd)
# aclocal's own directory stood for by an empty one, so an installed heapcheck.m4
# cannot make the macro found by accident.
mkdir "$scratch/sysacdir" || exit 99
ACLOCAL="aclocal --system-acdir=$scratch/sysacdir"
export ACLOCAL

proj="$scratch/forbid"
cp -R "$srcdir/tests/sample" "$proj" && chmod -R u+w "$proj" || exit 99
sed 's/^AC_INIT(\(.*\))$/AC_INIT(\1)\nm4_pattern_forbid([^HEAPCHECK_])/' \
    "$srcdir/tests/sample/configure.ac" >"$proj/configure.ac"
expect_grep '^m4_pattern_forbid(\[^HEAPCHECK_\])$' "$proj/configure.ac" "the project forbids unexpanded HEAPCHECK_ names"
(cd "$proj" && autoreconf -fi) >"$scratch/out" 2>&1
st=$?
if [ $st -ne 0 ]; then pass "autoreconf fails at once (status $st)"; else fail "autoreconf succeeded without the macro"; fi
expect_grep 'HEAPCHECK_CHECK' "$scratch/out" "its message names HEAPCHECK_CHECK"
expect_grep 'possibly undefined macro: HEAPCHECK_CHECK\|forbidden' "$scratch/out" \
    "and says the macro is undefined"

# Without the line: the confusing failure the documentation warns of.
plain="$scratch/plain"
cp -R "$srcdir/tests/sample" "$plain" && chmod -R u+w "$plain" || exit 99
(cd "$plain" && autoreconf -fi) >"$scratch/out" 2>&1
if [ -x "$plain/configure" ]; then
    (cd "$plain" && ./configure) >"$scratch/out" 2>&1
    expect_grep 'HEAPCHECK_CHECK: command not found' "$scratch/out" \
        "without m4_pattern_forbid the failure shows only in configure"
else
    pass "this autoconf already refuses the unknown macro"
fi

# ACLOCAL_PATH naming where heapcheck.m4 is: it works.
(cd "$proj" && ACLOCAL_PATH="$M4DIR" autoreconf -fi) >"$scratch/out" 2>&1
expect_status 0 $? "with ACLOCAL_PATH, autoreconf succeeds"
expect_grep 'HEAPCHECK_CHECK_RULES' "$proj/Makefile.in" "and the macro's rules are in Makefile.in"

# make install-data-local: the copy in aclocal's own directory.
top=$(pwd)
make -s -C "$top" install-heapcheck-system-m4 prefix="$scratch/inst" \
    SYSTEM_ACLOCALDIR="$scratch/sysacdir" >"$scratch/out" 2>&1
if [ -e "$scratch/sysacdir/heapcheck.m4" ]; then
    fail "another prefix installed into aclocal's directory"
else
    pass "a prefix other than /usr/local leaves aclocal's directory alone"
fi
expect_grep "note: aclocal does not look in $scratch/inst/share/aclocal" "$scratch/out" \
    "and says aclocal will not find the macro"
expect_grep "ACLOCAL_PATH=$scratch/inst/share/aclocal" "$scratch/out" "naming what to set"
make -s -C "$top" install-heapcheck-system-m4 prefix=/usr/local \
    SYSTEM_ACLOCALDIR="$scratch/sysacdir" >"$scratch/out" 2>&1
expect_grep "heapcheck.m4 also installed in $scratch/sysacdir" "$scratch/out" \
    "the default prefix /usr/local: also installed where aclocal looks"
rm -rf "$proj/autom4te.cache" "$proj/configure" "$proj/aclocal.m4"
(cd "$proj" && autoreconf -fi) >"$scratch/out" 2>&1
expect_status 0 $? "a plain autoreconf now finds HEAPCHECK_CHECK"
make -s -C "$top" uninstall-heapcheck-system-m4 SYSTEM_ACLOCALDIR="$scratch/sysacdir" \
    >"$scratch/out" 2>&1
if [ -e "$scratch/sysacdir/heapcheck.m4" ]; then fail "uninstall left the copy"; else pass "uninstall removes the copy"; fi

finish
