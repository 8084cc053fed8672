/* quarantine_budget: the quarantine holds at most quarantine_ratio percent of the live
 * bytes (default 25%), never less than 1 MiB, never more than quarantine_size; with
 * quarantine_ratio=0 only quarantine_size bounds it.  Checked through hc_stats() while
 * a heap of 512-byte blocks churns at a large and at a small live size.  Re-runs itself
 * with HEAPCHECK_OPTIONS=quarantine_ratio=0 for the last case. */
#define _GNU_SOURCE
#include "heapcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 512
#define MIB ((size_t)1 << 20)

static int passed, failed;
static void **slots;

static void expect(int ok, const char *what, const struct hc_stats *s)
{
    printf("quarantine_budget: %s: %s (live %zu B, quarantine %zu B in %zu blocks)\n",
           ok ? "ok" : "FAIL", what, s->live_bytes, s->quarantine_bytes, s->quarantine_blocks);
    if (ok)
        passed++;
    else
        failed++;
}

/* Replace each of the first n slots once: n frees pass through the quarantine. */
static void churn(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(slots[i]);
        slots[i] = malloc(BLOCK);
        if (!slots[i]) {
            fprintf(stderr, "quarantine_budget: out of memory\n");
            exit(99);
        }
        memset(slots[i], 1, BLOCK);
    }
}

static void fill(size_t n)
{
    slots = calloc(n, sizeof *slots);
    if (!slots)
        exit(99);
    for (size_t i = 0; i < n; i++)
        slots[i] = malloc(BLOCK);
}

int main(int argc, char **argv)
{
    struct hc_stats s;
    size_t big = 64 * MIB / BLOCK; /* 64 MiB live: a quarter is 16 MiB */
    if (argc > 1 && strcmp(argv[1], "ratio0") == 0) {
        /* quarantine_ratio=0: 8 MiB live, yet the quarantine fills to quarantine_size. */
        fill(8 * MIB / BLOCK);
        churn(8 * MIB / BLOCK);
        hc_stats(&s);
        expect(s.quarantine_bytes > 8 * MIB && s.quarantine_bytes <= 16 * MIB,
               "quarantine_ratio=0: quarantine_size (16 MiB) alone bounds it", &s);
        printf("quarantine_budget: %d passed, %d failed\n", passed, failed);
        return failed ? 1 : 0;
    }
    const char *opts = getenv("HEAPCHECK_OPTIONS");
    if (opts && *opts) {
        printf("quarantine_budget: HEAPCHECK_OPTIONS is set; skipped\n");
        return 77;
    }

    fill(big / 2); /* 32 MiB live: the budget is 8 MiB */
    churn(big / 2);
    hc_stats(&s);
    expect(s.quarantine_bytes <= s.live_bytes / 4 + BLOCK && s.quarantine_bytes >= s.live_bytes / 4 - 2 * BLOCK,
           "32 MiB of blocks live: the quarantine fills to a quarter of the live bytes", &s);

    /* Free all but 256 KiB: the floor (1 MiB) applies, and the next frees drain the
     * quarantine down to it. */
    size_t keep = 256 * 1024 / BLOCK;
    for (size_t i = keep; i < big / 2; i++) {
        free(slots[i]);
        slots[i] = NULL;
    }
    churn(keep);
    hc_stats(&s);
    expect(s.quarantine_bytes <= MIB && s.quarantine_bytes >= MIB - 2 * BLOCK,
           "under 1 MiB live: the quarantine keeps its 1 MiB floor", &s);
    for (size_t i = 0; i < keep; i++)
        free(slots[i]);
    free(slots);

    printf("quarantine_budget: %d passed, %d failed\n", passed, failed);
    if (failed)
        return 1;
    fflush(stdout);
    /* No guarded slots: a freed slot is closed, not quarantined, and this case counts
     * every free into the quarantine. */
    setenv("HEAPCHECK_OPTIONS", "quarantine_ratio=0:guard_slots=0", 1);
    execl("/proc/self/exe", argv[0], "ratio0", (char *)NULL);
    perror("quarantine_budget: exec");
    return 99;
}
