/* A heap of known layout for tests/tool/heapmap_check.sh, which checks the heap map
 * against it: eight 100-byte blocks (in guarded slots, while the pool lasts), three
 * of them freed (their slots closed); then four 100000-byte blocks A B C D from the
 * core (too large for a slot, below mmap_threshold), B and C freed in that order
 * under quarantine_size=150k, so C is quarantined and B pushed out of the quarantine
 * to the free index: A and D live, B free, C quarantined.  Takes one snapshot
 * (hc_dump_now) between two hc_stats() and prints, without allocating:
 *   STATE ADDRESS SIZE    for each block (live, free, quarantined, guarded, closed)
 *   stats LIVE_BYTES LIVE_BLOCKS FREE_BYTES QUARANTINE_BYTES QUARANTINE_BLOCKS (twice)
 * Single-threaded, no snapshot options: nothing else allocates meanwhile. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heapcheck.h"

#define BIG 100000
#define SMALL 100

static char text[4096];
static size_t used;

/* Addresses are kept as numbers: the blocks freed are only named, never used. */
static void line(const char *state, uintptr_t p, size_t size)
{
    used += (size_t)snprintf(text + used, sizeof text - used, "%s 0x%jx %zu\n", state, (uintmax_t)p, size);
}

static void stats_line(const struct hc_stats *s)
{
    used += (size_t)snprintf(text + used, sizeof text - used, "stats %zu %zu %zu %zu %zu\n", s->live_bytes,
                             s->live_blocks, s->free_bytes, s->quarantine_bytes, s->quarantine_blocks);
}

int main(void)
{
    char *small[8];
    uintptr_t at[8];
    for (int i = 0; i < 8; i++) {
        small[i] = malloc(SMALL);
        memset(small[i], i, SMALL);
        at[i] = (uintptr_t)small[i];
    }
    for (int i = 0; i < 3; i++)
        free(small[i]);
    char *a = malloc(BIG), *b = malloc(BIG), *c = malloc(BIG), *d = malloc(BIG);
    uintptr_t b_at = (uintptr_t)b, c_at = (uintptr_t)c;
    memset(a, 1, BIG);
    memset(d, 1, BIG);
    free(b);
    free(c); /* over 150k: b leaves the quarantine */

    struct hc_stats before, after;
    hc_stats(&before);
    int rc = hc_dump_now();
    hc_stats(&after);

    for (int i = 0; i < 8; i++)
        line(i < 3 ? "closed" : "guarded", at[i], SMALL);
    line("live", (uintptr_t)a, BIG);
    line("free", b_at, BIG);
    line("quarantined", c_at, BIG);
    line("live", (uintptr_t)d, BIG);
    stats_line(&before);
    stats_line(&after);
    if (write(1, text, used) != (ssize_t)used)
        return 1;
    free(a);
    free(d);
    for (int i = 3; i < 8; i++)
        free(small[i]);
    return rc == 0 ? 0 : 1;
}
