/* stress_shadow: a million random calls per seed, over every allocation entry point,
 * checked against a shadow table of the live blocks.  It proves that blocks never
 * overlap, keep their contents (across realloc too), honour their alignment and
 * usable size, that calloc memory is zero, and that hc_check_heap() and hc_stats()
 * agree with the program's view of the heap throughout.  A failure names its seed:
 * replay it with `stress_shadow SEED [OPS]`.
 *
 * `stress_shadow -t N [OPS]`: N threads at once (so N arenas' worth of heaps), each
 * with a shadow of its own (the state below is per thread) and its own seed; blocks
 * of different threads never share bytes, or the patterns show it.  hc_check_heap()
 * runs concurrently in every thread; the live counts of hc_stats() are compared only
 * when every thread has freed everything (while they run, the others move them). */
#define _GNU_SOURCE
#include "heapcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_OPS 1000000UL
#define FIXED_SEEDS 3
#define MAX_LIVE 6000                   /* shadow slots */
#define LIVE_BYTES_CAP ((size_t)200 << 20)
#define HEAP_CHECK_EVERY 10000UL
#define PHASE_LENGTH 40000UL            /* ops between changes of the live-count target */
#define MAPPED_FROM ((size_t)128 << 10) /* heapcheck's default mmap_threshold */

/* ---- xorshift64* : our own generator, so a seed replays the same run anywhere ---- */

static __thread uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    /* One splitmix64 step: any seed, 0 included, gives a well-mixed non-zero state. */
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    rng_state = (z ^ (z >> 31)) | 1;
}

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n); n > 0.  The modulo bias is irrelevant here. */
static size_t rng_below(size_t n) { return (size_t)(rng_next() % n); }
static size_t rng_range(size_t lo, size_t hi) { return lo + rng_below(hi - lo + 1); }
static bool rng_percent(unsigned pct) { return rng_below(100) < pct; }

/* ---- the shadow table ---------------------------------------------------------- */

struct shadow {
    unsigned char *ptr;
    size_t size;    /* bytes requested */
    size_t usable;  /* malloc_usable_size when last seen: the bytes we may (and do) fill */
    size_t align;   /* alignment promised by the call that made it */
    uint64_t seed;  /* the pattern's seed (the fill byte at offset i derives from it) */
    size_t slot;    /* position in live[] */
    int left, right; /* address-ordered treap */
    uint64_t prio;
};

static __thread struct shadow blocks[MAX_LIVE];
static __thread int free_records[MAX_LIVE];
static __thread size_t nfree_records;
static __thread int live[MAX_LIVE];     /* records of the live blocks, in no order: random picks */
static __thread size_t nlive;
static __thread size_t live_requested;  /* sum of sizes */
static __thread size_t live_usable;     /* sum of usable sizes */
static __thread int treap_root = -1;

/* Calls made in the current seed, by entry point, for the summary line. */
enum call_kind {
    CALL_MALLOC, CALL_CALLOC, CALL_REALLOC_NULL, CALL_REALLOCARRAY_NULL, CALL_POSIX_MEMALIGN,
    CALL_ALIGNED_ALLOC, CALL_MEMALIGN, CALL_VALLOC, CALL_PVALLOC, CALL_FREE, CALL_REALLOC_ZERO,
    CALL_REALLOC, CALL_REALLOCARRAY, CALL_USABLE_SIZE, CALL_FREE_NULL, NCALLS
};
static const char *const call_names[NCALLS] = {
    "malloc", "calloc", "realloc(NULL)", "reallocarray(NULL)", "posix_memalign",
    "aligned_alloc", "memalign", "valloc", "pvalloc", "free", "realloc(p,0)", "realloc",
    "reallocarray", "malloc_usable_size", "free(NULL)",
};
static __thread unsigned long calls[NCALLS];
static __thread unsigned long mapped_blocks_made; /* blocks of MAPPED_FROM bytes or more */
static __thread size_t peak_live_blocks, peak_live_bytes;

/* What the run is doing, for the failure message. */
static __thread uint64_t current_seed;
static __thread unsigned long current_op, current_run_ops;
static __thread const char *current_call = "start";

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static unsigned nthreads; /* 0: the single-threaded run */

/* Failing cases end the program: after a broken invariant the heap cannot be trusted,
 * and the seed printed here replays the run up to this very operation. */
static int cases_passed;

