/* The best-fit free index (see freeidx.h).
 *
 * Free blocks sit in bins: one bin per exact size below 1 KiB (16-byte steps), then
 * four bins per power of two.  A bitmap finds the next non-empty bin in O(1).  Each
 * bin is a treap keyed by (size, address) whose priorities are a hash of the address,
 * so it stays balanced without storing anything but two child links in the free
 * block's payload (32-byte blocks included).  Best fit is the lower bound of
 * (request, 0) in the request's bin, or else the leftmost block of the next bin.
 * Every operation is iterative: no recursion into deep trees on the malloc path. */
#include "internal.h"
#include "freeidx.h"

#define NBINS 320
#define SMALL_LIMIT 1024
#define MAP_WORDS ((NBINS + 63) / 64)

typedef struct node {
    struct node *child[2]; /* [0] smaller key, [1] larger key */
} node_t;

static node_t *bins[NBINS];
static uint64_t binmap[MAP_WORDS];

static inline block_t *node_block(node_t *n) { return blk_of_payload(n); }
static inline node_t *block_node(block_t *b) { return blk_payload(b); }
static inline size_t node_size(node_t *n) { return blk_size(node_block(n)); }

/* Multiplying by an odd constant is a bijection: distinct blocks never tie, so a
 * valid treap has strictly decreasing priorities downwards and a cycle shows. */
