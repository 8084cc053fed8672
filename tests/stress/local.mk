## Randomized stress, threads, fork and out-of-memory tests (filled in below).