static void fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "stress_shadow: FAILED at seed %" PRIu64 ", op %lu (%s): ", current_seed,
            current_op, current_call);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* Past the last operation (in the final free) the whole run is the replay. */
    unsigned long replay_ops = current_op < current_run_ops ? current_op + 1 : current_run_ops;
    fprintf(stderr, "\nstress_shadow: replay with: stress_shadow %" PRIu64 " %lu%s\n", current_seed,
            replay_ops, nthreads ? " (this thread's calls alone, without the others' timing)" : "");
    printf("stress_shadow: %d passed, 1 failed\n", cases_passed);
    exit(EXIT_FAILURE);
}

static int record_new(void)
{
    /* Treap priorities come from a counter of their own, not from the seeded generator,
     * so that the sequence of calls depends on the seed alone. */
    static uint64_t records_made;
    uint64_t z = ++records_made * 0x9e3779b97f4a7c15ULL;
    int r = free_records[--nfree_records];
    blocks[r].prio = z ^ (z >> 29);
    return r;
}

/* Treap (by address) operations: only to find a block's neighbours in O(log n). */
static int treap_insert(int t, int r)
{
    if (t < 0)
        return r;
    if (blocks[r].ptr < blocks[t].ptr) {
        blocks[t].left = treap_insert(blocks[t].left, r);
        if (blocks[blocks[t].left].prio > blocks[t].prio) {
            int l = blocks[t].left;
            blocks[t].left = blocks[l].right;
            blocks[l].right = t;
            return l;
        }
    } else {
        blocks[t].right = treap_insert(blocks[t].right, r);
        if (blocks[blocks[t].right].prio > blocks[t].prio) {
            int rr = blocks[t].right;
            blocks[t].right = blocks[rr].left;
            blocks[rr].left = t;
            return rr;
        }
    }
    return t;
}

static int treap_join(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    if (blocks[a].prio > blocks[b].prio) {
        blocks[a].right = treap_join(blocks[a].right, b);
        return a;
    }
    blocks[b].left = treap_join(a, blocks[b].left);
    return b;
}

static int treap_remove(int t, int r)
{
    if (t < 0)
        fail("shadow table lost block %p", (void *)blocks[r].ptr);
    if (t == r)
        return treap_join(blocks[t].left, blocks[t].right);
    if (blocks[r].ptr < blocks[t].ptr)
        blocks[t].left = treap_remove(blocks[t].left, r);
    else
        blocks[t].right = treap_remove(blocks[t].right, r);
    return t;
}

static size_t extent(const struct shadow *b) { return b->usable ? b->usable : 1; }

/* The new block must not overlap the live block just below it nor the one just above:
 * with all live blocks disjoint, those two are the only candidates. */
static void check_no_overlap(int r)
{
    const struct shadow *b = &blocks[r];
    int below = -1, above = -1;
    for (int t = treap_root; t >= 0;) {
        if (blocks[t].ptr <= b->ptr) {
            below = t;
            t = blocks[t].right;
        } else {
            above = t;
            t = blocks[t].left;
        }
    }
    if (below >= 0 && blocks[below].ptr + extent(&blocks[below]) > b->ptr)
        fail("new block %p (+%zu) overlaps live block %p (+%zu)", (void *)b->ptr, b->usable,
             (void *)blocks[below].ptr, blocks[below].usable);
    if (above >= 0 && b->ptr + extent(b) > blocks[above].ptr)
        fail("new block %p (+%zu) overlaps live block %p (+%zu)", (void *)b->ptr, b->usable,
             (void *)blocks[above].ptr, blocks[above].usable);
}

static void shadow_link(int r)
{
    blocks[r].left = blocks[r].right = -1; /* a re-linked record drops its old place */
    check_no_overlap(r);
    treap_root = treap_insert(treap_root, r);
    blocks[r].slot = nlive;
    live[nlive++] = r;
    live_requested += blocks[r].size;
    live_usable += blocks[r].usable;
    if (blocks[r].size >= MAPPED_FROM)
        mapped_blocks_made++;
    if (nlive > peak_live_blocks)
        peak_live_blocks = nlive;
    if (live_usable > peak_live_bytes)
        peak_live_bytes = live_usable;
}

static void shadow_unlink(int r)
{
    treap_root = treap_remove(treap_root, r);
    size_t slot = blocks[r].slot;
    live[slot] = live[--nlive];
    blocks[live[slot]].slot = slot;
    live_requested -= blocks[r].size;
    live_usable -= blocks[r].usable;
}

