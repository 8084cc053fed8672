#!/bin/sh
# Log and dump files that someone else planted at PATH.PID: a FIFO must not hang the
# program (at its first malloc for log_path, at exit for dump_path), another user's
# file must not receive the report (nor be truncated), and a write that fails (a full
# disk, here RLIMIT_FSIZE) must be warned about once.  Each warning names the file and
# the reason.  The program's pid is known in advance: the shell that plants the file
# execs it.
set -eu
prog=${top_builddir:-.}/tests/reliability/writer
[ -x "$prog" ] || { echo "outputs: build first" >&2; exit 99; }
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
check() { # DESCRIPTION CONDITION...
    what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "PASS: $what"
    else
        failed=$((failed + 1))
        echo "FAIL: $what"
        sed 's/^/    /' "$dir/err"
    fi
}
has() { grep -q -- "$1" "$dir/err"; }
lines() { [ "$(grep -c -- "$1" "$dir/err")" -eq "$2" ]; }

# plant KIND PATH-PREFIX SUFFIX OPTIONS: run the program with KIND (fifo, foreign)
# planted at PREFIX.PID SUFFIX; the status goes to $dir/status.
plant() {
    status=0
    # shellcheck disable=SC2016
    HC_KIND=$1 HC_AT=$2 HC_SUFFIX=$3 HEAPCHECK_OPTIONS=$4 timeout 30 sh -c '
        target=$HC_AT.$$$HC_SUFFIX
        case $HC_KIND in
        fifo) mkfifo "$target" ;;
        foreign) echo planted >"$target"; chown nobody "$target" ;;
        esac
        exec "$0"' "$prog" 2>"$dir/err" || status=$?
    echo "$status" >"$dir/status"
}
ended() { [ "$(cat "$dir/status")" -eq "$1" ]; }

plant fifo "$dir/log" "" "log_path=$dir/log:exitcode=0"
check "a FIFO at log_path.PID: no hang, the program ends normally" ended 0
check "a FIFO at log_path.PID: refused with the path and the reason" \
    has "cannot open the log file $dir/log\.[0-9]* (log_path): a FIFO or socket with no reader"

plant fifo "$dir/dump" ".json" "dump_path=$dir/dump:exitcode=0"
check "a FIFO at dump_path.PID.json: no hang at exit" ended 0
check "a FIFO at dump_path.PID.json: refused with the path and the reason" \
    has "could not write the dump $dir/dump\.[0-9]*\.json (dump_path): a FIFO or socket with no reader"

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    plant foreign "$dir/flog" "" "log_path=$dir/flog:exitcode=0"
    check "another user's file at log_path.PID: refused, named" has "cannot open the log file $dir/flog\.[0-9]* (log_path): owned by another user"
    check "another user's file at log_path.PID: receives nothing" sh -c "[ \"\$(cat $dir/flog.*)\" = planted ]"
    plant foreign "$dir/fdump" ".json" "dump_path=$dir/fdump:exitcode=0"
    check "another user's file at dump_path.PID.json: refused, named" has "could not write the dump $dir/fdump\.[0-9]*\.json (dump_path): owned by another user"
    check "another user's file at dump_path.PID.json: neither written nor truncated" sh -c "[ \"\$(cat $dir/fdump.*.json)\" = planted ]"
else
    echo "SKIP: another user's file (needs root and a user named nobody)"
fi

# A full disk: RLIMIT_FSIZE of 0, SIGXFSZ ignored, so every write fails with EFBIG.
# The leak report and the summary (verbosity=2) are two writes to the log.
# stderr goes through a pipe: a file would be under the same limit.
full_disk() { # OPTIONS
    (ulimit -f 0; trap '' XFSZ; HEAPCHECK_OPTIONS=$1 "$prog" 10; echo "status=$?") 2>&1 | cat >"$dir/err"
    sed -n 's/^status=//p' "$dir/err" >"$dir/status"
}
full_disk "log_path=$dir/full:exitcode=0:verbosity=2"
check "a full disk under the log: the program ends normally" ended 0
check "a full disk under the log: warned once, naming the file and the error" \
    lines "cannot write the log file $dir/full\.[0-9]* (log_path): File too large" 1
check "a full disk under the log: stderr still has the whole report" has "allocations, .* frees"
full_disk "dump_path=$dir/fulldump:exitcode=0"
check "a full disk under the dump: warned, naming the file and the error" \
    has "could not write the dump $dir/fulldump\.[0-9]*\.json (dump_path): File too large"

echo "outputs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
