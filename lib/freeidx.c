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
 * two).  Links are program-writable memory: a write after free can overwrite them, an
 * overrun from the block before can rewrite a free block's size, and a stray write can
 * forge a free head.  So nothing read from a free block is used before it is verified:
 * a link must point at a 16-aligned payload inside a heap region before the block there
 * is read at all, and that block's tag (block.h: a keyed hash of its address, size and
 * forward links, in its head's top bits) must verify before its size or links are
 * used; a block taken or removed also has its foot checked against its size and must
 * end inside its region.  Every write of a tagged link rewrites the tag of the block
 * that holds it, and that block was verified first, so a tag is never recomputed over
 * damage.  A list node's back link is checked where it is used (list bins, below).
 * A list node is held only if its predecessor links to it; walks are bounded.
 * A damaged block is cut out with whatever hangs below it (a list's tail, a treap's
 * subtree): those blocks are never handed out or merged again, and the first damage an
 * operation meets is recorded for the caller to report (freeidx_take_damage). */
#include "internal.h"
#include "freeidx.h"
#include "region.h"
#include "arena.h"
#include "secret.h"

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

/* ---- tags: the only place the key is used (one function, so its mixing can change) ---- */

/* Over the block's address, size and forward links: both children of a treap node,
 * the next link of a list node (list bins, below, say why not the back link). */
static inline size_t tag_of(const node_t *n, size_t size)
{
    /* SipHash-1-3 under the free-block key (secret.h): the tag of one block tells
     * nothing of another's, and the links cannot be changed in a way that keeps it. */
    struct sip s = secret_sip_start(&secret_keys[SECRET_FREE_BLOCK]);
    secret_sip_word(&s, (uint64_t)(uintptr_t)n);
    secret_sip_word(&s, size);
    secret_sip_word(&s, (uint64_t)(uintptr_t)n->link[0]);
    unsigned words = 3;
    if (size >= LIST_LIMIT) {
        secret_sip_word(&s, (uint64_t)(uintptr_t)n->link[1]);
        words = 4;
    }
    return (size_t)secret_sip_finish(&s, words) & ~(((size_t)1 << BLK_TAG_SHIFT) - 1);
}

/* Rewrite n's tag after its links (or size) changed; n was verified before. */
static inline void seal(node_t *n)
{
    size_t size = node_size(n);
    *(size_t *)node_block(n) = size | tag_of(n, size);
}

/* n's head says free and its tag vouches for its size and links.  n must be plausible. */
static inline bool tag_ok(const node_t *n)
{
    size_t head = blk_head(node_block((node_t *)n));
    return (head & BLK_FLAGS) == 0 && (head & ~BLK_SIZE_MASK & ~BLK_FLAGS) == tag_of(n, head & BLK_SIZE_MASK);
}

/* A link (or bin head) that may be followed and whose block's words may be used. */
static inline bool node_ok(const node_t *n) { return plausible(n) && tag_ok(n); }

/* Record the first damage an operation meets: which word it was, if that can be told
 * without leaving the region (a size that disagrees with the foot was overwritten;
 * else the links were). */
static HC_COLD void damaged(const node_t *n)
{
    block_t *b = node_block((node_t *)n);
    if (FI.damage.kind != FREEIDX_DAMAGE_NONE)
        return;
    for (unsigned i = 0; i < sizeof FI.damage_seen / sizeof FI.damage_seen[0]; i++)
        if (FI.damage_seen[i] == b)
            return; /* reported already */
    const region_t *r = region_find(n);
    size_t size = r ? blk_size(b) : 0;
    bool size_ok = r && size >= BLK_MIN && size <= (size_t)(r->end - sizeof(size_t) - b) &&
                   *(const size_t *)(b + size - sizeof(size_t)) == size && !(blk_head(b) & BLK_FLAGS);
    FI.damage.kind = size_ok ? FREEIDX_DAMAGE_LINKS : FREEIDX_DAMAGE_SIZE;
    FI.damage.block = b;
    FI.damage_seen[FI.damage_next++ % (sizeof FI.damage_seen / sizeof FI.damage_seen[0])] = b;
}

/* Verified as a block about to be trusted whole: its tag, then its foot and its end
 * inside its region (an enlarged size is caught by the tag; the foot and the bound
 * keep a block whose tag was forged by chance, one in 2^17, from reaching further). */
static bool whole_ok(const node_t *n)
{
    const region_t *r = region_find(n);
    block_t *b = node_block((node_t *)n);
    if (((uintptr_t)n & (BLK_GRAIN - 1)) != 0 || !r || b < r->base + sizeof(size_t) ||
        b + BLK_MIN > r->end || !tag_ok(n)) /* as plausible(), with one region lookup */
        return false;
    size_t size = blk_size(b);
    return size >= BLK_MIN && size <= (size_t)(r->end - sizeof(size_t) - b) &&
           *(const size_t *)(b + size - sizeof(size_t)) == size;
}

struct freeidx_damage freeidx_take_damage(void)
{
    struct freeidx_damage d = FI.damage;
    FI.damage.kind = FREEIDX_DAMAGE_NONE;
    FI.damage.block = NULL;
    return d;
}