/* ---- contents ------------------------------------------------------------------ */

/* The pattern word at byte offset 8k of a block: the block's seed mixed with k, so
 * every block and every position differs and a copy shifted or taken from the wrong
 * block shows. */
static inline uint64_t pattern_word(uint64_t seed, size_t k)
{
    return seed ^ ((uint64_t)k * 0x9e3779b97f4a7c15ULL);
}

static inline unsigned char pattern_byte(uint64_t seed, size_t offset)
{
    uint64_t w = pattern_word(seed, offset / 8);
    unsigned char bytes[8];
    memcpy(bytes, &w, 8);
    return bytes[offset % 8];
}

/* Blocks up to DENSE_LIMIT carry the pattern in every byte.  Larger ones carry it in
 * their first and last SPARSE_EDGE bytes and in up to MAX_STRIPES stripes spread
 * between: writing every byte (and faulting in every page) of big blocks on every
 * touch would dominate the run time, while the edges, where allocator metadata lives,
 * and the stripes still catch a lost page, a wrong mapping or a misplaced copy. */
#define DENSE_LIMIT ((size_t)16 << 10)
#define SPARSE_EDGE ((size_t)4 << 10)
#define MIN_STRIDE ((size_t)8 << 10)
#define MAX_STRIPES ((size_t)32)
#define STRIPE ((size_t)128)

struct span {
    size_t begin, end;
};

/* The i-th span of the pattern of a block filled up to `filled`, clipped to `limit`
 * (limit <= filled; a span past the limit comes back empty).  False past the last. */
static bool pattern_span(size_t filled, size_t limit, size_t i, struct span *s)
{
    if (filled <= DENSE_LIMIT) {
        if (i > 0)
            return false;
        *s = (struct span){0, limit};
        return true;
    }
    size_t tail = filled - SPARSE_EDGE, middle = tail - SPARSE_EDGE;
    size_t stride = (middle / MAX_STRIPES + MIN_STRIDE - 1) / MIN_STRIDE * MIN_STRIDE;
    size_t stripes = middle / stride;
    if (i == 0) {
        *s = (struct span){0, SPARSE_EDGE};
    } else if (i <= stripes) {
        /* The stripe wanders within its stride so it meets every page offset. */
        size_t begin = SPARSE_EDGE + (i - 1) * stride + (i * 7 * STRIPE) % (stride - STRIPE);
        *s = (struct span){begin, begin + STRIPE};
    } else if (i == stripes + 1) {
        *s = (struct span){tail, filled};
    } else {
        return false;
    }
    if (s->begin >= limit)
        *s = (struct span){0, 0};
    else if (s->end > limit)
        s->end = limit;
    return true;
}

static void fill_range(unsigned char *p, uint64_t seed, size_t begin, size_t end)
{
    size_t o = begin;
    for (; o < end && o % 8; o++)
        p[o] = pattern_byte(seed, o);
    for (; o + 8 <= end; o += 8) {
        uint64_t w = pattern_word(seed, o / 8);
        memcpy(p + o, &w, 8);
    }
    for (; o < end; o++)
        p[o] = pattern_byte(seed, o);
}

/* Offset of the first byte in [begin, end) that differs from the pattern, or end. */
static size_t check_range(const unsigned char *p, uint64_t seed, size_t begin, size_t end)
{
    size_t o = begin;
    for (; o < end && o % 8; o++)
        if (p[o] != pattern_byte(seed, o))
            return o;
    for (; o + 8 <= end; o += 8) {
        uint64_t w;
        memcpy(&w, p + o, 8);
        if (w != pattern_word(seed, o / 8))
            break; /* the byte loop below finds which one */
    }
    for (; o < end; o++)
        if (p[o] != pattern_byte(seed, o))
            return o;
    return end;
}

static void fill_block(unsigned char *p, uint64_t seed, size_t filled)
{
    struct span s;
    for (size_t i = 0; pattern_span(filled, filled, i, &s); i++)
        fill_range(p, seed, s.begin, s.end);
}

/* The pattern of a block filled up to `filled` must still be there up to `limit`. */
static void verify_pattern(const unsigned char *p, uint64_t seed, size_t filled, size_t limit,
                           const char *what)
{
    struct span s;
    for (size_t i = 0; pattern_span(filled, limit, i, &s); i++) {
        size_t bad = check_range(p, seed, s.begin, s.end);
        if (bad < s.end)
            fail("%s: block %p byte %zu is 0x%02x, expected 0x%02x", what, (const void *)p, bad,
                 p[bad], pattern_byte(seed, bad));
    }
}

