/* The best-fit free index: every free block of the heap regions, found by size.
 * Exact best fit by size; among blocks of the best size any may come out.  O(1) for
 * blocks below 4 KiB (exact-size lists), O(log n) above (ordered range bins). */
#ifndef HC_FREEIDX_H
#define HC_FREEIDX_H

#include "block.h"

#define FREEIDX_LIST_LIMIT 4096 /* sizes below this have an exact-size list bin */
#define FREEIDX_BINS (FREEIDX_LIST_LIMIT / 16 + 4 * (64 - 12))
#define FREEIDX_MAP_WORDS ((FREEIDX_BINS + 63) / 64)

/* A free block found damaged (its tag does not verify: block.h): the first one an
 * operation met, kept for the caller to report after the lock (core.h).  The block is
 * already set aside: cut out of the index, never handed out or merged again. */
enum freeidx_damage_kind {
    FREEIDX_DAMAGE_NONE,
    FREEIDX_DAMAGE_LINKS, /* size and foot agree: its links (payload) were overwritten */
    FREEIDX_DAMAGE_SIZE,  /* its size word disagrees with its foot or leaves the region */
};
struct freeidx_damage {
    enum freeidx_damage_kind kind;
    const block_t *block;
};

/* One arena's index (arena.h); the functions below work on the current arena's. */
struct freeidx_node;
struct freeidx_state {
    struct freeidx_node *bins[FREEIDX_BINS];
    size_t bin_count[FREEIDX_BINS];
    uint64_t binmap[FREEIDX_MAP_WORDS];
    uint64_t summary; /* bit w: binmap[w] != 0 */
    struct freeidx_damage damage; /* kind NONE: nothing found since the last take */
    /* The last damaged blocks recorded: a set-aside block that its neighbours' frees
     * meet again is reported once, not at every meeting (continue mode). */
    const block_t *damage_seen[8];
    unsigned damage_next;
};

/* Insert a free block (its head must already say free, with its final size; the index
 * writes its tag).  The block must lie in a heap region: the index follows only links
 * that point into one. */
void freeidx_insert(block_t *b);
/* Remove a block, found by its current size and address; false when no such block is
 * indexed (a free head forged by the program, say) or it is damaged (then recorded in
 * the damage record), and then nothing is merged.  A block removed has a verified tag,
 * a foot equal to its size and lies inside its region: its size can be trusted. */
bool freeidx_remove(block_t *b);
/* Remove and return a smallest free block of at least size bytes, or NULL; verified
 * as freeidx_remove's.  Damaged blocks met on the way are set aside and recorded. */
block_t *freeidx_take(size_t size);
/* Whether b (a block the caller is about to trust, or not) is an intact free block:
 * tag, foot and region bounds.  Reads only inside b's region. */
bool freeidx_verified(const block_t *b);
/* The damage record (freeidx_damage), cleared. */
struct freeidx_damage freeidx_take_damage(void);
/* Call fn on every indexed block; returns the number of blocks visited.  Also checks
 * the index's own links, order, counts and bin placement, counting violations in *bad. */
size_t freeidx_walk(void (*fn)(block_t *b, void *arg), void *arg, size_t *bad);
bool freeidx_contains(block_t *b);
void freeidx_reset(void);

#endif