bool freeidx_verified(const block_t *b) { return whole_ok(blk_payload((block_t *)b)); }

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

/* ---- list bins ----
 * A list block's tag covers its forward link only.  Its back link is checked instead
 * where it is used (unlinking a block from the middle of a list): the block it names
 * must verify and link forward to this one, and a verified block is always a current
 * free block (the core clears a block's head when it merges it away: core.c), so a
 * push or a pop rewrites one tag, not three. */

/* Forget the bin's list (a damaged block in it): its blocks stay free in the heap but
 * are never found again.  Counts below are clamped: a cut-off block may still be
 * "removed" from the cut-off list later (its neighbours there verify). */
static HC_COLD void list_drop(unsigned bin)
{
    FI.bins[bin] = NULL;
    FI.bin_count[bin] = 0;
}

static inline void list_push(unsigned bin, node_t *n)
{
    node_t *first = FI.bins[bin]; /* the bin's own pointer: a block in a region */
    if (first && first->link[1] != NULL) { /* a back link is checked before it is written */
        damaged(first);
        list_drop(bin);
        first = NULL;
    }
    n->link[0] = first;
    n->link[1] = NULL;
    seal(n);
    if (first)
        first->link[1] = n; /* not under its tag: nothing to rewrite */
    FI.bins[bin] = n;
}

/* n was verified and list_holds() vouched for its back link. */
static inline void list_unlink(unsigned bin, node_t *n)
{
    node_t *next = n->link[0], *prev = n->link[1];
    if (prev) {
        prev->link[0] = next;
        seal(prev);
    } else {
        FI.bins[bin] = next;
    }
    if (next)
        next->link[1] = prev;
}

/* n (verified) is in the bin's list exactly when the block its back link names (or
 * the bin's head) links forward to it; that block is verified before it is read.  A
 * back link that names no such block was overwritten: recorded as n's damage. */
static bool list_holds(unsigned bin, node_t *n)
{
    node_t *next = n->link[0], *prev = n->link[1];
    if (prev == n || next == n || (next && !plausible(next)))
        return false;
    if (next && next->link[1] != n) { /* written by unlinking: checked first */
        damaged(next);
        return false;
    }
    if (!prev)
        return FI.bins[bin] == n;
    if (!plausible(prev)) {
        damaged(n);
        return false;
    }
    if (!tag_ok(prev)) {
        damaged(prev);
        return false;
    }
    if (prev->link[0] != n || node_size(prev) != node_size(n)) {
        damaged(n);
        return false;
    }
    return true;
}

/* The bin's first block, verified, out of the list; NULL when it turned out to be
 * damaged (the bin is set aside and the damage recorded). */
static node_t *list_pop(unsigned bin, size_t size)
{
    node_t *n = FI.bins[bin];
    node_t *next = n->link[0];
    if (!whole_ok(n) || n->link[1] != NULL || node_size(n) != size || (next && !plausible(next))) {
        damaged(n);
        list_drop(bin);
        return NULL;
    }
    if (next && next->link[1] != n) { /* n is whole: hand it out, set the rest aside */
        damaged(next);
        list_drop(bin);
        return n;
    }
    FI.bins[bin] = next;
    if (next)
        next->link[1] = NULL;
    FI.bin_count[bin]--;
    return n;
}

/* ---- treap bins ---- */

/* A treap position: the link that holds a subtree, and the node that owns the link
 * (NULL: the bin's root), whose tag must be rewritten when the link is. */
struct pos {
    node_t **link;
    node_t *owner;
};

static inline void set_link(struct pos p, node_t *to)
{
    *p.link = to;
    if (p.owner)
        seal(p.owner);
}

static inline struct pos child(node_t *n, int side) { return (struct pos){&n->link[side], n}; }

/* The subtree at p if its root verifies; else it is cut off (set aside) and NULL. */
static node_t *checked(struct pos p)
{
    node_t *n = *p.link;
    if (!n || node_ok(n))
        return n;
    damaged(n);
    set_link(p, NULL);
    return NULL;
}

/* Replace the link at p (which holds n, verified) by the merge of n's two subtrees. */
static void unlink_at(struct pos p, node_t *n)
{
    node_t *a = checked(child(n, 0)), *b = checked(child(n, 1));
    while (a && b) {
        if (prio(a) > prio(b)) {
            set_link(p, a);
            p = child(a, 1);
            a = checked(p);
        } else {
            set_link(p, b);
            p = child(b, 0);
            b = checked(p);
        }
    }
    set_link(p, a ? a : b);
}

static void treap_insert(unsigned bin, node_t *n)
{
    uint64_t p = prio(n);
    struct pos at = {&FI.bins[bin], NULL};
    node_t *t;
    while ((t = checked(at)) && prio(t) > p)
        at = child(t, less(t, n));
    /* Split the subtree at `at` around n's key; its halves become n's children. */
    n->link[0] = n->link[1] = NULL;
    seal(n);
    struct pos l = child(n, 0), r = child(n, 1);
    while (t) {
        if (less(t, n)) {
            set_link(l, t);
            l = child(t, 1);
            t = checked(l);
        } else {
            set_link(r, t);
            r = child(t, 0);
            t = checked(r);
        }
    }
    set_link(l, NULL);
    set_link(r, NULL);
    set_link(at, n);
}

