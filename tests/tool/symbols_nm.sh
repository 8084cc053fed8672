#!/bin/sh
# Symbolization of a handwritten dump whose module is the test program built with -g:
# frame addresses come from nm at test time, at a load base of 0 and at a PIE-like one.
# shellcheck source=tests/tool/common.sh
. "${srcdir:-.}/tests/tool/common.sh"

prog=$(cd "$(dirname "$SAMPLE")" && pwd)/$(basename "$SAMPLE")
addr_of() {
    nm "$prog" | awk -v f="$1" '$3 == f { print $1; exit }'
}
make_node=$(addr_of make_node)
release_twice=$(addr_of release_twice)
if [ -z "$make_node" ] || [ -z "$release_twice" ]; then
    echo "nm found no make_node or release_twice in $prog" >&2
    exit 99
fi

# write_dump BASE FILE: frames 5 bytes into each function (a return address, so the
# tool looks at 4 bytes in, past the prologue's first instruction).
write_dump() {
    base=$1
    f1=$(printf '0x%x' $((base + 0x$make_node + 5)))
    f2=$(printf '0x%x' $((base + 0x$release_twice + 5)))
    cat >"$2" <<JSON
{"format":"heapcheck-dump","version":1,"pid":77,"ppid":1,"exe":"$prog",
 "leak_check":"full",
 "modules":[{"path":"$prog","base":"$(printf '0x%x' "$base")","build_id":""}],
 "stacks":{"1":["$f1","$f2","0x900000000"]},
 "errors":[],"errors_total":0,
 "leaks":[{"kind":"definitely","stack":1,"blocks":1,"bytes":16,"indirect_bytes":0}],
 "summary":{"definitely":{"bytes":16,"blocks":1},"indirectly":{"bytes":0,"blocks":0},
            "possibly":{"bytes":0,"blocks":0},"reachable":{"bytes":0,"blocks":0},
            "suppressed":{"bytes":0,"blocks":0}}}
JSON
}

for base in 0 $((0x555555554000)); do
    write_dump "$base" "$scratch/dump.json"
    "$HC" report "$scratch/dump.json" >"$scratch/out" 2>&1
    expect_status 0 $? "report, base $base"
    expect_grep '#0 0x[0-9a-f]* in make_node .*sample_prog\.c:[0-9][0-9]* (.*sample_prog+0x[0-9a-f]*)$' "$scratch/out" \
        "frame 0 is make_node in sample_prog.c (base $base)"
    expect_grep '#1 0x[0-9a-f]* in release_twice .*sample_prog\.c:[0-9][0-9]* (.*sample_prog+0x[0-9a-f]*)$' "$scratch/out" \
        "frame 1 is release_twice in sample_prog.c (base $base)"
    expect_grep '#2 0x900000000$' "$scratch/out" "an address outside every module"
    expect_grep '16 bytes in 1 blocks are definitely lost in loss record 1 of 1' \
        "$scratch/out" "the loss record"
done

finish
