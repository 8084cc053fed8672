/* oom: out of memory and absurd requests.  Under a small RLIMIT_AS the heap is filled
 * with small blocks, then the address space with mapped ones, until malloc fails; each
 * failure (malloc, calloc, realloc, the aligned calls) must be NULL with ENOMEM, leave a
 * block being resized intact, and leave a heap that checks clean and serves again once
 * freed.  Then the edge cases: sizes that overflow, bad alignments, zero sizes, NULL. */
#define _GNU_SOURCE
#include "heapcheck.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define HEADROOM ((size_t)64 << 20) /* address space allowed beyond what we use at start */
#define BIG_REQUEST ((size_t)128 << 20)   /* more than the whole headroom */

/* ---- reporting: every check counts, the run goes on after a failure ---------------- */

static int cases_passed, cases_failed;
static const char *case_name;
static int case_failures;

static void check_failed(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check_failed(int line, const char *fmt, ...)
{
    va_list ap;
    char msg[400];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* stderr is unbuffered: printing needs no memory, even with none left. */
    fprintf(stderr, "oom: FAILED in '%s' (oom.c:%d): %s\n", case_name, line, msg);
    case_failures++;
}

#define CHECK(cond, ...) \
    do { if (!(cond)) check_failed(__LINE__, __VA_ARGS__); } while (0)

/* errno as the allocator left it.  Some compilers assume malloc never writes errno
 * and carry the 0 stored before the call past it; the barrier makes them reload. */
static int errno_after_call(void)
{
    __asm__ volatile("" ::: "memory");
    return errno;
}

static void begin_case(const char *name)
{
    case_name = name;
    case_failures = 0;
}

static void end_case(void)
{
    if (case_failures)
        cases_failed++;
    else
        cases_passed++;
    printf("oom: %s: %s\n", case_failures ? "FAIL" : "ok", case_name);
}

/* Keep a constant out of the compiler's sight: it would otherwise warn about calls whose
 * size it knows to be absurd (exactly what we mean to make), or take an alignment we
 * check for granted (the alloc_align attribute of aligned_alloc and memalign). */
static size_t opaque(size_t n)
{
    volatile size_t v = n;
    return v;
}

/* ---- blocks that can tell whether they are intact ------------------------------- */

/* Every block we hold is a link in a list: its first words name the next block, its own
 * size and a check word; the rest is filled with a byte derived from that. */
struct held {
    struct held *next;
    size_t size;
    uint64_t check;
};

static uint64_t check_word(const struct held *h)
{
    return ((uint64_t)(uintptr_t)h ^ h->size) * 0x9e3779b97f4a7c15ULL;
}

static unsigned char fill_byte(const struct held *h) { return (unsigned char)(h->check >> 56); }

/* Big blocks are filled in their first and last FILL_EDGE bytes only, so we do not
 * touch every page of 64 MiB of mappings. */
#define FILL_EDGE ((size_t)8192)

static void held_init(struct held *h, size_t size, struct held *next)
{
    h->next = next;
    h->size = size;
    h->check = check_word(h);
    unsigned char *bytes = (unsigned char *)h;
    size_t body = size - sizeof *h;
    if (body <= 2 * FILL_EDGE) {
        memset(bytes + sizeof *h, fill_byte(h), body);
    } else {
        memset(bytes + sizeof *h, fill_byte(h), FILL_EDGE);
        memset(bytes + size - FILL_EDGE, fill_byte(h), FILL_EDGE);
    }
}

static bool held_intact(const struct held *h)
{
    if (h->check != check_word(h))
        return false;
    const unsigned char *bytes = (const unsigned char *)h;
    size_t body = h->size - sizeof *h;
    for (size_t o = sizeof *h; o < h->size; o++) {
        if (body > 2 * FILL_EDGE && o == sizeof *h + FILL_EDGE)
            o = h->size - FILL_EDGE;
        if (bytes[o] != fill_byte(h))
            return false;
    }
    return true;
}

/* After a realloc that may have moved it (the check word names the old address): the
 * header fields and the first bytes of the fill must have come along. */
static bool prefix_intact(const struct held *h, size_t expected_size)
{
    if (h->size != expected_size)
        return false;
    const unsigned char *bytes = (const unsigned char *)h;
    for (size_t o = sizeof *h; o < sizeof *h + FILL_EDGE && o < h->size; o++)
        if (bytes[o] != fill_byte(h))
            return false;
    return true;
}

/* Free a whole list, checking each block first; returns the number freed. */
static size_t release_all(struct held *list)
{
    size_t n = 0;
    while (list) {
        struct held *next = list->next;
        CHECK(held_intact(list), "block %p (%zu bytes) was damaged while we held it",
              (void *)list, list->size);
        free(list);
        list = next;
        n++;
    }
    return n;
}

/* ---- the address-space limit ----------------------------------------------------- */

static struct rlimit original_limit;

static size_t address_space_in_use(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu", &pages) != 1)
        pages = 0;
    fclose(f);
    return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static bool limit_address_space(void)
{
    if (getrlimit(RLIMIT_AS, &original_limit) != 0)
        return false;
    struct rlimit tight = original_limit;
    size_t in_use = 0;
    /* Twice: under a limit heapcheck's guarded-slot pool gives back the address space
     * of the slots it never used (past a quarter of the limit) at its next slot, so
     * what is in use is measured again after an allocation under the first limit. */
    for (int round = 0; round < 2; round++) {
        in_use = address_space_in_use();
        if (in_use == 0)
            return false;
        tight.rlim_cur = in_use + HEADROOM;
        if (original_limit.rlim_max != RLIM_INFINITY && tight.rlim_cur > original_limit.rlim_max)
            return false;
        if (setrlimit(RLIMIT_AS, &tight) != 0)
            return false;
        void *volatile settle = malloc(40);
        free(settle);
    }
    printf("oom: address space limited to %zu MiB (%zu MiB in use)\n",
           (size_t)tight.rlim_cur >> 20, in_use >> 20);
    return true;
}

/* ---- the cases ------------------------------------------------------------------- */

static size_t live_blocks(void)
{
    struct hc_stats st;
    hc_stats(&st);
    return st.live_blocks;
}

static void heap_is_clean(const char *when)
{
    size_t problems = hc_check_heap();
    CHECK(problems == 0, "hc_check_heap() found %zu problems %s", problems, when);
}

/* Each failing call must return NULL and set errno to ENOMEM. */
#define EXPECT_ENOMEM(call, what)                                                          \
    do {                                                                                  \
        errno = 0;                                                                        \
        void *result_ = (call);                                                           \
        int err_ = errno_after_call();                                                    \
        CHECK(result_ == NULL, "%s succeeded (%p) with no memory left", what, result_);   \
        CHECK(result_ != NULL || err_ == ENOMEM, "%s: errno is %d (%s), not ENOMEM", what, \
              err_, strerror(err_));                                                      \
        free(result_);                                                                    \
    } while (0)

/* reallocarray(h, count, elem) (or realloc(h, count) when elem is 0) must fail, leaving
 * the block as it was. */
static void expect_array_resize_fails(struct held *h, size_t count, size_t elem, const char *what)
{
    size_t usable = malloc_usable_size(h), old_size = h->size;
    errno = 0;
    void *q = elem ? reallocarray(h, count, elem) : realloc(h, count);
    int err = errno_after_call();
    CHECK(q == NULL, "%s of a %zu-byte block succeeded (%p)", what, old_size, q);
    if (q) {
        free(q);
        return; /* h is gone: nothing more to look at */
    }
    CHECK(err == ENOMEM, "%s failed with errno %d (%s), not ENOMEM", what, err, strerror(err));
    CHECK(held_intact(h), "%s failed but damaged the block", what);
    CHECK(malloc_usable_size(h) == usable, "%s failed but the block's usable size changed",
          what);
}

static void expect_resize_fails(struct held *h, size_t new_size, bool as_array, const char *what)
{
    if (as_array)
        expect_array_resize_fails(h, new_size / 8, 8, what);
    else
        expect_array_resize_fails(h, new_size, 0, what);
}

static void expect_aligned_calls_fail(size_t size)
{
    char what[80];
    snprintf(what, sizeof what, "memalign(4096, %zu)", size);
    EXPECT_ENOMEM(memalign(4096, size), what);
    snprintf(what, sizeof what, "aligned_alloc(64, %zu)", size);
    EXPECT_ENOMEM(aligned_alloc(64, size), what);
    snprintf(what, sizeof what, "valloc(%zu)", size);
    EXPECT_ENOMEM(valloc(size), what);
    snprintf(what, sizeof what, "pvalloc(%zu)", size);
    EXPECT_ENOMEM(pvalloc(size), what);
    void *out = &out;
    int err = posix_memalign(&out, 256, size);
    CHECK(err == ENOMEM, "posix_memalign(256, %zu) returned %d, not ENOMEM", size, err);
    CHECK(out == &out, "posix_memalign failed but changed its output pointer");
}

static void small_blocks_exhaust_the_heap(void)
{
    begin_case("small blocks until the heap cannot grow");
    size_t baseline = live_blocks();
    struct held *list = NULL, *victim = NULL;
    size_t count = 0, bytes = 0, failed_size = 0;
    int err = 0;
    uint64_t rng = 12345;
    for (;;) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        size_t size = sizeof(struct held) + rng % 2000;
        errno = 0;
        struct held *h = malloc(size);
        if (!h) {
            err = errno_after_call();
            failed_size = size;
            break;
        }
        held_init(h, size, list);
        list = h;
        count++;
        bytes += size;
        if (count == 100)
            victim = h; /* the block realloc will try to grow, in the middle of the heap */
    }
    CHECK(err == ENOMEM, "malloc(%zu) failed with errno %d (%s), not ENOMEM", failed_size, err,
          strerror(err));
    /* Most of the headroom must have gone to the heap: else the limit, not the heap, is
     * the subject of this test and the rest proves nothing. */
    CHECK(bytes > HEADROOM / 2, "only %zu KiB in %zu blocks before malloc failed", bytes >> 10,
          count);

    /* With the heap full, whatever needs it to grow fails cleanly. */
    EXPECT_ENOMEM(malloc(failed_size), "malloc (again)");
    EXPECT_ENOMEM(malloc(64 << 10), "malloc(64 KiB)");
    EXPECT_ENOMEM(calloc(1, 64 << 10), "calloc(1, 64 KiB)");
    EXPECT_ENOMEM(calloc(1024, 64), "calloc(1024, 64)");
    EXPECT_ENOMEM(realloc(NULL, 64 << 10), "realloc(NULL, 64 KiB)");
    expect_aligned_calls_fail(64 << 10);
    if (victim) {
        expect_resize_fails(victim, 100 << 10, false, "realloc");
        expect_resize_fails(victim, 100 << 10, true, "reallocarray");
    }
    heap_is_clean("with the heap full");

    size_t freed = release_all(list);
    CHECK(freed == count, "freed %zu blocks of %zu", freed, count);
    heap_is_clean("after freeing the full heap");
    CHECK(live_blocks() == baseline, "%zu blocks live after freeing all, %zu before",
          live_blocks(), baseline);
    printf("oom: %zu small blocks (%zu KiB) before malloc(%zu) failed\n", count, bytes >> 10,
           failed_size);
    end_case();
}

static void mapped_blocks_exhaust_the_address_space(void)
{
    begin_case("mapped blocks until the address space is full");
    size_t baseline = live_blocks();
    struct held *list = NULL;
    size_t count = 0, bytes = 0, failed_size = 0;
    int err = 0;
    for (size_t i = 0;; i++) {
        size_t size = ((size_t)1 << 20) + (i % 7) * 100000;
        errno = 0;
        struct held *h = malloc(size);
        if (!h) {
            err = errno_after_call();
            failed_size = size;
            break;
        }
        held_init(h, size, list);
        list = h;
        count++;
        bytes += size;
    }
    CHECK(err == ENOMEM, "malloc(%zu) failed with errno %d (%s), not ENOMEM", failed_size, err,
          strerror(err));
    CHECK(bytes > HEADROOM / 2, "only %zu KiB in %zu blocks before malloc failed", bytes >> 10,
          count);

    EXPECT_ENOMEM(malloc(failed_size), "malloc (again)");
    EXPECT_ENOMEM(malloc(4 << 20), "malloc(4 MiB)");
    EXPECT_ENOMEM(calloc(1, 4 << 20), "calloc(1, 4 MiB)");
    EXPECT_ENOMEM(calloc(4, 1 << 20), "calloc(4, 1 MiB)");
    expect_aligned_calls_fail(4 << 20);
    if (list) {
        /* Growing a mapped block needs a new mapping: none to be had. */
        expect_resize_fails(list, list->size * 4, false, "realloc");
        expect_resize_fails(list, list->size * 4, true, "reallocarray");
        /* Shrinking needs no memory and must work, keeping the contents. */
        size_t old_size = list->size;
        struct held *shrunk = realloc(list, old_size - 4096);
        CHECK(shrunk != NULL, "shrinking a mapped block failed with no memory left");
        if (shrunk) {
            CHECK(prefix_intact(shrunk, old_size), "shrinking a mapped block lost its contents");
            held_init(shrunk, old_size - 4096, shrunk->next);
            list = shrunk;
        }
    }
    heap_is_clean("with the address space full");

    size_t freed = release_all(list);
    CHECK(freed == count, "freed %zu blocks of %zu", freed, count);
    heap_is_clean("after freeing every mapped block");
    CHECK(live_blocks() == baseline, "%zu blocks live after freeing all, %zu before",
          live_blocks(), baseline);
    printf("oom: %zu mapped blocks (%zu MiB) before malloc(%zu) failed\n", count, bytes >> 20,
           failed_size);
    end_case();
}

static void requests_beyond_the_limit(void)
{
    begin_case("single requests larger than the limit");
    EXPECT_ENOMEM(malloc(BIG_REQUEST), "malloc(128 MiB)");
    EXPECT_ENOMEM(calloc(1, BIG_REQUEST), "calloc(1, 128 MiB)");
    EXPECT_ENOMEM(calloc(128, 1 << 20), "calloc(128, 1 MiB)");
    expect_aligned_calls_fail(BIG_REQUEST);

    struct held *small = malloc(200), *big = malloc(1 << 20);
    CHECK(small && big, "plain allocations failed");
    if (small && big) {
        held_init(small, 200, NULL);
        held_init(big, 1 << 20, NULL);
        expect_resize_fails(small, BIG_REQUEST, false, "realloc");
        expect_resize_fails(small, BIG_REQUEST, true, "reallocarray");
        expect_resize_fails(big, BIG_REQUEST, false, "realloc");
        expect_resize_fails(big, BIG_REQUEST, true, "reallocarray");
    }
    free(small);
    free(big);

    /* Alignments so large that only an enormous mapping could honour them. */
    EXPECT_ENOMEM(memalign(opaque((size_t)1 << 40), 16), "memalign(1 TiB, 16)");
    EXPECT_ENOMEM(memalign(opaque((size_t)1 << 40), 1 << 20), "memalign(1 TiB, 1 MiB)");
    EXPECT_ENOMEM(aligned_alloc(opaque((size_t)1 << 40), 64), "aligned_alloc(1 TiB, 64)");
    EXPECT_ENOMEM(memalign(opaque((size_t)1 << 62), 16), "memalign(2^62, 16)");
    void *out = &out;
    int err = posix_memalign(&out, (size_t)1 << 40, 16);
    CHECK(err == ENOMEM, "posix_memalign(1 TiB, 16) returned %d, not ENOMEM", err);
    CHECK(out == &out, "posix_memalign failed but changed its output pointer");
    heap_is_clean("after requests beyond the limit");
    end_case();
}

static void allocation_works_again(void)
{
    begin_case("allocation works again once memory is freed");
    size_t baseline = live_blocks();
    struct held *list = NULL;
    size_t made = 0;
    for (size_t i = 0; i < 20000; i++) {
        size_t size = i % 1000 == 999 ? ((size_t)2 << 20) : sizeof(struct held) + i % 1500;
        struct held *h = malloc(size);
        CHECK(h != NULL, "malloc(%zu) failed after memory was freed", size);
        if (!h)
            break;
        held_init(h, size, list);
        list = h;
        made++;
    }
    heap_is_clean("with the heap filled again");
    size_t freed = release_all(list);
    CHECK(freed == made, "freed %zu of %zu", freed, made);
    heap_is_clean("after the second round");
    CHECK(live_blocks() == baseline, "%zu blocks live after freeing all, %zu before",
          live_blocks(), baseline);
    end_case();
}

static void sizes_that_overflow(void)
{
    begin_case("sizes that overflow");
    const size_t max = opaque(SIZE_MAX), half = opaque(SIZE_MAX / 2);
    EXPECT_ENOMEM(malloc(max), "malloc(SIZE_MAX)");
    EXPECT_ENOMEM(malloc(max - 4096), "malloc(SIZE_MAX - 4096)");
    EXPECT_ENOMEM(malloc(max - 15), "malloc(SIZE_MAX - 15)"); /* rounds up past the top */
    EXPECT_ENOMEM(malloc(opaque((size_t)PTRDIFF_MAX + 1)), "malloc(PTRDIFF_MAX + 1)");
    EXPECT_ENOMEM(calloc(half, 3), "calloc(SIZE_MAX / 2, 3)");
    EXPECT_ENOMEM(calloc(3, half), "calloc(3, SIZE_MAX / 2)");
    EXPECT_ENOMEM(calloc(max, max), "calloc(SIZE_MAX, SIZE_MAX)");
    /* 2^32 * 2^32 wraps to exactly 0: a zero-byte block would be the worst answer. */
    EXPECT_ENOMEM(calloc(opaque((size_t)1 << 32), opaque((size_t)1 << 32)), "calloc(2^32, 2^32)");
    EXPECT_ENOMEM(reallocarray(NULL, half, 3), "reallocarray(NULL, SIZE_MAX / 2, 3)");
    EXPECT_ENOMEM(valloc(max), "valloc(SIZE_MAX)");
    EXPECT_ENOMEM(pvalloc(max), "pvalloc(SIZE_MAX)"); /* rounding up to a page overflows */
    EXPECT_ENOMEM(pvalloc(max - 4095), "pvalloc(SIZE_MAX - 4095)");
    EXPECT_ENOMEM(aligned_alloc(16, max), "aligned_alloc(16, SIZE_MAX)");
    EXPECT_ENOMEM(memalign(4096, max - 100), "memalign(4096, SIZE_MAX - 100)");
    void *out = &out;
    int err = posix_memalign(&out, 64, max);
    CHECK(err == ENOMEM, "posix_memalign(64, SIZE_MAX) returned %d, not ENOMEM", err);
    CHECK(out == &out, "posix_memalign failed but changed its output pointer");

    struct held *h = malloc(100);
    CHECK(h != NULL, "malloc(100) failed");
    if (h) {
        held_init(h, 100, NULL);
        expect_resize_fails(h, max, false, "realloc(p, SIZE_MAX)");
        expect_resize_fails(h, max - 8, false, "realloc(p, SIZE_MAX - 8)");
        /* reallocarray's own overflow check: count * size wraps */
        expect_array_resize_fails(h, half, 3, "reallocarray(p, SIZE_MAX / 2, 3)");
        expect_array_resize_fails(h, opaque((size_t)1 << 32), opaque((size_t)1 << 32),
                                  "reallocarray(p, 2^32, 2^32)");
        free(h);
    }
    heap_is_clean("after the overflowing sizes");
    end_case();
}

static void bad_alignments(void)
{
    begin_case("bad alignments");
    /* posix_memalign: a power of two and a multiple of sizeof(void *), else EINVAL with
     * the output untouched. */
    static const size_t invalid[] = {0, 1, 2, 3, 4, 24, 48, 100, 4097, SIZE_MAX};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        void *out = &out;
        int err = posix_memalign(&out, opaque(invalid[i]), 16);
        CHECK(err == EINVAL, "posix_memalign(%zu, 16) returned %d, not EINVAL", invalid[i], err);
        CHECK(out == &out, "posix_memalign(%zu, 16) failed but changed its output", invalid[i]);
        if (err == 0 && out != &out)
            free(out);
    }
    /* The smallest valid one. */
    void *out = NULL;
    int err = posix_memalign(&out, sizeof(void *), 16);
    CHECK(err == 0 && out && (uintptr_t)out % sizeof(void *) == 0,
          "posix_memalign(sizeof(void *), 16) returned %d, %p", err, out);
    free(out);

    /* Called through pointers: the headers promise the compiler that the result has the
     * asked alignment, which for the bad ones below is no promise at all. */
    static void *(*volatile aligned_alloc_fn)(size_t, size_t) = aligned_alloc;
    static void *(*volatile memalign_fn)(size_t, size_t) = memalign;

    /* aligned_alloc: glibc 2.36's is memalign, so an alignment that is not a power of
     * two (0 and 3 included) gives memory aligned to the next power of two, at least 16
     * (as this machine's glibc does: checked by a plain program, no heapcheck). */
    static const size_t not_pow2[] = {0, 3, 24, 48, 100, ((size_t)1 << 20) + 1};
    for (size_t i = 0; i < sizeof not_pow2 / sizeof not_pow2[0]; i++) {
        size_t want = 16;
        while (want < not_pow2[i])
            want <<= 1;
        void *p = aligned_alloc_fn(opaque(not_pow2[i]), 96);
        CHECK(p && (uintptr_t)p % want == 0, "aligned_alloc(%zu, 96) gave %p, not %zu-aligned memory",
              not_pow2[i], p, want);
        free(p);
    }
    void *zero = aligned_alloc_fn(opaque(0), 0);
    CHECK(zero != NULL, "aligned_alloc(0, 0) gave NULL, where glibc gives memory");
    free(zero);

    /* memalign: an alignment past half the address space is refused outright ... */
    errno = 0;
    void *p = memalign_fn(opaque(SIZE_MAX), 16);
    int e = errno_after_call();
    CHECK(p == NULL && e == EINVAL, "memalign(SIZE_MAX, 16) gave %p, errno %d", p, e);
    free(p);
    errno = 0;
    p = memalign_fn(opaque((size_t)1 << 63), 16);
    e = errno_after_call();
    CHECK(p == NULL && e == ENOMEM, "memalign(2^63, 16) gave %p, errno %d, not ENOMEM as glibc", p, e);
    free(p);
    void *big = NULL;
    err = posix_memalign(&big, opaque((size_t)1 << 63), 16);
    CHECK(err == ENOMEM && !big, "posix_memalign(2^63, 16) returned %d, not ENOMEM as glibc", err);
    /* ... while one that is merely not a power of two is rounded up to the next one. */
    p = memalign_fn(opaque(24), 100);
    CHECK(p && (uintptr_t)p % 32 == 0, "memalign(24, 100) gave %p, not 32-aligned", p);
    free(p);
    p = memalign_fn(opaque(0), 100);
    CHECK(p && (uintptr_t)p % 16 == 0, "memalign(0, 100) gave %p", p);
    free(p);
    p = memalign_fn(opaque(3000), 100);
    CHECK(p && (uintptr_t)p % 4096 == 0, "memalign(3000, 100) gave %p, not 4096-aligned", p);
    free(p);
    heap_is_clean("after the bad alignments");
    end_case();
}

