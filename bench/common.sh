# Sourced by the bench scripts.  Each defines die() before sourcing this.

# preload_path LIB: the absolute path of the shared object LIB names; LIB may be the
# libtool archive, which names its shared object (dlname) and keeps it in .libs.
# Use as lib=$(preload_path "$lib") || exit 1 (die only leaves the subshell).
preload_path() {
    p=$1
    case $p in
    *.la)
        [ -f "$p" ] || die "no libtool archive $p (run make first)"
        dlname=$(sed -n "s/^dlname='\(.*\)'\$/\1/p" "$p")
        [ -n "$dlname" ] || die "$p names no shared library (configured with --disable-shared?)"
        p=$(dirname "$p")/.libs/$dlname
        ;;
    esac
    [ -f "$p" ] || die "no shared library $p"
    # LD_PRELOAD needs a path that does not depend on the current directory.
    echo "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
}

# Print the list rotated left by n places: rotate N WORD..., so that each round of a
# benchmark starts one allocator further along.
rotate() {
    n=$1
    shift
    n=$((n % $#))
    while [ "$n" -gt 0 ]; do
        first=$1
        shift
        set -- "$@" "$first"
        n=$((n - 1))
    done
    echo "$*"
}

# "median min max" of the numbers on standard input, one per line; fails on none.
median_min_max() {
    sort -g |
        awk '{ v[NR] = $1 }
             END {
                 if (NR == 0) exit 1
                 m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                 print m, v[1], v[NR]
             }'
}

# The machine, for a results header: architecture, CPUs, model, kernel, C library.
libc=$(getconf GNU_LIBC_VERSION 2>/dev/null || echo "unknown libc")
machine_description() {
    cpu=$(awk -F ': *' '/^(model name|Model name|cpu model|Processor)/ { print $2; exit }' \
        /proc/cpuinfo 2>/dev/null || true)
    [ -n "$cpu" ] || cpu=$(uname -p)
    echo "$(uname -m), $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN) CPUs (nproc), $cpu;" \
        "$(uname -s) $(uname -r); $libc"
}

# heapcheck_version SRCDIR VERSION: VERSION with the source tree's commit, when the tree
# is its own repository (.git a directory, or a file in a worktree) and not an unpacked
# tarball inside another one.
heapcheck_version() {
    v=$2
    if [ -e "$1/.git" ] && commit=$(git -C "$1" rev-parse --short HEAD 2>/dev/null); then
        git -C "$1" diff --quiet HEAD -- 2>/dev/null || commit="$commit, modified"
        v="${v:+$v }(git $commit)"
    fi
    echo "$v"
}

# The path of Scudo's standalone runtime (clang's compiler-rt), or nothing: clang knows
# where its runtime lives.
scudo_path() {
    command -v clang >/dev/null 2>&1 || return 0
    f=$(clang -print-file-name=libclang_rt.scudo_standalone-x86_64.so 2>/dev/null || true)
    [ -f "$f" ] && echo "$f"
}