static void verify_block(int r, const char *what)
{
    verify_pattern(blocks[r].ptr, blocks[r].seed, blocks[r].usable, blocks[r].usable, what);
}

static void verify_zero(const unsigned char *p, size_t size)
{
    struct span s;
    for (size_t i = 0; pattern_span(size, size, i, &s); i++)
        for (size_t o = s.begin; o < s.end; o++)
            if (p[o] != 0)
                fail("calloc block %p byte %zu of %zu is 0x%02x, not zero", (const void *)p, o,
                     size, p[o]);
}

/* ---- the operations ------------------------------------------------------------ */

static size_t page_size;

/* Mostly small, some medium, a few mapped (above 128 KiB), and the boundaries where
 * block sizes, bins and the mapping threshold change. */
static size_t random_size(void)
{
    static const size_t edges[] = {
        0,    1,    7,    8,    15,   16,   17,    24,    31,    32,    33,     48,
        63,   64,   1008, 1009, 1023, 1024, 1025,  4095,  4096,  4097,  65536,  131039,
        131040, 131041, 131055, 131056, 131057, 131072, 262144, 1048576,
    };
    unsigned r = (unsigned)rng_below(10000);
    if (r < 100)
        return edges[rng_below(sizeof edges / sizeof edges[0])];
    if (r < 4500)
        return rng_range(0, 64);
    if (r < 7500)
        return rng_range(65, 512);
    if (r < 9600)
        return rng_range(513, 8192);
    if (r < 9960)
        return rng_range(8193, MAPPED_FROM - 1);
    if (r < 9993)
        return rng_range(MAPPED_FROM, (size_t)1 << 20);
    return rng_range((size_t)1 << 20, (size_t)6 << 20);
}

static size_t random_alignment(void)
{
    return (size_t)1 << rng_range(4, 16); /* 16 .. 64 KiB */
}

/* The alignment C requires of malloc(size): that of the largest fundamental type that
 * fits in size bytes (a guarded slot gives no more, so small blocks end at its guard). */