/* The position that holds n in its treap; found false when n is absent or the path
 * to it is damaged (recorded). */
static bool treap_find(unsigned bin, node_t *n, struct pos *out)
{
    struct pos at = {&FI.bins[bin], NULL};
    for (unsigned depth = 0; *at.link != n; depth++) {
        node_t *t = *at.link;
        if (!t || depth > MAX_DEPTH || !plausible(t))
            return false;
        if (!tag_ok(t)) {
            damaged(t);
            return false;
        }
        at = child(t, less(t, n));
    }
    *out = at;
    return true;
}

static inline void count_out(unsigned bin)
{
    if (FI.bin_count[bin])
        FI.bin_count[bin]--;
    unmark_if_empty(bin);
}

/* ---- the interface ---- */

void freeidx_insert(block_t *b)
{
    node_t *n = block_node(b);
    *(size_t *)b = blk_size(b); /* free, no tag yet: the links below set it */
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
    if (!whole_ok(n)) {
        if (plausible(n))
            damaged(n);
        return false;
    }
    unsigned bin = bin_of(blk_size(b));
    if (is_list_bin(bin)) {
        if (!list_holds(bin, n))
            return false;
        list_unlink(bin, n);
    } else {
        struct pos at;
        if (!treap_find(bin, n, &at))
            return false;
        unlink_at(at, n);
    }
    count_out(bin);
    return true;
}

/* The lower bound of size in a treap bin (the leftmost node for 0), verified whole;
 * false when the bin holds none.  A damaged node met on the way is cut off and the
 * walk starts again, so the answer is the best fit among the blocks still indexed. */
static bool treap_lower_bound(unsigned bin, size_t size, struct pos *best)
{
    for (;;) {
        bool found = false, cut = false;
        struct pos at = {&FI.bins[bin], NULL};
        node_t *t;
        for (unsigned depth = 0; (t = *at.link) != NULL; depth++) {
            if (depth > MAX_DEPTH || !(t = checked(at))) {
                if (depth > MAX_DEPTH) /* a cycle of verified links cannot be; be safe */
                    set_link(at, NULL);
                cut = true;
                break;
            }
            if (node_size(t) >= size) {
                *best = at;
                found = true;
                at = child(t, 0);
            } else {
                at = child(t, 1);
            }
        }
        if (cut)
            continue; /* the cut may have removed the best: walk again */
        if (found && !whole_ok(*best->link)) { /* tag fine, foot or bound not */
            damaged(*best->link);
            set_link(*best, NULL);
            continue;
        }
        return found;
    }
}

block_t *freeidx_take(size_t size)
{
    unsigned bin = bin_of(HC_ALIGN_UP(size, BLK_GRAIN)); /* a list bin's blocks all fit */
    if (!is_list_bin(bin)) {
        /* Lower bound of (size, 0) within the request's own range bin. */
        struct pos best;
        if (treap_lower_bound(bin, size, &best)) {
            node_t *n = *best.link;
            unlink_at(best, n);
            count_out(bin);
            return node_block(n);
        }
        unmark_if_empty(bin);
        bin++;
    }
    /* Every block of any later bin fits: the smallest is its head (a list) or its
     * leftmost node (a treap). */
    for (;;) {
        bin = next_bin(bin);
        if (bin == NBINS)
            return NULL;
        if (is_list_bin(bin)) {
            node_t *n = list_pop(bin, (size_t)bin << 4);
            unmark_if_empty(bin);
            if (n)
                return node_block(n);
            continue; /* the bin was damaged and set aside: the next one */
        }
        struct pos best;
        if (treap_lower_bound(bin, 0, &best)) {
            node_t *n = *best.link;
            unlink_at(best, n);
            count_out(bin);
            return node_block(n);
        }
        unmark_if_empty(bin);
    }
}

bool freeidx_contains(block_t *b)
{
    node_t *n = block_node(b);
    if (!whole_ok(n))
        return false;
    unsigned bin = bin_of(blk_size(b));
    struct pos at;
    return is_list_bin(bin) ? list_holds(bin, n) : treap_find(bin, n, &at);
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
        if (w->seen >= FI.bin_count[w->bin] || !node_ok(n) || n->link[1] != prev) {
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
    if (depth > MAX_DEPTH || !node_ok(n) || prio(n) >= parent_prio) {
        w->bad++; /* a cycle, a stray link, a damaged block or a broken heap order */
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
    FI.damage.kind = FREEIDX_DAMAGE_NONE;
    FI.damage.block = NULL;
    for (unsigned i = 0; i < sizeof FI.damage_seen / sizeof FI.damage_seen[0]; i++)
        FI.damage_seen[i] = NULL;
    FI.damage_next = 0;
}
