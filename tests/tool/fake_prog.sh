#!/bin/sh
# Stands in for programs running under the library until it writes dumps itself:
# copies each FILE to the dump path heapcheck put in HEAPCHECK_OPTIONS, as processes
# 100001, 100002, ...; then exits with $FAKE_STATUS (0 by default).
prefix=$(printf '%s\n' "${HEAPCHECK_OPTIONS:-}" | tr ',' ':' | tr ':' '\n' | sed -n 's/^dump_path=//p' |
    tail -n 1)
[ -n "$prefix" ] || { echo "fake_prog: no dump_path in HEAPCHECK_OPTIONS" >&2; exit 99; }
n=100000
for f in "$@"; do
    n=$((n + 1))
    cp "$f" "$prefix.$n.json" || exit 99
done
exit "${FAKE_STATUS:-0}"
