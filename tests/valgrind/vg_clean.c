/* A correct program for memcheck with heapcheck underneath: memcheck must report no
 * error at all.  It allocates over many sizes (tiny, around the 16-byte granule, page
 * sized, around the 128 KiB mapping threshold, megabytes), with malloc, calloc,
 * posix_memalign and aligned_alloc; resizes with realloc, growing and shrinking, in
 * place and by moving; and frees everything.  It reads every byte it wrote and
 * branches on it, so memcheck also checks that heapcheck describes each block's
 * definedness right (calloc's zeros defined, realloc's copy carrying the data).
 *
 * On stdout: how often realloc resized in place and how often it moved, growing and
 * shrinking (memcheck.sh wants each path taken at least once under heapcheck).
 * Exit status: 0, or 1 after a message on stderr if a block lost its contents. */
#define _POSIX_C_SOURCE 200809L /* posix_memalign, in a strict C11 compilation too */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Through volatile pointers, so that no call is optimised away. */
static void *(*volatile do_malloc)(size_t) = malloc;
static void *(*volatile do_calloc)(size_t, size_t) = calloc;
static void *(*volatile do_realloc)(void *, size_t) = realloc;
static void (*volatile do_free)(void *) = free;
static int (*volatile do_posix_memalign)(void **, size_t, size_t) = posix_memalign;
static void *(*volatile do_aligned_alloc)(size_t, size_t) = aligned_alloc;

static const size_t sizes[] = {
    0, 1, 2, 7, 8, 9, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 63, 64, 65, 96,
    127, 128, 129, 200, 255, 256, 257, 511, 512, 1000, 1023, 1024, 1025, 2048, 4095,
    4096, 4097, 8191, 8192, 10000, 65535, 65536, 100000, 131071, 131072, 131073,
    200000, 1048575, 1048576, 1048577, 3000000,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static int failures;

static void fail(const char *what, size_t size)
{
    fprintf(stderr, "vg_clean: %s (size %zu)\n", what, size);
    failures++;
}

static unsigned char pattern(unsigned seed, size_t i)
{
    return (unsigned char)(seed * 37u + i * 11u + (i >> 9));
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(seed, i);
}

/* Branches on every byte: an undefined one is a memcheck error here. */
static int intact(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(seed, i))
            return 0;
    return 1;
}

