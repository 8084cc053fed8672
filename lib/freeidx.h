/* The best-fit free index: every free block of the heap regions, found by size.
 * Exact best fit by size; among blocks of the best size any may come out.  O(1) for
 * blocks below 4 KiB (exact-size lists), O(log n) above (ordered range bins). */
#ifndef HC_FREEIDX_H
#define HC_FREEIDX_H

#include "block.h"

/* Insert a free block (its head must already say free, with its final size).  The
 * block must lie in a heap region: the index follows only links that point into one. */
void freeidx_insert(block_t *b);
/* Remove a block, found by its current size and address; false when no such block is
 * indexed (a free head forged by the program, say), and then nothing changes. */
bool freeidx_remove(block_t *b);
/* Remove and return a smallest free block of at least size bytes, or NULL. */
block_t *freeidx_take(size_t size);
/* Call fn on every indexed block; returns the number of blocks visited.  Also checks
 * the index's own links, order, counts and bin placement, counting violations in *bad. */
size_t freeidx_walk(void (*fn)(block_t *b, void *arg), void *arg, size_t *bad);
bool freeidx_contains(block_t *b);
void freeidx_reset(void);

#endif
