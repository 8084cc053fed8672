/* Arenas: each a whole best-fit heap (regions, free index, large blocks) with the
 * guard layer's state for its blocks (pointer set, quarantine, live counts) and its
 * own lock, so threads working in different arenas share no allocator state.  The
 * modules below the heap front work on the current arena: the one whose lock this
 * thread holds (arena_cur, a thread's own variable, set by heap.c with the lock).
 *
 * Which arena owns an address: arena 0's regions come from sbrk or mmap anywhere;
 * every other arena maps its regions aligned to ARENA_GRANULE and in whole granules,
 * and records them in the granule map, so a granule belongs to at most one arena
 * other than 0, and anything not recorded (arena 0's regions, large blocks, which
 * are all arena 0's, wild pointers) is arena 0's.  The map is read without a lock:
 * a granule is recorded before any block in it is handed out and cleared before its
 * region is unmapped. */
#ifndef HC_ARENA_H
#define HC_ARENA_H

#include "internal.h"
#include "freeidx.h"
#include "region.h"
#include "large.h"
#include "ptrset.h"
#include "quarantine.h"

struct arena {
    int lock;                       /* a futex word (lock.h) */
    unsigned id;
    struct freeidx_state fi;
    struct region_state rg;
    struct large_state lg;          /* only arena 0 has large blocks */
    struct ptrset_state ps;
    struct quar_state qu;
    size_t inuse_blocks;            /* blocks the core handed out */
    size_t live_bytes, live_blocks; /* the guard layer's (heap.c's in preset none) */
    size_t slot_countdown;          /* allocations to the next guarded slot (guard.c) */
    size_t allocs, frees;           /* for the summary at exit */
    unsigned long ops;              /* for check_interval */
} __attribute__((aligned(64)));

#define ARENAS_MAX 16
#define ARENA_GRANULE_SHIFT 22
#define ARENA_GRANULE ((size_t)1 << ARENA_GRANULE_SHIFT)
#define ARENA_MAP_LEAF_BITS 12
#define ARENA_MAP_TOP (1u << (47 - ARENA_GRANULE_SHIFT - ARENA_MAP_LEAF_BITS))

extern struct arena arenas[ARENAS_MAX];
extern unsigned arena_count; /* in use: 1 to ARENAS_MAX, set at start-up */
extern int slots_lock;       /* the guarded slots' state (slots.c), taken after arenas */
extern unsigned char *arena_map[ARENA_MAP_TOP];

/* The arena the calling thread works on (arena 0 until heap.c says otherwise). */
extern __thread __attribute__((tls_model("initial-exec"))) struct arena *arena_cur;

void arena_init(unsigned count);

static inline struct arena *arena_of(const void *p)
{
    uintptr_t g = (uintptr_t)p >> ARENA_GRANULE_SHIFT;
    if (arena_count == 1 || (g >> ARENA_MAP_LEAF_BITS) >= ARENA_MAP_TOP)
        return &arenas[0];
    unsigned char *leaf = __atomic_load_n(&arena_map[g >> ARENA_MAP_LEAF_BITS], __ATOMIC_ACQUIRE);
    if (!leaf)
        return &arenas[0];
    unsigned id = __atomic_load_n(&leaf[g & ((1u << ARENA_MAP_LEAF_BITS) - 1)], __ATOMIC_ACQUIRE);
    return &arenas[id < arena_count ? id : 0];
}

/* Record [base, base + len) (granule-aligned) as arena id's (0: forget it); false
 * when the map cannot grow. */
bool arena_map_set(const void *base, size_t len, unsigned id);

/* Every arena lock by index, then the slots lock (leak check, snapshots, fork). */
bool arena_lock_all(void);
void arena_unlock_all(bool taken);
void arena_reset_locks(void); /* fork child */

#endif
