/* alloc_fill: in the full preset a new block reads as alloc_fill (190) in its first
 * 4 KiB (fill_limit), a block with a mapping of its own only in its first page (the rest stays zero and,
 * untouched, costs no memory: a 512 MiB malloc must not grow the resident set), and
 * calloc's blocks read as zero. */
#define _GNU_SOURCE
#include "heapcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

static void expect(int ok, const char *what)
{
    printf("alloc_fill: %s: %s\n", ok ? "ok" : "FAIL", what);
    if (ok)
        passed++;
    else
        failed++;
}

/* Length of the run of bytes equal to v at the start of p[0..n). */
static size_t run_of(const unsigned char *p, size_t n, unsigned char v)
{
    size_t i = 0;
    while (i < n && p[i] == v)
        i++;
    return i;
}

static long resident_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(void)
{
    const char *opts = getenv("HEAPCHECK_OPTIONS");
    if (opts && *opts) {
        printf("alloc_fill: HEAPCHECK_OPTIONS is set; skipped\n");
        return 77;
    }
    unsigned char *small = malloc(1000);
    expect(small && run_of(small, 1000, 190) == 1000, "a heap block is filled whole");
    free(small);

    /* From fresh heap memory (zero): only its first fill_limit (4 KiB) bytes are filled. */
    unsigned char *medium = malloc(20000);
    expect(medium && run_of(medium, 20000, 190) == 4096 &&
               run_of(medium + 4096, 20000 - 4096, 0) == 20000 - 4096,
           "a 20000-byte heap block is filled in its first 4 KiB only");
    free(medium);

    size_t big = (size_t)1 << 20; /* over mmap_threshold: a mapping of its own */
    unsigned char *mapped = malloc(big);
    size_t filled = mapped ? run_of(mapped, big, 190) : 0;
    expect(filled > 0 && filled <= 4096 && run_of(mapped + filled, big - filled, 0) == big - filled,
           "a mapped block is filled in its first page only, zero beyond");
    free(mapped);

    unsigned char *zeroed = calloc(1000, 1);
    expect(zeroed && run_of(zeroed, 1000, 0) == 1000, "calloc's blocks are zero");
    free(zeroed);

    long before = resident_kib();
    unsigned char *huge = malloc((size_t)512 << 20);
    long after = resident_kib();
    expect(huge && before > 0 && after - before < 16 * 1024,
           "an untouched 512 MiB block does not grow the resident set");
    printf("alloc_fill: resident set %ld KiB before the 512 MiB malloc, %ld KiB after\n", before,
           after);
    free(huge);

    printf("alloc_fill: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