static size_t malloc_alignment(size_t size)
{
    return size >= 16 ? 16 : size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

static void check_new_block(int r, const char *call)
{
    struct shadow *b = &blocks[r];
    if ((uintptr_t)b->ptr % b->align)
        fail("%s(size %zu, alignment %zu) returned %p: misaligned", call, b->size, b->align,
             (void *)b->ptr);
    b->usable = malloc_usable_size(b->ptr);
    if (b->usable < b->size)
        fail("%s(%zu) returned %p with malloc_usable_size %zu", call, b->size, (void *)b->ptr,
             b->usable);
}

static bool room_for(size_t size)
{
    return live_usable + size <= LIVE_BYTES_CAP;
}

static void op_allocate(void)
{
    size_t size = random_size();
    if (!room_for(size))
        size = rng_range(0, 4096);
    size_t align = 0; /* set by the aligned calls; malloc's own, below, for the others */
    bool zeroed = false;
    void *p = NULL;
    switch (rng_below(100) / 10) {
    case 0: case 1: case 2:
        current_call = "malloc";
        calls[CALL_MALLOC]++;
        p = malloc(size);
        break;
    case 3: {
        /* count * elem == size, with elem one of the usual element sizes */
        static const size_t elems[] = {1, 2, 4, 8, 12, 16, 24, 40, 64};
        size_t elem = elems[rng_below(sizeof elems / sizeof elems[0])];
        size_t count = size / elem;
        size = count * elem;
        current_call = "calloc";
        calls[CALL_CALLOC]++;
        p = rng_percent(50) ? calloc(count, elem) : calloc(elem, count);
        zeroed = true;
        break;
    }
    case 4:
        if (rng_percent(50)) {
            current_call = "realloc(NULL)";
            calls[CALL_REALLOC_NULL]++;
            p = realloc(NULL, size);
        } else {
            size_t elem = rng_percent(50) ? 1 : 8;
            size = size / elem * elem;
            current_call = "reallocarray(NULL)";
            calls[CALL_REALLOCARRAY_NULL]++;
            p = reallocarray(NULL, size / elem, elem);
        }
        break;
    case 5: {
        align = rng_percent(10) ? sizeof(void *) : random_alignment();
        current_call = "posix_memalign";
        calls[CALL_POSIX_MEMALIGN]++;
        void *out = NULL;
        int err = posix_memalign(&out, align, size);
        if (err)
            fail("posix_memalign(%zu, %zu) failed: %s", align, size, strerror(err));
        p = out;
        break;
    }
    case 6:
        align = random_alignment();
        current_call = "aligned_alloc";
        calls[CALL_ALIGNED_ALLOC]++;
        p = aligned_alloc(align, size);
        break;
    case 7:
        align = random_alignment();
        current_call = "memalign";
        calls[CALL_MEMALIGN]++;
        p = memalign(align, size);
        break;
    case 8:
        align = page_size;
        current_call = "valloc";
        calls[CALL_VALLOC]++;
        p = valloc(size);
        break;
    default:
        align = page_size;
        current_call = "pvalloc";
        calls[CALL_PVALLOC]++;
        p = pvalloc(size);
        /* pvalloc serves whole pages, one at least */
        size = size ? (size + page_size - 1) / page_size * page_size : page_size;
        break;
    }
    if (!p)
        fail("%s(%zu) returned NULL (errno %d) with only %zu bytes live", current_call, size, errno,
             live_usable);
    if (!align)
        align = malloc_alignment(size); /* calloc's: of its total */
    /* Through a volatile, so that the compiler cannot take the alignment of the result for
     * granted (aligned_alloc and memalign are declared alloc_align) and drop our check. */
    void *volatile unseen = p;
    p = unseen;
    int r = record_new();
    struct shadow *b = &blocks[r];
    b->ptr = p;
    b->size = size;
    b->align = align;
    check_new_block(r, current_call);
    if (zeroed)
        verify_zero(b->ptr, size);
    shadow_link(r); /* checks for overlap before the fill can damage a neighbour */
    b->seed = rng_next();
    fill_block(b->ptr, b->seed, b->usable);
}

static int pick_live(void) { return live[rng_below(nlive)]; }

static void release_record(int r)
{
    shadow_unlink(r);
    free_records[nfree_records++] = r;
}

static void op_free(void)
{
    int r = pick_live();
    verify_block(r, "before free");
    void *p = blocks[r].ptr;
    release_record(r);
    if (rng_percent(90)) {
        current_call = "free";
        calls[CALL_FREE]++;
        free(p);
    } else {
        current_call = "realloc(p, 0)";
        calls[CALL_REALLOC_ZERO]++;
        void *q = realloc(p, 0);
        if (q)
            fail("realloc(p, 0) returned %p; it must free the block and return NULL", q);
    }
}

static void op_realloc(void)
{
    int r = pick_live();
    struct shadow *b = &blocks[r];
    verify_block(r, "before realloc");
    size_t old_size = b->size, old_usable = b->usable, new_size;
    switch (rng_below(5)) {
    case 0: /* shrink */
        new_size = old_size ? rng_below(old_size) + 1 : 1;
        break;
    case 1: /* grow a little: often possible in place */
        new_size = old_size + rng_range(1, 256);
        break;
    case 2: /* same size */
        new_size = old_size ? old_size : 1;
        break;
    default:
        new_size = random_size();
        if (new_size == 0)
            new_size = 1; /* realloc(p, 0) frees: op_free covers it */
        break;
    }
    if (new_size > old_usable && !room_for(new_size - old_usable))
        new_size = old_size ? old_size : 1;
    void *q;
    if (rng_percent(20)) {
        size_t elem = new_size % 8 == 0 ? 8 : 1;
        current_call = "reallocarray";
        calls[CALL_REALLOCARRAY]++;
        q = reallocarray(b->ptr, new_size / elem, elem);
    } else {
        current_call = "realloc";
        calls[CALL_REALLOC]++;
        q = realloc(b->ptr, new_size);
    }
    if (!q)
        fail("%s(%p, %zu) returned NULL (errno %d)", current_call, (void *)b->ptr, new_size, errno);
    /* The block may have moved: take it out of the address order, then check it anew. */
    shadow_unlink(r);
    b->ptr = q;
    b->size = new_size;
    b->align = malloc_alignment(new_size); /* realloc keeps only malloc's own alignment */
    check_new_block(r, current_call);
    shadow_link(r);
    size_t kept = old_size < new_size ? old_size : new_size;
    verify_pattern(b->ptr, b->seed, old_usable, kept, "contents after realloc");
    b->seed = rng_next();
    fill_block(b->ptr, b->seed, b->usable);
}

static void op_inspect(void)
{
    if (rng_percent(5)) {
        current_call = "free(NULL)";
        calls[CALL_FREE_NULL]++;
        free(NULL);
        return;
    }
    int r = pick_live();
    current_call = "malloc_usable_size";
    calls[CALL_USABLE_SIZE]++;
    size_t usable = malloc_usable_size(blocks[r].ptr);
    if (usable < blocks[r].size)
        fail("malloc_usable_size(%p) is %zu, below the %zu requested", (void *)blocks[r].ptr,
             usable, blocks[r].size);
    if (usable != blocks[r].usable)
        fail("malloc_usable_size(%p) changed from %zu to %zu with no call on the block",
             (void *)blocks[r].ptr, blocks[r].usable, usable);
    verify_block(r, "inspection");
}

/* The allocator's own view must agree with ours: no problem found, and exactly our
 * blocks (plus those the C library held before we started) live. */
static void check_heap_agrees(size_t baseline_blocks, size_t baseline_bytes)
{
    current_call = "hc_check_heap";
    size_t problems = hc_check_heap();
    if (problems)
        fail("hc_check_heap() found %zu problems", problems);
    struct hc_stats st;
    hc_stats(&st);
    if (st.errors)
        fail("hc_stats counts %zu errors reported", st.errors);
    if (nthreads)
        return; /* the other threads' blocks come and go meanwhile */
    if (st.live_blocks != baseline_blocks + nlive)
        fail("hc_stats says %zu blocks live, the shadow has %zu (+%zu from before the run)",
             st.live_blocks, nlive, baseline_blocks);
    /* live_bytes counts what was asked for; a count of usable bytes is tolerated. */
    size_t ours = st.live_bytes - baseline_bytes;
    if (ours < live_requested || ours > live_usable)
        fail("hc_stats says %zu bytes live, the shadow has %zu requested, %zu usable", ours,
             live_requested, live_usable);
    if (st.errors)
        fail("hc_stats counts %zu errors reported", st.errors);
}

static void run_seed(uint64_t seed, unsigned long ops)
{
    current_seed = seed;
    current_op = 0;
    current_run_ops = ops;
    rng_seed(seed);
    printf("stress_shadow: seed %" PRIu64 "\n", seed);
    fflush(stdout);

    nlive = 0;
    live_requested = live_usable = 0;
    memset(calls, 0, sizeof calls);
    mapped_blocks_made = peak_live_blocks = peak_live_bytes = 0;
    treap_root = -1;
    nfree_records = 0;
    for (int i = MAX_LIVE - 1; i >= 0; i--)
        free_records[nfree_records++] = i;

    struct hc_stats st;
    hc_stats(&st);
    size_t baseline = st.live_blocks, baseline_bytes = st.live_bytes;

    size_t target = MAX_LIVE / 2;
    for (current_op = 0; current_op < ops; current_op++) {
        if (current_op % PHASE_LENGTH == 0) {
            /* Alternate full and drained heaps: growth, reuse, trimming, unmapping. */
            unsigned kind = (unsigned)rng_below(4);
            target = kind == 0 ? 0 : kind == 1 ? MAX_LIVE - 1 : rng_below(MAX_LIVE);
        }
        unsigned pct = (unsigned)rng_below(100);
        if (nlive == 0 || (nlive < MAX_LIVE && pct < (nlive < target ? 55u : 25u)))
            op_allocate();
        else if (nlive == MAX_LIVE || pct < 75)
            op_free();
        else if (pct < 93)
            op_realloc();
        else
            op_inspect();
        if ((current_op + 1) % HEAP_CHECK_EVERY == 0)
            check_heap_agrees(baseline, baseline_bytes);
    }
    current_call = "final free";
    while (nlive > 0) {
        int r = live[nlive - 1];
        verify_block(r, "before the final free");
        void *p = blocks[r].ptr;
        release_record(r);
        free(p);
    }
    check_heap_agrees(baseline, baseline_bytes);

    /* The evidence that every entry point and the mapped path were exercised. */
    printf("stress_shadow:   %lu ops, peak %zu blocks / %zu KiB live, %lu blocks >= %zu KiB;",
           ops, peak_live_blocks, peak_live_bytes >> 10, mapped_blocks_made, MAPPED_FROM >> 10);
    for (int c = 0; c < NCALLS; c++)
        printf(" %s %lu", call_names[c], calls[c]);
    printf("\n");
}

struct thread_run {
    pthread_t id;
    uint64_t seed;
    unsigned long ops;
};

static void *thread_main(void *arg)
{
    struct thread_run *t = arg;
    run_seed(t->seed, t->ops);
    return NULL;
}

/* -t N: N threads, seeds base, base + 1, ...; then every block must be gone. */
static void *idle(void *arg) { return arg; }

static void start_and_join(unsigned n, struct thread_run *t, void *(*fn)(void *))
{
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&t[i].id, NULL, fn, &t[i]) != 0) {
            fprintf(stderr, "stress_shadow: cannot create a thread\n");
            exit(99);
        }
    }
    for (unsigned i = 0; i < n; i++)
        pthread_join(t[i].id, NULL);
}

