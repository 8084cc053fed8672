/* The core allocator: best-fit boundary-tag blocks from heap regions, large blocks in
 * mappings of their own.  It knows nothing of debugging: it hands out payloads of a
 * size and alignment, takes them back, tells their size and walks them.  Every call
 * expects the current arena's lock held (arena.h); nothing here allocates through malloc or reports. */
#ifndef HC_CORE_H
#define HC_CORE_H

#include "internal.h"

struct core_config {
    size_t mmap_threshold; /* blocks at least this large get a mapping of their own */
    size_t trim_threshold; /* free top of the sbrk heap past this goes back to the OS */
    size_t top_pad;        /* extra bytes asked of sbrk each time, and kept at a trim */
    bool use_sbrk;         /* false: heap regions are always mapped */
};
extern struct core_config core_config;

struct core_stats {
    size_t heap_bytes;    /* regions plus large mappings */
    size_t mapped_bytes;  /* of which large mappings */
    size_t free_bytes;    /* in free blocks of the regions */
    size_t free_blocks;
    size_t largest_free;  /* largest free block's payload */
    size_t inuse_blocks;  /* blocks the core has handed out (the layer above may hold
                             some of them in quarantine) */
    size_t regions;
};

/* A payload of at least size bytes such that (payload + offset) % align == 0.
 * align is a power of two >= 16; offset a multiple of 16 below align.  NULL when the
 * OS refuses memory. */
void *core_alloc(size_t size, size_t align, size_t offset);
void core_free(void *payload);
/* Bytes the payload can hold. */
size_t core_usable(const void *payload);
/* Grow or shrink in place so the payload holds at least size bytes: true on success
 * (a shrink always succeeds for heap blocks); false leaves the block as it was.  A
 * block keeps up to core_growth_room(size) bytes past size (a shrink that small gives
 * nothing back), and a growth into a free neighbour takes that much room when it can. */
bool core_resize(void *payload, size_t size);
/* Room to grow in place that a block realloc() places gets past its size: an eighth,
 * as a size-class allocator's class rounding gives, so a buffer grown a little at a
 * time moves (and is copied) O(log size) times, not once per neighbour in the way.
 * None when size and room would come within CORE_LARGE_MARGIN of the mmap threshold:
 * a request below that margin never becomes a large block (arenas hold none). */
#define CORE_LARGE_MARGIN ((size_t)256)
size_t core_growth_room(size_t size);
bool core_is_mapped(const void *payload);

/* Call fn for every block, free ones included, region by region, then large blocks. */
typedef void core_walk_fn(void *payload, size_t usable, bool inuse, void *arg);
void core_walk(core_walk_fn *fn, void *arg);
/* The same for one region, or for the large blocks only. */
struct region;
void core_walk_region(const struct region *r, core_walk_fn *fn, void *arg);
void core_walk_large(core_walk_fn *fn, void *arg);
/* Verify the core's invariants (tiling, boundary tags, coalescing, index membership);
 * returns the number of problems found, and describes each through problem(). */
typedef void core_problem_fn(const char *what, const void *where, void *arg);
size_t core_check(core_problem_fn *problem, void *arg);
/* The payload of the in-use block containing address p (NULL if none). */
void *core_block_containing(const void *p, size_t *usable);
void core_get_stats(struct core_stats *s);
/* A free block that the last operations found damaged (its size word or its links
 * overwritten: a write after free, or an overrun from the block before it).  It is
 * set aside already (never handed out or merged); the caller reports it after the
 * lock.  False when none was found since the last call. */
struct core_damage {
    const void *block;  /* the free block's payload */
    const void *addr;   /* the damaged word: its head (size) or its first link */
    bool size_word;     /* its size disagrees with its foot, or leaves its region */
};
bool core_take_damage(struct core_damage *d);
/* Cheap test for the fast paths: whether core_take_damage has something. */
#define CORE_DAMAGE_PENDING(arena) ((arena)->fi.damage.kind != FREEIDX_DAMAGE_NONE)
void core_reset(void); /* tests only: forget every region (the memory is leaked) */

#endif
