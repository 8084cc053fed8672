/* A correct program: malloc, calloc, realloc and free over the sizes where an
 * allocator changes strategy (tiny, around the 16-byte granule, page sized, around
 * the 128 KiB mapping threshold, megabytes), growing and shrinking across those
 * bounds, and a few thousand blocks freed in scrambled order so that free blocks
 * merge.  Every block is filled to its requested size and checked before it is
 * freed.  Under heapcheck it must draw no report at all: its expected stderr is
 * empty.  It uses only the standard interface and is built without heapcheck, so
 * the same program serves the preload and the linked run.
 *
 * A failure of its own checks is reported on stderr (which then differs from the
 * empty expectation) and in the exit status. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls go through volatile pointers: a compiler may otherwise delete a malloc
 * whose block it can see is never used, and with it the call heapcheck should
 * have seen.  (A test of a double free, say, needs this even more.) */
static void *(*volatile do_malloc)(size_t) = malloc;
static void *(*volatile do_calloc)(size_t, size_t) = calloc;
static void *(*volatile do_realloc)(void *, size_t) = realloc;
static void (*volatile do_free)(void *) = free;
#define malloc(n) do_malloc(n)
#define calloc(n, s) do_calloc(n, s)
#define realloc(p, n) do_realloc(p, n)
#define free(p) do_free(p)

static const size_t sizes[] = {
    0, 1, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 255,
    256, 257, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 8192, 65535, 65536,
    128 * 1024 - 1, 128 * 1024, 128 * 1024 + 1, 200000, 1 << 20, (1 << 20) + 1,
    4 << 20,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static int failures;

static void fail(const char *what, size_t size)
{
    fprintf(stderr, "clean_basic: %s (size %zu)\n", what, size);
    failures++;
}

/* A byte that depends on the block and the offset, so that a block holding
 * another block's data (or data moved to the wrong offset) shows. */
static unsigned char pattern(unsigned seed, size_t i)
{
    return (unsigned char)(seed * 131u + i * 7u + (i >> 8));
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(seed, i);
}

static int intact(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(seed, i))
            return 0;
    return 1;
}

/* The alignment C requires of malloc(size) (calloc(0) asks for 1 byte here): that of
 * the largest fundamental type that fits, 16 from 16 bytes up. */
static void aligned_as_required(const void *p, size_t size)
{
    size_t need = size >= 16 ? 16 : size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
    if ((uintptr_t)p % need != 0)
        fail("block not aligned as C requires", size);
}

static void each_size(void)
{
    for (size_t k = 0; k < NSIZES; k++) {
        size_t n = sizes[k];
        unsigned char *p = malloc(n);
        if (!p) {
            /* malloc(0) may return NULL; no other size here may fail. */
            if (n != 0)
                fail("malloc failed", n);
            continue;
        }
        aligned_as_required(p, n);
        fill(p, n, (unsigned)k);
        if (!intact(p, n, (unsigned)k))
            fail("malloc block does not keep its contents", n);
        free(p);

        unsigned char *z = calloc(n ? n : 1, 1);
        if (!z) {
            fail("calloc failed", n);
            continue;
        }
        aligned_as_required(z, n);
        for (size_t i = 0; i < n; i++)
            if (z[i] != 0) {
                fail("calloc block not zeroed", n);
                break;
            }
        free(z);
    }
    /* calloc with a count and a size, not just bytes. */
    unsigned *v = calloc(100000, sizeof *v);
    if (!v)
        fail("calloc(100000, 4) failed", 400000);
    else {
        for (size_t i = 0; i < 100000; i++)
            if (v[i] != 0) {
                fail("calloc array not zeroed", 400000);
                break;
            }
        free(v);
    }
}

/* One block grown through every size and shrunk back: realloc must keep the
 * common prefix whether it extends in place, moves, or changes to or from a
 * block mapped on its own. */
static void realloc_walk(void)
{
    unsigned char *p = realloc(NULL, 1);
    size_t have = 1;
    if (!p) {
        fail("realloc(NULL, 1) failed", 1);
        return;
    }
    fill(p, have, 99);
    for (size_t k = 1; k < NSIZES; k++) {
        size_t n = sizes[k];
        unsigned char *q = realloc(p, n);
        if (!q) {
            fail("realloc (growing) failed", n);
            free(p);
            return;
        }
        if (!intact(q, have < n ? have : n, 99))
            fail("realloc (growing) lost data", n);
        fill(q, n, 99);
        p = q;
        have = n;
    }
    for (size_t k = NSIZES - 1; k-- > 1;) {
        size_t n = sizes[k];
        unsigned char *q = realloc(p, n);
        if (!q) {
            fail("realloc (shrinking) failed", n);
            free(p);
            return;
        }
        if (!intact(q, n, 99))
            fail("realloc (shrinking) lost data", n);
        p = q;
        have = n;
    }
    free(p);
}

/* Many live blocks of mixed sizes, resized and freed in an order scrambled by a
 * fixed generator (the same every run). */
#define NBLOCKS 3000
static unsigned char *blocks[NBLOCKS];
static size_t lengths[NBLOCKS];

static unsigned long rng_state = 12345;
static unsigned long rng(void)
{
    rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
    return rng_state >> 33;
}

static size_t random_size(void)
{
    unsigned long r = rng();
    switch (r % 8) {
    case 0: return r % 16;
    case 1: case 2: case 3: return r % 256;
    case 4: case 5: return r % 4096;
    case 6: return r % 65536;
    default: return (r % 4 == 0) ? 128 * 1024 + r % 100000 : r % 20000;
    }
}

static void churn(void)
{
    for (unsigned i = 0; i < NBLOCKS; i++) {
        lengths[i] = random_size();
        blocks[i] = malloc(lengths[i]);
        if (!blocks[i] && lengths[i] != 0)
            fail("malloc failed in churn", lengths[i]);
        if (blocks[i])
            fill(blocks[i], lengths[i], i);
    }
    for (unsigned round = 0; round < 4; round++) {
        for (unsigned j = 0; j < NBLOCKS; j++) {
            unsigned i = (unsigned)(rng() % NBLOCKS);
            if (blocks[i] && !intact(blocks[i], lengths[i], i))
                fail("block changed while live", lengths[i]);
            switch (rng() % 3) {
            case 0:
                free(blocks[i]);
                blocks[i] = NULL;
                lengths[i] = 0;
                break;
            case 1: {
                size_t n = random_size();
                unsigned char *q = realloc(blocks[i], n ? n : 1);
                if (!q) {
                    fail("realloc failed in churn", n);
                    break;
                }
                if (!intact(q, lengths[i] < n ? lengths[i] : n, i))
                    fail("realloc lost data in churn", n);
                blocks[i] = q;
                lengths[i] = n;
                fill(q, n, i);
                break;
            }
            default:
                if (!blocks[i]) {
                    size_t n = random_size();
                    blocks[i] = calloc(1, n ? n : 1);
                    lengths[i] = n;
                    if (blocks[i])
                        fill(blocks[i], n, i);
                    else
                        fail("calloc failed in churn", n);
                }
                break;
            }
        }
    }
    for (unsigned i = 0; i < NBLOCKS; i++) {
        if (blocks[i] && !intact(blocks[i], lengths[i], i))
            fail("block changed before the final free", lengths[i]);
        free(blocks[i]);
    }
}

int main(void)
{
    free(NULL);
    each_size();
    realloc_walk();
    churn();
    return failures ? 1 : 0;
}
