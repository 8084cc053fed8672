/* The best-fit free index (see freeidx.h).
 *
 * Free blocks sit in bins.  Below 4 KiB there is one bin per exact size (16-byte
 * steps), and a bin is a plain doubly linked list: every block in it fits a request of
 * its size equally well, so insert, take and remove are O(1) and the choice among
 * equals is the most recently freed (LIFO).  From 4 KiB up, four bins per power of two
 * each hold a range of sizes and are treaps keyed by (size, address), priorities a
 * hash of the address, so best fit within the bin is a lower bound in O(log n).  A
 * two-level bitmap finds the first non-empty bin at or above any bin in O(1).
 *
 * The two links live in the free block's payload (32-byte blocks have room for exactly
 * two).  Links are program-writable memory: a write after free can overwrite them and
 * a stray write can forge a free head.  So every link is checked before it is followed
 * (it must point at a 16-aligned payload inside a heap region), a list node is held
 * only if its neighbours point back at it, and walks are bounded by the bins' counts. */
#include "internal.h"
#include "freeidx.h"
#include "region.h"
#include "arena.h"

#define LIST_LIMIT FREEIDX_LIST_LIMIT
#define LIST_BINS (LIST_LIMIT / 16)
#define NBINS FREEIDX_BINS
#define MAP_WORDS FREEIDX_MAP_WORDS
#define FI (arena_cur->fi)
#define MAX_DEPTH 4096

typedef struct freeidx_node {
    struct freeidx_node *link[2]; /* list bins: [0] next, [1] prev; treap bins: children */
} node_t;

_Static_assert(MAP_WORDS <= 64, "one FI.summary word");

static inline block_t *node_block(node_t *n) { return blk_of_payload(n); }
static inline node_t *block_node(block_t *b) { return blk_payload(b); }
static inline size_t node_size(node_t *n) { return blk_size(node_block(n)); }
static inline bool is_list_bin(unsigned bin) { return bin < LIST_BINS; }

/* Could n be a free block's payload?  Only then may its words be read. */
static inline bool plausible(const node_t *n)
{
    if (((uintptr_t)n & (BLK_GRAIN - 1)) != 0)
        return false;
    const region_t *r = region_find(n);
    return r && (const unsigned char *)n >= r->base + 2 * sizeof(size_t) &&
           (const unsigned char *)n + BLK_MIN - sizeof(size_t) <= r->end;
}

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

/* Strict (size, address) order. */
static inline bool less(node_t *a, node_t *b)
{
    size_t sa = node_size(a), sb = node_size(b);
    return sa < sb || (sa == sb && a < b);
}

static inline unsigned bin_of(size_t size)
{
    if (size < LIST_LIMIT)
        return (unsigned)(size >> 4);
    unsigned lg = 63u - (unsigned)__builtin_clzll(size);
    unsigned sub = (unsigned)(size >> (lg - 2)) & 3u;
    return LIST_BINS + (lg - 12u) * 4u + sub;
}

static inline void mark(unsigned bin)
{
    FI.binmap[bin / 64] |= (uint64_t)1 << (bin % 64);
    FI.summary |= (uint64_t)1 << (bin / 64);
}

static inline void unmark_if_empty(unsigned bin)
{
    if (FI.bins[bin])
        return;
    FI.binmap[bin / 64] &= ~((uint64_t)1 << (bin % 64));
    if (!FI.binmap[bin / 64])
        FI.summary &= ~((uint64_t)1 << (bin / 64));
}

/* Index of the first non-empty bin >= from, or NBINS: two word scans. */
static inline unsigned next_bin(unsigned from)
{
    if (from >= NBINS)
        return NBINS;
    unsigned w = from / 64;
    uint64_t bits = FI.binmap[w] & (~(uint64_t)0 << (from % 64));
    if (bits)
        return w * 64 + (unsigned)__builtin_ctzll(bits);
    uint64_t words = w + 1 < 64 ? FI.summary & (~(uint64_t)0 << (w + 1)) : 0;
    if (!words)
        return NBINS;
    w = (unsigned)__builtin_ctzll(words);
    return w * 64 + (unsigned)__builtin_ctzll(FI.binmap[w]);
}

