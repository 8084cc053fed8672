/* Corruption fuzzer: random single-byte, multi-byte and word overwrites of the
 * headers, boundary tags and canaries of random live and quarantined blocks.  Each
 * must be caught by the next free (live blocks) or heap check (quarantined ones).
 * Then writes after free: the same overwrites anywhere in the payload of a block in
 * quarantine, of 1 B to 64 KiB; each must be caught by the heap check when the block
 * is at most 4 KiB (poisoned and verified in full); beyond that the rate is printed.
 * White-box: it knows the layout of docs/design.md.  Prints the detection rates and
 * fails below 100%.  Usage: [HC_FUZZ_OPTIONS=...] corruption_fuzz [TRIALS [SEED]] */
#include <heapcheck.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GUARD_PREFIX 16

static uint64_t rng;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t block_size(unsigned char *u)
{
    /* The core's head word lies before the user pointer, outside the object malloc
     * returned: an address the compiler cannot trace keeps it from flagging the read. */
    uintptr_t head = (uintptr_t)u - GUARD_PREFIX - 8;
    __asm__("" : "+r"(head));
    return *(const size_t *)head & ~(size_t)15;
}

enum target { HEADER, CORE_HEAD, CORE_FOOT, FRONT_CANARY, REAR_CANARY, NTARGETS };
static const char *const target_names[] = {"header", "core head", "core foot", "front canary",
                                           "rear canary"};

/* Address range [lo, hi) of a part of the block whose user pointer is u (size n). */
static void part(unsigned char *u, size_t n, enum target t, unsigned char **lo, unsigned char **hi)
{
    unsigned char *block = u - GUARD_PREFIX - 8;
    unsigned char *end = block + block_size(u);
    switch (t) {
    case HEADER: *lo = u - GUARD_PREFIX; *hi = u - 4; break;
    case CORE_HEAD: *lo = block; *hi = block + 8; break;
    case CORE_FOOT: *lo = end - 8; *hi = end; break;
    case FRONT_CANARY: *lo = u - 4; *hi = u; break;
    default: *lo = u + n; *hi = end - 8; break;
    }
}

/* Change 1, 2..8 or a word of bytes inside [lo, hi); every written byte differs. */
static void corrupt(unsigned char *lo, unsigned char *hi)
{
    size_t span = (size_t)(hi - lo), len;
    switch (next_rand() % 3) {
    case 0: len = 1; break;
    case 1: len = 2 + next_rand() % 7; break;
    default: len = 8; break;
    }
    if (len > span)
        len = span;
    unsigned char *at = lo + next_rand() % (span - len + 1);
    for (size_t i = 0; i < len; i++)
        at[i] ^= (unsigned char)(1 + next_rand() % 255);
}

int main(int argc, char **argv)
{
    /* Continue after each error, and keep the quarantine small so checks are quick.
     * No guarded slots: their blocks have no header or boundary tags to overwrite
     * (their metadata is out of line, their bounds are guard pages). */
    if (!getenv("HC_FUZZ_CHILD")) {
        setenv("HC_FUZZ_CHILD", "1", 1);
        /* HC_FUZZ_OPTIONS adds options (fill_limit=0, say, to compare). */
        char opts[512];
        const char *extra = getenv("HC_FUZZ_OPTIONS");
        snprintf(opts, sizeof opts, "abort_on_error=0:quarantine_size=256k:check_at_exit=0:exitcode=0:guard_slots=0%s%s",
                 extra ? ":" : "", extra ? extra : "");
        setenv("HEAPCHECK_OPTIONS", opts, 1);
        execv("/proc/self/exe", argv);
        perror("corruption_fuzz: execv");
        return 99;
    }
    long trials = argc > 1 ? atol(argv[1]) : 10000;
    rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ULL;
    printf("corruption_fuzz: %ld trials, seed %llu\n", trials, (unsigned long long)rng);
    fflush(stdout);

    int saved_err = dup(2);
    int devnull = open("/dev/null", O_WRONLY);
    if (!getenv("HC_FUZZ_VERBOSE"))
        dup2(devnull, 2); /* thousands of reports: keep the log readable */

    long caught = 0, missed = 0;
    /* Writes after free, by block size: [0] up to 4 KiB, [1] larger.  First, while the
     * heap is sound: a damaged tag left by the trials below would make every later heap
     * check report, whatever the write. */
    long waf[2][2] = {{0}};
    /* A tenth as many: each caught block stays set aside, and every check reports it. */
    for (long t = 0; t < (trials + 9) / 10; t++) {
        bool large = next_rand() % 2;
        size_t n = large ? 4097 + next_rand() % (65536 - 4096) : 1 + next_rand() % 4096;
        unsigned char *u = malloc(n);
        unsigned char *neighbour = malloc(16);
        /* Through an integer, as a stale pointer would be: the compiler need not see it. */
        volatile uintptr_t stale = (uintptr_t)u;
        free(u);
        u = (unsigned char *)stale;
        /* Blocks set aside by earlier trials are reported by every check: count only
         * the problems this write adds. */
        size_t before = hc_check_heap();
        corrupt(u, u + n);
        bool seen = hc_check_heap() > before;
        waf[large][seen]++;
        if (!seen && !large) {
            missed++;
            dprintf(saved_err, "corruption_fuzz: MISSED write after free, trial %ld: %zu-byte block\n",
                    t, n);
        }
        free(neighbour);
    }
    long per_target[NTARGETS][2] = {{0}};
    for (long t = 0; t < trials; t++) {
        size_t n = 1 + next_rand() % (next_rand() % 8 ? 200 : 5000);
        unsigned char *u = malloc(n);
        unsigned char *neighbour = malloc(16); /* keeps the block off the heap's top */
        memset(u, 0x5a, n);
        int quarantined = (int)(next_rand() % 2);
        if (quarantined)
            free(u);
        enum target target = (enum target)(next_rand() % NTARGETS);
        unsigned char *lo, *hi;
        part(u, n, target, &lo, &hi);
        struct hc_stats before, after;
        hc_stats(&before);
        corrupt(lo, hi);
        if (quarantined || next_rand() % 4 == 0)
            hc_check_heap();
        if (!quarantined)
            free(u);
        hc_stats(&after);
        bool seen = after.errors > before.errors;
        caught += seen;
        missed += !seen;
        per_target[target][seen]++;
        if (!seen) {
            dprintf(saved_err, "corruption_fuzz: MISSED trial %ld: %s of a %s %zu-byte block\n", t,
                    target_names[target], quarantined ? "quarantined" : "live", n);
        }
        free(neighbour);
    }
    dup2(saved_err, 2);
    for (int l = 0; l < 2; l++)
        printf("corruption_fuzz: write after free, blocks %s 4 KiB: caught %ld of %ld (%.1f%%)\n",
               l ? "over" : "up to", waf[l][1], waf[l][0] + waf[l][1],
               100.0 * (double)waf[l][1] / (double)(waf[l][0] + waf[l][1] ? waf[l][0] + waf[l][1] : 1));
    for (int t = 0; t < NTARGETS; t++)
        printf("corruption_fuzz: %-13s caught %ld of %ld\n", target_names[t], per_target[t][1],
               per_target[t][0] + per_target[t][1]);
    printf("corruption_fuzz: detection rate %.2f%% (%ld of %ld)\n", 100.0 * (double)caught / (double)trials,
           caught, trials);
    printf("%ld passed, %ld failed\n", caught + waf[0][1], missed);
    return missed ? 1 : 0;
}
