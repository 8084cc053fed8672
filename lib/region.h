/* Heap regions: the memory the core carves blocks from.  The main region grows with
 * sbrk; when the break cannot move (a limit, or someone else moved it), regions are
 * mapped instead.  Each region is framed by a prologue foot and an epilogue head. */
#ifndef HC_REGION_H
#define HC_REGION_H

#include "block.h"

typedef struct region {
    unsigned char *base; /* 16-aligned; the prologue foot is at base */
    unsigned char *end;  /* the epilogue head is at end - 8 */
    bool from_sbrk;
} region_t;

#define MAX_REGIONS 4096

/* One arena's regions (arena.h), sorted by address; the functions below work on the
 * current arena's. */
struct region_state {
    region_t regions[MAX_REGIONS];
    size_t nregions;
    region_t *brk_region; /* the region that sbrk extends, if any */
    size_t mapped_total;  /* bytes in mapped regions */
    size_t last;          /* index of the region region_find found last: tried first */
};

/* New heap memory as one free block of at least size bytes (not yet indexed and not
 * yet coalesced with its lower neighbour), or NULL when the OS says no. */
block_t *region_grow(size_t size);
/* b is a free, coalesced block.  Give memory back to the OS when b is the whole of a
 * mapped region or a large free top of the sbrk region; returns what is left of b to
 * index, or NULL when all of it went back. */
block_t *region_give_back(block_t *b);
/* The region holding address p, or NULL. */
const region_t *region_find(const void *p);
size_t region_count(void);
const region_t *region_at(size_t i);
void region_reset(void);

#endif
