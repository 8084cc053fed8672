/* The heap map: each heap region drawn as a strip of at most HEAPMAP_CELLS cells,
 * each cell the state holding most of its bytes (live payload, heapcheck's overhead,
 * free, quarantined, set aside as damaged), run-length encoded in the dump, with the
 * exact bytes of each state in the strip.  The pool of guarded slots (slots.c), when
 * there is one, is one more strip: slots held by a live block (guarded), slots freed
 * and kept closed, slots never used, and the guard pages between them (overhead).
 * Its size is bounded whatever the heap: at most HEAPMAP_MAX_REGIONS heap strips (the
 * rest counted), large blocks counted by state, live blocks in guarded slots also
 * counted (under guarded) with their requested bytes.  Collected with the heap lock
 * held, in one walk of the blocks in address order. */
#ifndef HC_HEAPMAP_H
#define HC_HEAPMAP_H

#include "internal.h"

struct fmt;

#define HEAPMAP_MAX_REGIONS 64
#define HEAPMAP_CELLS 2048

/* The first MAP_LARGE_STATES also count the blocks outside the strips ("large"). */
enum map_state { MAP_LIVE, MAP_OVERHEAD, MAP_FREE, MAP_QUARANTINED, MAP_DAMAGED, MAP_GUARDED,
                 MAP_CLOSED, MAP_UNUSED, MAP_STATES };
#define MAP_LARGE_STATES (MAP_GUARDED + 1)

struct heapmap_region {
    uintptr_t base;
    size_t size, cell, ncells;
    char *cells; /* one state letter per cell */
    size_t bytes[MAP_STATES]; /* exact, whatever the cells' majorities */
};

struct heapmap {
    size_t nregions, omitted_regions;
    struct heapmap_region r[HEAPMAP_MAX_REGIONS];
    bool has_slots;
    struct heapmap_region slots; /* the guarded-slot pool, when has_slots */
    size_t large_blocks[MAP_LARGE_STATES], large_bytes[MAP_LARGE_STATES];
};

/* Room for the cells of every strip. */
#define HEAPMAP_CELLS_ROOM ((HEAPMAP_MAX_REGIONS + 1) * HEAPMAP_CELLS)

/* cells: room for HEAPMAP_CELLS_ROOM letters.  on_live (may be
 * NULL) is called for each live block with its stack and requested size: the same walk
 * serves the snapshot's groups.  Heap lock held. */
typedef void heapmap_live_fn(uint32_t stack, size_t size, void *arg);
void heapmap_collect(struct heapmap *m, char *cells, heapmap_live_fn *on_live, void *arg);
/* The "heap_map" value (docs/dump-format.md); flush is called between runs. */
void heapmap_write(const struct heapmap *m, struct fmt *out, void (*flush)(void));

#endif
