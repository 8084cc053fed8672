/* bench-scale: the cost of one free + malloc as the number of live blocks grows.
 *
 *     bench-scale LIVE [OPS] [--check]
 *
 * Allocates LIVE blocks of random sizes (16-512 B, 264 B on average: about 2.6 GB of
 * payload at 10^7), then times OPS steps that each free a random live block and
 * allocate a new one of a random size in its place, and prints one line:
 *
 *     scale live=N ops=M ns_per_op=X fill_ns_per_op=F seconds=S peak_rss_kib=K
 *
 * ns_per_op is the churn's time per free + malloc; fill_ns_per_op the time per malloc
 * while the LIVE blocks were being allocated (the heap growing).  With --check, and
 * when heapcheck is in the process (preloaded or linked), it then times one
 * hc_check_heap() and one hc_leak_report() over the LIVE blocks and adds
 *
 *     check_heap_s=C leak_report_s=L
 *
 * (the leak report goes to stderr; every block is still reachable from the pointer
 * array, so it finds no leaks but still has to scan and mark them all).  The two
 * functions are found with dlsym, so the same binary measures glibc too.
 *
 * Every block is stamped with a byte when allocated and the stamp is checked before
 * it is freed, so the compiler cannot drop the allocations and a broken allocator
 * fails loudly.  Random choices come from a PRNG with a fixed seed.  The blocks are
 * freed after the measurements (untimed), so a checking allocator's work at exit
 * does not depend on LIVE. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MIN_SIZE 16u
#define MAX_SIZE 512u

/* splitmix64: fast, and any seed gives a good stream. */
static uint64_t rng_state = 0x5ca1ab1e;

static inline uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), by multiply-and-shift (no division on the hot path). */
static inline uint64_t rng_below(uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next() * n) >> 64);
}

static inline size_t rng_size(void)
{
    return MIN_SIZE + (size_t)rng_below(MAX_SIZE - MIN_SIZE + 1);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char *alloc_block(size_t size, unsigned char tag)
{
    unsigned char *p = malloc(size);
    if (p == NULL) {
        fprintf(stderr, "bench-scale: out of memory allocating %zu bytes\n", size);
        exit(1);
    }
    p[0] = tag;
    p[size - 1] = tag;
    return p;
}

static void check_block(const unsigned char *p, unsigned char tag)
{
    if (p[0] != tag) {
        fprintf(stderr, "bench-scale: block %p was overwritten (allocator broken?)\n",
                (const void *)p);
        abort();
    }
}

static uint64_t parse_count(const char *s, const char *what)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || v > 1000000000ULL) {
        fprintf(stderr, "bench-scale: %s must be a count from 1 to 10^9, not '%s'\n", what, s);
        exit(2);
    }
    return v;
}

/* The measured steps, in a function of their own so that a profiler can count them
 * alone (bench/instructions.sh: callgrind --toggle-collect=churn_steps). */
static __attribute__((noinline)) void churn_steps(unsigned char **ptr, unsigned char *tag,
                                                   uint64_t live, uint64_t ops)
{
    for (uint64_t op = 0; op < ops; op++) {
        uint64_t i = rng_below(live);
        check_block(ptr[i], tag[i]);
        free(ptr[i]);
        tag[i] = (unsigned char)(op + 3);
        ptr[i] = alloc_block(rng_size(), tag[i]);
    }
}

int main(int argc, char **argv)
{
    int check = 0;
    const char *args[2] = {NULL, NULL};
    int nargs = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (nargs < 2)
            args[nargs++] = argv[i];
        else
            nargs = 3;
    }
    if (nargs < 1 || nargs > 2) {
        fprintf(stderr, "usage: bench-scale LIVE [OPS] [--check]\n"
                        "prints: scale live=N ops=M ns_per_op=X fill_ns_per_op=F seconds=S "
                        "peak_rss_kib=K [check_heap_s=C leak_report_s=L]\n");
        return 2;
    }
    uint64_t live = parse_count(args[0], "LIVE");
    uint64_t ops = nargs > 1 ? parse_count(args[1], "OPS") : 2000000;

    /* The bookkeeping arrays come from mmap-sized mallocs; they are not blocks of the
     * experiment, but they count in the peak RSS like any program's data. */
    unsigned char **ptr = malloc(live * sizeof *ptr);
    unsigned char *tag = malloc(live);
    if (ptr == NULL || tag == NULL) {
        fprintf(stderr, "bench-scale: cannot allocate the arrays for %" PRIu64 " blocks\n",
                live);
        return 1;
    }

    double t0 = now_seconds();
    for (uint64_t i = 0; i < live; i++) {
        tag[i] = (unsigned char)(i * 7 + 1);
        ptr[i] = alloc_block(rng_size(), tag[i]);
    }
    double fill = now_seconds() - t0;

    t0 = now_seconds();
    churn_steps(ptr, tag, live, ops);
    double churn = now_seconds() - t0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("scale live=%" PRIu64 " ops=%" PRIu64 " ns_per_op=%.1f fill_ns_per_op=%.1f "
           "seconds=%.4f peak_rss_kib=%ld",
           live, ops, churn * 1e9 / (double)ops, fill * 1e9 / (double)live, churn,
           ru.ru_maxrss);

    if (check) {
        size_t (*check_heap)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "hc_check_heap");
        size_t (*leak_report)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "hc_leak_report");
        if (check_heap != NULL && leak_report != NULL) {
            fflush(stdout);
            t0 = now_seconds();
            size_t problems = check_heap();
            double tc = now_seconds() - t0;
            t0 = now_seconds();
            size_t lost = leak_report();
            double tl = now_seconds() - t0;
            printf(" check_heap_s=%.4f leak_report_s=%.4f check_problems=%zu leaked_bytes=%zu",
                   tc, tl, problems, lost);
        } else {
            printf(" check_heap_s=none leak_report_s=none");
        }
    }
    printf("\n");
    fflush(stdout);

    for (uint64_t i = 0; i < live; i++) {
        check_block(ptr[i], tag[i]);
        free(ptr[i]);
    }
    free(tag);
    free(ptr);
    return 0;
}
