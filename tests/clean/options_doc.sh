#!/bin/sh
# Every option of lib/options.def is documented with its default in README.md's table
# and in man/libheapcheck.3, and neither documents an option the table lacks.
set -eu
src=${top_srcdir:-.}
def=$src/lib/options.def
fail=0
options=$(sed -n 's/^OPT(\([a-z_]*\), [A-Z]*, "\([^"]*\)".*/\1=\2/p' "$def")
[ -n "$options" ] || { echo "options_doc: no options found in $def" >&2; exit 99; }
for entry in $options; do
    name=${entry%%=*}
    default=${entry#*=}
    shown=${default:-\"\"}
    if ! grep -q "^| \`$name\` | \`$shown\` |" "$src/README.md"; then
        echo "FAIL: README.md does not list $name with default $shown"
        fail=1
    fi
    if ! grep -q "^\.BR $name \" (default: $shown)\"" "$src/man/libheapcheck.3"; then
        echo "FAIL: libheapcheck.3 does not list $name with default $shown"
        fail=1
    fi
done
# The other way: an option documented but not in the table.
for name in $(sed -n 's/^| `\([a-z_]*\)` | `.*/\1/p' "$src/README.md" | sort -u); do
    case " $(echo "$options" | sed 's/=[^ ]*//g' | tr '\n' ' ') " in
    *" $name "*) ;;
    *) echo "FAIL: README.md documents $name, which lib/options.def does not have"; fail=1 ;;
    esac
done
# Each range of the table (OPT_RANGE) is stated in the README's row of its option.
for range in $(sed -n 's/^OPT_RANGE(\([a-z_]*\), \([0-9]*\), \([0-9]*\)).*/\1=\2=\3/p' "$def"); do
    name=${range%%=*} rest=${range#*=}
    if ! grep -q "^| \`$name\` | .*(range ${rest%%=*} to ${rest#*=})" "$src/README.md"; then
        echo "FAIL: README.md does not state the range of $name (${rest%%=*} to ${rest#*=})"
        fail=1
    fi
done
count=$(echo "$options" | wc -l)
if [ $fail -eq 0 ]; then
    echo "options_doc: $count options documented, 1 passed, 0 failed"
else
    echo "options_doc: 0 passed, 1 failed"
fi
exit $fail
