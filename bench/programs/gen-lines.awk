# Write lines of pseudo-random words for the sort workload of bench/peers.sh:
#
#     awk -v n=LINES -f gen-lines.awk > lines.txt
#
# A fixed-seed generator of our own (Park-Miller, exact in any awk's doubles) keeps
# the file the same on every run and every awk.
function rand31() {
    seed = (seed * 16807) % 2147483647
    return seed
}

BEGIN {
    if (n == "" || n !~ /^[0-9]+$/ || n < 1) {
        print "gen-lines.awk: set n to a positive integer (awk -v n=...)" > "/dev/stderr"
        exit 2
    }
    seed = 777
    for (i = 0; i < n; i++) {
        words = 2 + rand31() % 6
        line = ""
        for (w = 0; w < words; w++)
            line = line (w ? " " : "") sprintf("%x", rand31() % 1000000)
        print line
    }
}
