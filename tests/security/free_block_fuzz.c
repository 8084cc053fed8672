/* Free-block fuzzer: random overwrites (one byte, 2-7 bytes, or a word) of the words
 * the core keeps in a free block (its head, its two links, its foot), after the block
 * has left the quarantine.  Then the operations that touch it: a malloc of its size and
 * frees of both its neighbours (which merge with it).  Each overwrite must be reported
 * by one of them, and none of them may hand out the damaged block or memory that
 * overlaps a live block.  A tag collision (one in 2^17: docs/design.md) may let one
 * overwrite through unreported; a run allows one such.  Under both guarded presets,
 * with guard_slots=0 (a block in a guarded slot has no core layout to overwrite).
 * Usage: free_block_fuzz [TRIALS [SEED]]; HC_FUZZ_PRESET=full|hardened: that preset
 * only (default: both, one after the other). */
#include <heapcheck.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Through volatile pointers: a compiler may delete a malloc/free pair it can see. */
static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;
#define malloc(n) do_malloc(n)
#define free(p) do_free(p)

static uint64_t rng;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The addresses below lie outside the objects malloc returned: through an integer,
 * as a stale pointer would be, so the compiler need not see them. */
static unsigned char *at(uintptr_t a)
{
    __asm__("" : "+r"(a));
    return (unsigned char *)a;
}

#define SIZE_MASK ((((size_t)1 << 47) - 1) & ~(size_t)15)

enum target { HEAD, LINK0, LINK1, FOOT, NTARGETS };
static const char *const target_names[] = {"head", "first link", "second link", "foot"};

static void corrupt(unsigned char *lo, size_t span)
{
    size_t len;
    switch (next_rand() % 3) {
    case 0: len = 1; break;
    case 1: len = 2 + next_rand() % 6; break;
    default: len = 8; break;
    }
    if (len > span)
        len = span;
    unsigned char *p = lo + next_rand() % (span - len + 1);
    for (size_t i = 0; i < len; i++)
        p[i] ^= (unsigned char)(1 + next_rand() % 255);
}

/* Push the quarantine's contents (full preset) into the core. */
static void flush(void) { free(malloc(200000 / 3)); free(malloc(200000 / 3)); }

static bool overlaps(const unsigned char *p, size_t n, const unsigned char *q, size_t m)
{
    return p && q && p < q + m && q < p + n;
}

int main(int argc, char **argv)
{
    if (!getenv("HC_FUZZ_CHILD")) {
        /* One child per preset (HC_FUZZ_PRESET: that one only), each exec'ed with its
         * options; the run fails if either does. */
        const char *only = getenv("HC_FUZZ_PRESET");
        const char *presets[] = {"full", "hardened"};
        int failed = 0;
        for (int i = 0; i < 2; i++) {
            if (only && strcmp(only, presets[i]) != 0)
                continue;
            char opts[256];
            snprintf(opts, sizeof opts, "preset=%s:abort_on_error=0:quarantine_size=64k:check_at_exit=0:"
                                        "exitcode=0:guard_slots=0",
                     presets[i]);
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                setenv("HC_FUZZ_CHILD", "1", 1);
                setenv("HEAPCHECK_OPTIONS", opts, 1);
                execv("/proc/self/exe", argv);
                perror("free_block_fuzz: execv");
                _exit(99);
            }
            int status;
            if (pid < 0 || waitpid(pid, &status, 0) != pid)
                return 99;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                printf("free_block_fuzz: preset %s failed (status %d)\n", presets[i], status);
                failed = 1;
            }
        }
        return failed;
    }
    long trials = argc > 1 ? atol(argv[1]) : 2000;
    rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x2545f4914f6cdd1dULL;
    printf("free_block_fuzz: %s, %ld trials, seed %llu\n", getenv("HEAPCHECK_OPTIONS"), trials,
           (unsigned long long)rng);
    fflush(stdout);
    int saved_err = dup(2);
    int devnull = open("/dev/null", O_WRONLY);
    if (!getenv("HC_FUZZ_VERBOSE"))
        dup2(devnull, 2);

    long caught[NTARGETS] = {0}, total[NTARGETS] = {0}, missed = 0, unsafe = 0, skipped = 0;
    for (long t = 0; t < trials; t++) {
        size_t n = 1 + next_rand() % (next_rand() % 4 ? 200 : 6000);
        unsigned char *a, *b, *c;
        for (int tries = 0;; tries++) { /* three neighbours; the others are kept */
            a = malloc(16), b = malloc(n), c = malloc(16);
            uintptr_t ab = (uintptr_t)a - 24, bb = (uintptr_t)b - 24;
            if ((ab + (*(size_t *)at(ab) & SIZE_MASK) == bb &&
                 bb + (*(size_t *)at(bb) & SIZE_MASK) == (uintptr_t)c - 24) || tries == 64)
                break;
        }
        size_t asize = malloc_usable_size(a), csize = malloc_usable_size(c);
        uintptr_t block = (uintptr_t)b - 24; /* the core block: head, links at +8, +16 */
        free(b);
        flush();
        size_t size = *(size_t *)at(block) & SIZE_MASK;
        uintptr_t a_block = (uintptr_t)a - 24;
        if ((*(size_t *)at(block) & 15) || block + size != (uintptr_t)c - 24 ||
            a_block + (*(size_t *)at(a_block) & SIZE_MASK) != block) {
            /* b is not a block of its own between a and c: it merged with a free
             * neighbour that earlier trials left (its head is stale) */
            skipped++;
            free(a);
            free(c);
            continue;
        }
        enum target target = (enum target)(next_rand() % NTARGETS);
        total[target]++;
        switch (target) {
        case HEAD: corrupt(at(block), 8); break;
        case LINK0: corrupt(at(block + 8), 8); break;
        case LINK1: corrupt(at(block + 16), 8); break;
        default: corrupt(at(block + size - 8), 8); break;
        }
        struct hc_stats before, after;
        hc_stats(&before);
        unsigned char *p = malloc(n), *q = malloc(n);
        bool bad = p == at((uintptr_t)b) || q == at((uintptr_t)b) || overlaps(p, n, a, asize) ||
                   overlaps(p, n, c, csize) || overlaps(q, n, a, asize) || overlaps(q, n, c, csize);
        free(a);
        free(c);
        flush();
        hc_stats(&after);
        bool seen = after.errors > before.errors;
        caught[target] += seen;
        if (!seen) {
            missed++;
            dprintf(saved_err, "free_block_fuzz: MISSED trial %ld: %s of a %zu-byte free block\n", t,
                    target_names[target], size);
        }
        if (bad) {
            unsafe++;
            dprintf(saved_err, "free_block_fuzz: UNSAFE trial %ld: %s of a %zu-byte free block: a "
                               "damaged or overlapping block was handed out\n", t, target_names[target], size);
        }
        free(p);
        free(q);
    }
    dup2(saved_err, 2);
    long all = 0;
    for (int t = 0; t < NTARGETS; t++) {
        printf("free_block_fuzz: %-11s caught %ld of %ld\n", target_names[t], caught[t], total[t]);
        all += caught[t];
    }
    printf("free_block_fuzz: detection rate %.2f%% (%ld of %ld; %ld trials skipped: the block had "
           "merged); unsafe outcomes: %ld\n",
           100.0 * (double)all / (double)(trials - skipped ? trials - skipped : 1), all,
           trials - skipped, skipped, unsafe);
    printf("%ld passed, %ld failed\n", all, missed + unsafe);
    return unsafe || missed > 1 ? 1 : 0;
}