static int compare_pointers(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

static void zero_sizes_and_null(void)
{
    begin_case("zero sizes and NULL");
    size_t baseline = live_blocks();

    /* malloc(0): a unique pointer each time, freeable. */
    enum { N = 1000 };
    static void *zero[N];
    size_t got = 0;
    for (size_t i = 0; i < N; i++)
        if ((zero[i] = malloc(0)) != NULL)
            got++;
    CHECK(got == N, "malloc(0) returned NULL %zu times in %d", N - got, N);
    CHECK(live_blocks() == baseline + got, "%zu malloc(0) blocks, but %zu more live",
          got, live_blocks() - baseline);
    qsort(zero, N, sizeof zero[0], compare_pointers);
    size_t repeats = 0;
    for (size_t i = 1; i < N; i++)
        if (zero[i] && zero[i] == zero[i - 1])
            repeats++;
    CHECK(repeats == 0, "malloc(0) returned the same pointer again %zu times", repeats);
    for (size_t i = 0; i < N; i++)
        free(zero[i]);

    /* The other ways to ask for nothing also give a block (glibc does). */
    void *p;
    p = calloc(0, 10);
    CHECK(p != NULL, "calloc(0, 10) returned NULL");
    free(p);
    p = calloc(10, 0);
    CHECK(p != NULL, "calloc(10, 0) returned NULL");
    free(p);
    p = realloc(NULL, 0);
    CHECK(p != NULL, "realloc(NULL, 0) returned NULL");
    free(p);
    p = reallocarray(NULL, 0, 8);
    CHECK(p != NULL, "reallocarray(NULL, 0, 8) returned NULL");
    free(p);
    p = aligned_alloc(opaque(256), 0);
    CHECK(p && (uintptr_t)p % 256 == 0, "aligned_alloc(256, 0) gave %p", p);
    free(p);
    p = memalign(opaque(4096), 0);
    CHECK(p && (uintptr_t)p % 4096 == 0, "memalign(4096, 0) gave %p", p);
    free(p);
    p = valloc(0);
    CHECK(p && (uintptr_t)p % 4096 == 0, "valloc(0) gave %p", p);
    free(p);
    p = pvalloc(0);
    CHECK(p && (uintptr_t)p % 4096 == 0 && malloc_usable_size(p) >= 4096,
          "pvalloc(0) gave %p, not a whole page", p);
    free(p);

    /* NULL: free ignores it, malloc_usable_size says 0. */
    free(NULL);
    hc_free(NULL);
    CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is not 0");

    /* realloc(p, 0) frees p and returns NULL, as glibc; so does reallocarray(p, 0, n). */
    size_t before = live_blocks();
    p = malloc(100);
    void *q = realloc(p, 0);
    CHECK(q == NULL, "realloc(p, 0) returned %p, not NULL", q);
    CHECK(live_blocks() == before, "realloc(p, 0) did not free the block");
    free(q);
    p = malloc(5000);
    q = reallocarray(p, 0, 8);
    CHECK(q == NULL, "reallocarray(p, 0, 8) returned %p, not NULL", q);
    CHECK(live_blocks() == before, "reallocarray(p, 0, 8) did not free the block");
    free(q);

    heap_is_clean("after the zero sizes");
    CHECK(live_blocks() == baseline, "%zu blocks live, %zu at the start", live_blocks(),
          baseline);
    end_case();
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("oom: start\n"); /* stdout's buffer is allocated now, while memory is plenty */

    struct hc_stats before, after;
    void *volatile probe = malloc(40); /* volatile: the pair must not be optimized away */
    hc_stats(&before);
    free(probe);
    hc_stats(&after);
    if (after.live_blocks + 1 != before.live_blocks) {
        fprintf(stderr, "oom: malloc is not heapcheck's; is the test linked with it?\n");
        return 99;
    }
    /* Requests that an allocator bug could turn into real ones run under the limit too,
     * so a failure cannot take the machine's memory with it. */
    if (!limit_address_space()) {
        fprintf(stderr, "oom: cannot limit the address space (RLIMIT_AS): skipped\n");
        return 77;
    }
    small_blocks_exhaust_the_heap();
    mapped_blocks_exhaust_the_address_space();
    requests_beyond_the_limit();
    allocation_works_again();
    sizes_that_overflow();
    bad_alignments();
    zero_sizes_and_null();
    setrlimit(RLIMIT_AS, &original_limit);

    printf("oom: %d passed, %d failed\n", cases_passed, cases_failed);
    return cases_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