static int zeroed(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

static void with_malloc_and_calloc(void)
{
    for (size_t k = 0; k < NSIZES; k++) {
        size_t n = sizes[k];
        unsigned char *p = do_malloc(n);
        if (!p && n) {
            fail("malloc failed", n);
            continue;
        }
        if ((uintptr_t)p % 16 != 0)
            fail("malloc block not aligned to 16", n);
        fill(p, n, (unsigned)k);
        if (!intact(p, n, (unsigned)k))
            fail("malloc block lost its contents", n);
        do_free(p);

        unsigned char *z = do_calloc(n ? n : 1, 1);
        if (!z) {
            fail("calloc failed", n);
            continue;
        }
        if (!zeroed(z, n))
            fail("calloc block not zeroed", n);
        do_free(z);
    }
    unsigned *v = do_calloc(50000, sizeof *v);
    if (!v || !zeroed((unsigned char *)v, 50000 * sizeof *v))
        fail("calloc(50000, 4) failed or not zeroed", 50000 * sizeof *v);
    do_free(v);
}

/* Counts of what realloc did, by comparing the addresses before and after. */
static unsigned grew_in_place, grew_moving, shrank_in_place, shrank_moving;

/* Resize p (holding have bytes of pattern seed) to n bytes and check the kept part. */
static unsigned char *resize(unsigned char *p, size_t have, size_t n, unsigned seed)
{
    uintptr_t before = (uintptr_t)p;
    unsigned char *q = do_realloc(p, n);
    if (!q) {
        fail("realloc failed", n);
        return p;
    }
    int moved = (uintptr_t)q != before;
    if (n > have && moved)
        grew_moving++;
    else if (n > have)
        grew_in_place++;
    else if (n < have && moved)
        shrank_moving++;
    else if (n < have)
        shrank_in_place++;
    if (!intact(q, have < n ? have : n, seed))
        fail("realloc lost data", n);
    fill(q, n, seed);
    return q;
}

static void with_realloc(void)
{
    /* One block through every size, up and back down. */
    unsigned char *p = do_realloc(NULL, 1);
    if (!p) {
        fail("realloc(NULL, 1) failed", 1);
        return;
    }
    size_t have = 1;
    fill(p, have, 5);
    for (size_t k = 1; k < NSIZES; k++) {
        p = resize(p, have, sizes[k], 5);
        have = sizes[k];
    }
    for (size_t k = NSIZES - 1; k-- > 1;) {
        p = resize(p, have, sizes[k], 5);
        have = sizes[k];
    }
    do_free(p);

    /* Small steps on a block with a live neighbour after it, and on one without:
     * some steps fit in place, others must move. */
    unsigned char *a = do_malloc(40);
    unsigned char *fence = do_malloc(40);
    unsigned char *b = do_malloc(40);
    if (!a || !fence || !b) {
        fail("malloc failed", 40);
        return;
    }
    fill(a, 40, 6);
    fill(fence, 40, 7);
    fill(b, 40, 8);
    size_t na = 40, nb = 40;
    for (size_t n = 48; n <= 2048; n += n / 4) {
        a = resize(a, na, n, 6);
        na = n;
        b = resize(b, nb, n, 8);
        nb = n;
    }
    for (size_t n = na - 8; n >= 16; n -= n / 3) {
        a = resize(a, na, n, 6);
        na = n;
    }
    if (!intact(fence, 40, 7))
        fail("a neighbour of a resized block changed", 40);
    /* A realloc to 0 frees (glibc's rule); NULL then is no failure. */
    unsigned char *gone = do_realloc(fence, 0);
    if (gone)
        do_free(gone);
    do_free(a);
    do_free(b);
}

static void with_alignment(void)
{
    static const size_t aligns[] = {sizeof(void *), 16, 32, 64, 128, 256, 1024, 4096, 65536};
    static const size_t lengths[] = {1, 24, 100, 4096, 5000, 200000};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
        for (size_t j = 0; j < sizeof lengths / sizeof lengths[0]; j++) {
            size_t al = aligns[i], n = lengths[j];
            void *v = NULL;
            if (do_posix_memalign(&v, al, n) != 0 || !v) {
                fail("posix_memalign failed", n);
                continue;
            }
            unsigned char *p = v;
            if ((uintptr_t)p % al != 0)
                fail("posix_memalign block misaligned", n);
            fill(p, n, (unsigned)(i + j));
            if (!intact(p, n, (unsigned)(i + j)))
                fail("posix_memalign block lost its contents", n);
            /* An aligned block may be resized like any other. */
            p = resize(p, n, n + 300, (unsigned)(i + j));
            do_free(p);

            size_t rounded = (n + al - 1) / al * al; /* C11 wants a multiple */
            unsigned char *q = do_aligned_alloc(al, rounded);
            if (!q) {
                fail("aligned_alloc failed", rounded);
                continue;
            }
            if ((uintptr_t)q % al != 0)
                fail("aligned_alloc block misaligned", rounded);
            fill(q, rounded, 3);
            if (!intact(q, rounded, 3))
                fail("aligned_alloc block lost its contents", rounded);
            do_free(q);
        }
    }
}

/* Many blocks live at once, freed in an order that is neither first-in-first-out
 * nor last-in-first-out. */
static void many_live(void)
{
    enum { N = 600 };
    static unsigned char *live[N];
    for (unsigned i = 0; i < N; i++) {
        size_t n = sizes[i % NSIZES] % 70000 + 1;
        live[i] = do_malloc(n);
        if (!live[i]) {
            fail("malloc failed", n);
            continue;
        }
        fill(live[i], n, i);
    }
    for (unsigned step = 0; step < N; step++) {
        unsigned i = (step * 257u) % N; /* 257 and 600 are coprime: each once */
        size_t n = sizes[i % NSIZES] % 70000 + 1;
        if (live[i] && !intact(live[i], n, i))
            fail("a live block changed", n);
        do_free(live[i]);
        live[i] = NULL;
    }
}

int main(void)
{
    do_free(NULL);
    with_malloc_and_calloc();
    with_realloc();
    with_alignment();
    many_live();
    printf("vg_clean: realloc grew in place %u, grew by moving %u, shrank in place %u, "
           "shrank by moving %u\n",
           grew_in_place, grew_moving, shrank_in_place, shrank_moving);
    return failures ? 1 : 0;
}
