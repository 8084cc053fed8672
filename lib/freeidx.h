/* The best-fit free index: every free block of the heap regions, found by size.
 * Exact best fit, ties to the lower address, O(log n) per operation. */
#ifndef HC_FREEIDX_H
#define HC_FREEIDX_H

#include "block.h"

/* Insert a free block (its head must already say free, with its final size). */
void freeidx_insert(block_t *b);
/* Remove a block, found by its current size and address; false when no such block is
 * indexed (a free head forged by the program, say), and then nothing changes. */
bool freeidx_remove(block_t *b);
/* Remove and return the smallest free block of at least size bytes (lowest address
 * among equals), or NULL. */
block_t *freeidx_take(size_t size);
/* Call fn on every indexed block; returns the number of blocks visited.  Also checks
 * the index's own order and bin placement, counting violations in *bad. */
size_t freeidx_walk(void (*fn)(block_t *b, void *arg), void *arg, size_t *bad);
bool freeidx_contains(block_t *b);
void freeidx_reset(void);

#endif
