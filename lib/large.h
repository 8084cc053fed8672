/* Large blocks, each in a mapping of its own, unmapped when freed.  Their blocks use
 * the core's block layout with the BLK_MAPPED flag, so the layers above see no
 * difference.  A list of them (in their mapping headers) lets the core walk them. */
#ifndef HC_LARGE_H
#define HC_LARGE_H

#include "block.h"

/* One arena's list (arena.h); the functions below work on the current arena's. */
struct large_mapping;
struct large_state {
    struct large_mapping *head;
    size_t mapped_bytes, count;
};

block_t *large_alloc(size_t size, size_t align, size_t offset);
void large_free(block_t *b);
/* Resize the mapping (mremap), in place unless may_move; returns the block (at its
 * new address if it moved), or NULL with the block unchanged. */
block_t *large_resize(block_t *b, size_t size, bool may_move);
typedef void large_walk_fn(block_t *b, void *arg);
void large_walk(large_walk_fn *fn, void *arg);
block_t *large_containing(const void *p);
size_t large_mapped_bytes(void);
size_t large_count(void);
void large_reset(void);

#endif
