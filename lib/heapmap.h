/* The heap map: each heap region drawn as a strip of at most HEAPMAP_CELLS cells,
 * each cell the state holding most of its bytes (live payload, heapcheck's overhead,
 * free, quarantined, set aside as damaged, guarded), run-length encoded in the dump.
 * Its size is bounded whatever the heap: at most HEAPMAP_MAX_REGIONS strips (the rest
 * counted), large blocks counted by state, live blocks in guarded slots (slots.c)
 * counted as guarded.  Collected with every lock held, in one
 * walk of the blocks in address order. */
#ifndef HC_HEAPMAP_H
#define HC_HEAPMAP_H

#include "internal.h"

struct fmt;

#define HEAPMAP_MAX_REGIONS 64
#define HEAPMAP_CELLS 2048

enum map_state { MAP_LIVE, MAP_OVERHEAD, MAP_FREE, MAP_QUARANTINED, MAP_DAMAGED, MAP_GUARDED,
                 MAP_STATES };

struct heapmap_region {
    uintptr_t base;
    size_t size, cell, ncells;
    char *cells; /* one state letter per cell */
};

struct heapmap {
    size_t nregions, omitted_regions;
    struct heapmap_region r[HEAPMAP_MAX_REGIONS];
    size_t large_blocks[MAP_STATES], large_bytes[MAP_STATES];
};

/* cells: room for HEAPMAP_MAX_REGIONS * HEAPMAP_CELLS letters.  on_live (may be
 * NULL) is called for each live block with its stack and requested size: the same walk
 * serves the snapshot's groups.  Heap lock held. */
typedef void heapmap_live_fn(uint32_t stack, size_t size, void *arg);
void heapmap_collect(struct heapmap *m, char *cells, heapmap_live_fn *on_live, void *arg);
/* The "heap_map" value (docs/dump-format.md); flush is called between runs. */
void heapmap_write(const struct heapmap *m, struct fmt *out, void (*flush)(void));

#endif
