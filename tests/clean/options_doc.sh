#!/bin/sh
# The options are documented from the one table, lib/options.def: README.md's and
# man/libheapcheck.3.in's options tables are exactly what tools/optdoc generates from
# it (`make options-doc` regenerates them), `heapcheck --help` lists every option with
# its default, and the man pages configure made carry one version and one date.
set -eu
src=${top_srcdir:-.}
build=${top_builddir:-.}
def=$src/lib/options.def
gen=$build/tools/optdoc
tool=$build/tools/heapcheck
[ -x "$gen" ] && [ -x "$tool" ] || { echo "options_doc: build first ($gen, $tool)" >&2; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hc-optdoc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
    echo "FAIL: $*"
    fail=1
}

names=$(sed -n 's/^OPT(\([a-z_]*\), .*/\1/p' "$def")
count=$(echo "$names" | wc -l)
[ "$count" -gt 10 ] || { echo "options_doc: no options found in $def" >&2; exit 99; }

# The committed tables are the generated ones.
for pair in markdown:README.md man:man/libheapcheck.3.in; do
    format=${pair%%:*} file=${pair#*:}
    if ! "$gen" "$format" <"$src/$file" >"$tmp/new"; then
        bad "tools/optdoc $format cannot regenerate $file"
    elif ! cmp -s "$src/$file" "$tmp/new"; then
        bad "$file differs from what lib/options.def generates (run: make options-doc)"
        diff -u "$src/$file" "$tmp/new" | head -30
    fi
done
# ...and hold one entry per option, with its default (so a generator that wrote
# nothing, or a marker pair around nothing, is caught).
rows=$(grep -c '^| `[a-z_]*` | `' "$src/README.md" || true)
[ "$rows" -eq "$count" ] || bad "README.md has $rows option rows, lib/options.def $count options"
entries=$(grep -c '^\.BR [a-z_]* " (default: ' "$src/man/libheapcheck.3.in" || true)
[ "$entries" -eq "$count" ] || bad "libheapcheck.3.in has $entries option entries, lib/options.def $count"
grep -q '^| `stack_depth` | `16` | .*(range 0 to 64) |$' "$src/README.md" ||
    bad "README.md's row of stack_depth lacks its default or range"
# An empty default shows as "" once the page is rendered (a bare "" inside a quoted
# macro argument renders as a lone quote).
if [ -f "$build/man/libheapcheck.3" ] && command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -P-cbou "$build/man/libheapcheck.3" 2>/dev/null >"$tmp/page" || :
    grep -q 'log_path (default: "")' "$tmp/page" ||
        bad "the rendered libheapcheck(3) does not show log_path's default as \"\""
fi

# heapcheck --help: every option, with its default, from the same table.
"$tool" --help >"$tmp/help" || bad "heapcheck --help failed"
for name in $names; do
    default=$(sed -n "s/^OPT($name, [A-Z]*, \"\\([^\"]*\\)\".*/\\1/p" "$def")
    grep -q "^  $name=[^ ]* *(default: ${default:-\"\"}[);]" "$tmp/help" ||
        bad "heapcheck --help does not list $name with default ${default:-\"\"}"
done
grep -q "^  --leak-check=" "$tmp/help" || bad "heapcheck --help lost --leak-check"

# The man pages configure made: one version (the package's) and one date.
version=$("$tool" --version | sed 's/^heapcheck //')
dates=
for page in heapcheck.1 libheapcheck.3 heapcheck-check.7; do
    th=$(sed -n '1p' "$build/man/$page")
    case $th in
    *"\"heapcheck $version\""*) ;;
    *) bad "man/$page says '$th', not version $version" ;;
    esac
    dates="$dates $(echo "$th" | cut -d'"' -f2)"
done
[ "$(echo $dates | tr ' ' '\n' | sort -u | wc -l)" -eq 1 ] || bad "the man pages' dates differ:$dates"
case $dates in *@*) bad "a man page's date was not substituted:$dates" ;; esac

if [ $fail -eq 0 ]; then
    echo "options_doc: $count options documented, 1 passed, 0 failed"
else
    echo "options_doc: 0 passed, 1 failed"
fi
exit $fail