/* ---- list bins ---- */

static inline void list_push(unsigned bin, node_t *n)
{
    node_t *first = FI.bins[bin];
    n->link[0] = first;
    n->link[1] = NULL;
    if (first)
        first->link[1] = n;
    FI.bins[bin] = n;
}

static inline void list_unlink(unsigned bin, node_t *n)
{
    node_t *next = n->link[0], *prev = n->link[1];
    if (prev)
        prev->link[0] = next;
    else
        FI.bins[bin] = next;
    if (next)
        next->link[1] = prev;
}

/* n is in the bin's list exactly when its neighbours (or the bin's head) point back at
 * it; links are checked before they are followed. */
static bool list_holds(unsigned bin, node_t *n)
{
    node_t *next = n->link[0], *prev = n->link[1];
    size_t head = blk_head(node_block(n)); /* a list's blocks are free and of one size */
    if (prev == n || next == n)
        return false;
    if (prev) {
        if (!plausible(prev) || prev->link[0] != n || blk_head(node_block(prev)) != head)
            return false;
    } else if (FI.bins[bin] != n) {
        return false;
    }
    return !next ||
           (plausible(next) && next->link[1] == n && blk_head(node_block(next)) == head);
}

/* ---- treap bins ---- */

/* Replace *link (which holds n) by the merge of n's two subtrees. */
static void unlink_at(node_t **link, node_t *n)
{
    node_t *a = n->link[0], *b = n->link[1];
    while (a && b) {
        if (prio(a) > prio(b)) {
            *link = a;
            link = &a->link[1];
            a = a->link[1];
        } else {
            *link = b;
            link = &b->link[0];
            b = b->link[0];
        }
    }
    *link = a ? a : b;
}

static void treap_insert(unsigned bin, node_t *n)
{
    uint64_t p = prio(n);
    node_t **link = &FI.bins[bin];
    while (*link && prio(*link) > p)
        link = &(*link)->link[less(*link, n)];
    /* Split the subtree at *link around n's key; its halves become n's children. */
    node_t *t = *link;
    node_t **l = &n->link[0], **r = &n->link[1];
    while (t) {
        if (less(t, n)) {
            *l = t;
            l = &t->link[1];
            t = t->link[1];
        } else {
            *r = t;
            r = &t->link[0];
            t = t->link[0];
        }
    }
    *l = *r = NULL;
    *link = n;
}

/* The link that holds n in its treap, or NULL (absent, or links overwritten). */
static node_t **treap_find(unsigned bin, node_t *n)
{
    node_t **link = &FI.bins[bin];
    for (unsigned depth = 0; *link != n; depth++) {
        if (!*link || depth > MAX_DEPTH || !plausible(*link))
            return NULL;
        link = &(*link)->link[less(*link, n)];
    }
    return link;
}

/* ---- the interface ---- */

void freeidx_insert(block_t *b)
{
    node_t *n = block_node(b);
    unsigned bin = bin_of(blk_size(b));
    if (is_list_bin(bin))
        list_push(bin, n);
    else
        treap_insert(bin, n);
    FI.bin_count[bin]++;
    mark(bin);
}

bool freeidx_remove(block_t *b)
{
    node_t *n = block_node(b);
    unsigned bin = bin_of(blk_size(b));
    if (is_list_bin(bin)) {
        if (!list_holds(bin, n))
            return false;
        list_unlink(bin, n);
    } else {
        node_t **link = treap_find(bin, n);
        if (!link)
            return false;
        unlink_at(link, n);
    }
    FI.bin_count[bin]--;
    unmark_if_empty(bin);
    return true;
}

