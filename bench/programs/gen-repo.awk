# Write a git fast-import stream for the git workload of bench/peers.sh:
#
#     awk -v commits=N -f gen-repo.awk | git fast-import --quiet
#
# 20 text files of 200 lines; each commit rewrites a few lines in a few of them, so
# `git log -p` has real diffs to compute.  Author, committer and dates are fixed and
# the changes come from a fixed-seed generator of our own (Park-Miller, exact in any
# awk's doubles), so the repository, hashes included, is the same on every run.
function rand31() {
    seed = (seed * 16807) % 2147483647
    return seed
}

function emit_file(f,    i, data) {
    data = ""
    for (i = 0; i < LINES; i++)
        data = data content[f, i] "\n"
    printf "M 100644 inline file%02d.txt\n", f
    printf "data %d\n%s\n", length(data), data
}

BEGIN {
    if (commits == "" || commits !~ /^[0-9]+$/ || commits < 1) {
        print "gen-repo.awk: set commits to a positive integer (awk -v commits=...)" > "/dev/stderr"
        exit 2
    }
    FILES = 20
    LINES = 200
    seed = 4242
    for (f = 0; f < FILES; f++)
        for (i = 0; i < LINES; i++)
            content[f, i] = sprintf("file %d line %d value %d", f, i, rand31() % 100000)
    when = 1500000000
    for (c = 1; c <= commits; c++) {
        when += 3600
        print "commit refs/heads/main"
        printf "mark :%d\n", c
        printf "author Bench Author <bench@example.com> %d +0000\n", when
        printf "committer Bench Author <bench@example.com> %d +0000\n", when
        msg = sprintf("Commit %d: change a few lines\n", c)
        printf "data %d\n%s", length(msg), msg
        if (c > 1)
            printf "from :%d\n", c - 1
        nfiles = (c == 1) ? FILES : 1 + rand31() % 3
        for (k = 0; k < nfiles; k++) {
            f = (c == 1) ? k : rand31() % FILES
            nlines = 1 + rand31() % 6
            for (j = 0; j < nlines; j++) {
                i = rand31() % LINES
                content[f, i] = sprintf("file %d line %d commit %d value %d", f, i, c, rand31() % 100000)
            }
            emit_file(f)
        }
        print ""
    }
}