static void run_threads(unsigned n, uint64_t base, unsigned long ops)
{
    struct thread_run t[64];
    /* glibc keeps exited threads' stacks with a block each (their TLS vectors), and
     * stdout's buffer is made at the first line: both before the baseline. */
    start_and_join(n, t, idle);
    printf("stress_shadow: %u threads\n", n);
    struct hc_stats before;
    hc_stats(&before);
    nthreads = n;
    for (unsigned i = 0; i < n; i++) {
        t[i].seed = base + i;
        t[i].ops = ops;
    }
    start_and_join(n, t, thread_main);
    current_seed = base; /* the failures below are the whole run's */
    current_call = "after the threads";
    size_t problems = hc_check_heap();
    if (problems)
        fail("hc_check_heap() found %zu problems", problems);
    struct hc_stats after;
    hc_stats(&after);
    if (after.live_blocks != before.live_blocks || after.live_bytes != before.live_bytes)
        fail("after %u threads freed everything hc_stats says %zu blocks / %zu bytes live, "
             "%zu / %zu before", n, after.live_blocks, after.live_bytes, before.live_blocks,
             before.live_bytes);
    if (after.errors)
        fail("hc_stats counts %zu errors reported", after.errors);
    printf("stress_shadow: %u threads, %lu ops each: blocks never overlapped, heap checked "
           "concurrently, every block accounted for\n", n, ops);
}