block_t *freeidx_take(size_t size)
{
    unsigned bin = bin_of(HC_ALIGN_UP(size, BLK_GRAIN)); /* a list bin's blocks all fit */
    node_t **best = NULL;
    if (!is_list_bin(bin)) {
        /* Lower bound of (size, 0) within the request's own range bin. */
        for (node_t **link = &FI.bins[bin]; *link;) {
            if (node_size(*link) >= size) {
                best = link;
                link = &(*link)->link[0];
            } else {
                link = &(*link)->link[1];
            }
        }
        if (!best)
            bin++;
    }
    if (!best) {
        /* Every block of any later bin fits: the smallest is its head (a list) or its
         * leftmost node (a treap). */
        bin = next_bin(bin);
        if (bin == NBINS)
            return NULL;
        if (is_list_bin(bin)) {
            node_t *n = FI.bins[bin];
            list_unlink(bin, n);
            FI.bin_count[bin]--;
            unmark_if_empty(bin);
            return node_block(n);
        }
        best = &FI.bins[bin];
        while ((*best)->link[0])
            best = &(*best)->link[0];
    }
    node_t *n = *best;
    unlink_at(best, n);
    FI.bin_count[bin]--;
    unmark_if_empty(bin);
    return node_block(n);
}

bool freeidx_contains(block_t *b)
{
    node_t *n = block_node(b);
    unsigned bin = bin_of(blk_size(b));
    return is_list_bin(bin) ? list_holds(bin, n) : treap_find(bin, n) != NULL;
}

struct walk {
    void (*fn)(block_t *, void *);
    void *arg;
    size_t count, bad, seen;
    node_t *prev;
    unsigned bin;
};

static void visit(struct walk *w, node_t *n)
{
    w->count++;
    w->seen++;
    if (blk_inuse(node_block(n)) || bin_of(node_size(n)) != w->bin)
        w->bad++;
    if (w->fn)
        w->fn(node_block(n), w->arg);
}

static void walk_list(struct walk *w)
{
    node_t *prev = NULL;
    for (node_t *n = FI.bins[w->bin]; n; prev = n, n = n->link[0]) {
        /* A cycle runs past the bin's count; a stray link points outside the heap. */
        if (w->seen >= FI.bin_count[w->bin] || !plausible(n) || n->link[1] != prev) {
            w->bad++;
            return;
        }
        visit(w, n);
    }
}

static void walk_tree(struct walk *w, node_t *n, uint64_t parent_prio, unsigned depth)
{
    if (!n || w->bad > 64)
        return;
    if (depth > MAX_DEPTH || !plausible(n) || prio(n) >= parent_prio) {
        w->bad++; /* a cycle, a stray link or a broken heap order */
        return;
    }
    walk_tree(w, n->link[0], prio(n), depth + 1);
    if (w->prev && !less(w->prev, n))
        w->bad++;
    w->prev = n;
    visit(w, n);
    walk_tree(w, n->link[1], prio(n), depth + 1);
}

size_t freeidx_walk(void (*fn)(block_t *b, void *arg), void *arg, size_t *bad)
{
    struct walk w = {fn, arg, 0, 0, 0, NULL, 0};
    for (unsigned bin = 0; bin < NBINS; bin++) {
        bool marked = (FI.binmap[bin / 64] >> (bin % 64)) & 1;
        bool word_marked = (FI.summary >> (bin / 64)) & 1;
        if (marked != (FI.bins[bin] != NULL) || (marked && !word_marked))
            w.bad++;
        w.prev = NULL;
        w.bin = bin;
        w.seen = 0;
        if (is_list_bin(bin))
            walk_list(&w);
        else
            walk_tree(&w, FI.bins[bin], UINT64_MAX, 0);
        if (w.seen != FI.bin_count[bin])
            w.bad++;
    }
    if (bad)
        *bad += w.bad;
    return w.count;
}

void freeidx_reset(void)
{
    for (unsigned i = 0; i < NBINS; i++) {
        FI.bins[i] = NULL;
        FI.bin_count[i] = 0;
    }
    for (unsigned i = 0; i < MAP_WORDS; i++)
        FI.binmap[i] = 0;
    FI.summary = 0;
}
