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