static uint64_t fresh_seed(void)
{
    uint64_t s;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    return s;
}

int main(int argc, char **argv)
{
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Is malloc really heapcheck's?  If not, every check below would be vacuous. */
    struct hc_stats before, after;
    hc_stats(&before);
    void *volatile probe = malloc(40); /* volatile: the pair must not be optimized away */
    hc_stats(&after);
    free(probe);
    if (after.live_blocks != before.live_blocks + 1) {
        fprintf(stderr, "stress_shadow: malloc is not heapcheck's; is the test linked with it?\n");
        return 99;
    }

    unsigned long ops = DEFAULT_OPS;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        char *end1, *end2 = "";
        errno = 0;
        unsigned long n = strtoul(argv[2], &end1, 10);
        if (argc > 3)
            ops = strtoul(argv[3], &end2, 10);
        if (errno || *end1 || *end2 || n == 0 || n > 64 || ops == 0 || argc > 4) {
            fprintf(stderr, "usage: stress_shadow -t THREADS [OPS]\n");
            return 99;
        }
        run_threads((unsigned)n, fresh_seed(), ops);
        printf("stress_shadow: 1 passed, 0 failed\n");
        return 0;
    }
    if (argc > 1) {
        /* Replay: one seed, optionally stopping after a number of operations. */
        char *end1, *end2 = "";
        errno = 0;
        uint64_t seed = strtoull(argv[1], &end1, 10);
        if (argc > 2)
            ops = strtoul(argv[2], &end2, 10);
        if (errno || *end1 || *end2 || ops == 0 || argc > 3) {
            fprintf(stderr, "usage: stress_shadow [SEED [OPS]]\n");
            return 99;
        }
        run_seed(seed, ops);
        cases_passed++;
    } else {
        static const uint64_t fixed[FIXED_SEEDS] = {1, 20240611, 0xdeadbeefcafeULL};
        for (int i = 0; i < FIXED_SEEDS; i++) {
            run_seed(fixed[i], ops);
            cases_passed++;
        }
        run_seed(fresh_seed(), ops);
        cases_passed++;
    }
    printf("stress_shadow: %d passed, 0 failed\n", cases_passed);
    return 0;
}