static inline uint64_t prio(const node_t *n)
{
    uint64_t x = (uint64_t)(uintptr_t)n;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Strict (size, address) order.  In an exact-size bin every size is equal, so the
 * address alone decides and the nodes' size words need not be loaded. */
static inline bool less_in(unsigned bin, node_t *a, node_t *b)
{
    if (bin < SMALL_LIMIT / 16)
        return a < b;
    size_t sa = node_size(a), sb = node_size(b);
    return sa < sb || (sa == sb && a < b);
}

static inline bool less(node_t *a, node_t *b)
{
    size_t sa = node_size(a), sb = node_size(b);
    return sa < sb || (sa == sb && a < b);
}

static inline unsigned bin_of(size_t size)
{
    if (size < SMALL_LIMIT)
        return (unsigned)(size >> 4);
    unsigned lg = 63u - (unsigned)__builtin_clzll(size);
    unsigned sub = (unsigned)(size >> (lg - 2)) & 3u;
    return 64u + (lg - 10u) * 4u + sub;
}

static inline void mark(unsigned bin) { binmap[bin / 64] |= (uint64_t)1 << (bin % 64); }
static inline void unmark_if_empty(unsigned bin)
{
    if (!bins[bin])
        binmap[bin / 64] &= ~((uint64_t)1 << (bin % 64));
}

/* Index of the first non-empty bin >= from, or NBINS. */
static unsigned next_bin(unsigned from)
{
    unsigned w = from / 64;
    if (w >= MAP_WORDS)
        return NBINS;
    uint64_t bits = binmap[w] & (~(uint64_t)0 << (from % 64));
    for (;;) {
        if (bits)
            return w * 64 + (unsigned)__builtin_ctzll(bits);
        if (++w == MAP_WORDS)
            return NBINS;
        bits = binmap[w];
    }
}

/* Replace *link (which holds n) by the merge of n's two subtrees. */
static void unlink_at(node_t **link, node_t *n)
{
    node_t *a = n->child[0], *b = n->child[1];
    while (a && b) {
        if (prio(a) > prio(b)) {
            *link = a;
            link = &a->child[1];
            a = a->child[1];
        } else {
            *link = b;
            link = &b->child[0];
            b = b->child[0];
        }
    }
    *link = a ? a : b;
}

void freeidx_insert(block_t *b)
{
    node_t *n = block_node(b);
    unsigned bin = bin_of(blk_size(b));
    uint64_t p = prio(n);
    node_t **link = &bins[bin];
    while (*link && prio(*link) > p)
        link = &(*link)->child[less_in(bin, *link, n)];
    /* Split the subtree at *link around n's key; its halves become n's children. */
    node_t *t = *link;
    node_t **l = &n->child[0], **r = &n->child[1];
    while (t) {
        if (less_in(bin, t, n)) {
            *l = t;
            l = &t->child[1];
            t = t->child[1];
        } else {
            *r = t;
            r = &t->child[0];
            t = t->child[0];
        }
    }
    *l = *r = NULL;
    *link = n;
    mark(bin);
}

bool freeidx_remove(block_t *b)
{
    node_t *n = block_node(b);
    unsigned bin = bin_of(blk_size(b));
    node_t **link = &bins[bin];
    for (unsigned depth = 0; *link != n; depth++) {
        if (!*link || depth > 4096) /* absent, or links overwritten into a cycle */
            return false;
        link = &(*link)->child[less_in(bin, *link, n)];
    }
    unlink_at(link, n);
    unmark_if_empty(bin);
    return true;
}

block_t *freeidx_take(size_t size)
{
    unsigned bin = bin_of(size);
    if (!bins[bin] || size >= SMALL_LIMIT) {
        /* Lower bound of (size, 0) within the request's own bin. */
        node_t **best = NULL;
        for (node_t **link = &bins[bin]; *link;) {
            if (node_size(*link) >= size) {
                best = link;
                link = &(*link)->child[0];
            } else {
                link = &(*link)->child[1];
            }
        }
        if (!best) {
            bin = next_bin(bin + 1);
            if (bin == NBINS)
                return NULL;
            best = &bins[bin];
            while ((*best)->child[0])
                best = &(*best)->child[0];
        }
        node_t *n = *best;
        unlink_at(best, n);
        unmark_if_empty(bin);
        return node_block(n);
    }
    /* Exact-size bin: every block fits; the leftmost has the lowest address. */
    node_t **link = &bins[bin];
    while ((*link)->child[0])
        link = &(*link)->child[0];
    node_t *n = *link;
    unlink_at(link, n);
    unmark_if_empty(bin);
    return node_block(n);
}

bool freeidx_contains(block_t *b)
{
    node_t *n = block_node(b);
    node_t *t = bins[bin_of(blk_size(b))];
    for (unsigned depth = 0; t && depth < 4096; depth++) {
        if (t == n)
            return true;
        t = t->child[less(t, n)];
    }
    return false;
}

struct walk {
    void (*fn)(block_t *, void *);
    void *arg;
    size_t count, bad;
    node_t *prev;
    unsigned bin;
};

static void walk_tree(struct walk *w, node_t *n, uint64_t parent_prio, unsigned depth)
{
    if (!n || w->bad > 64)
        return;
    if (depth > 4096 || prio(n) >= parent_prio) {
        w->bad++; /* a cycle or a broken heap order: the links were overwritten */
        return;
    }
    walk_tree(w, n->child[0], prio(n), depth + 1);
    w->count++;
    if (bin_of(node_size(n)) != w->bin || (w->prev && !less(w->prev, n)))
        w->bad++;
    w->prev = n;
    if (w->fn)
        w->fn(node_block(n), w->arg);
    walk_tree(w, n->child[1], prio(n), depth + 1);
}

size_t freeidx_walk(void (*fn)(block_t *b, void *arg), void *arg, size_t *bad)
{
    struct walk w = {fn, arg, 0, 0, NULL, 0};
    for (unsigned bin = 0; bin < NBINS; bin++) {
        bool marked = (binmap[bin / 64] >> (bin % 64)) & 1;
        if (marked != (bins[bin] != NULL))
            w.bad++;
        w.prev = NULL;
        w.bin = bin;
        walk_tree(&w, bins[bin], UINT64_MAX, 0);
    }
    if (bad)
        *bad += w.bad;
    return w.count;
}

void freeidx_reset(void)
{
    for (unsigned i = 0; i < NBINS; i++)
        bins[i] = NULL;
    for (unsigned i = 0; i < MAP_WORDS; i++)
        binmap[i] = 0;
}
