/* The quarantine: freed blocks, poisoned, held first-in first-out within a byte
 * budget before the core may reuse them, so a write after free is still seen.  The
 * ring of pointers lives in mapped memory; called with the current arena's lock held. */
#ifndef HC_QUARANTINE_H
#define HC_QUARANTINE_H

#include "internal.h"

/* The hold (hardened preset, which has no quarantine): HOLD_SLOTS freed blocks held
 * back unpoisoned, each free taking the place of a held block chosen at random, which
 * goes back to the core.  So the block freed last is not the next handed out, and when
 * a freed block comes back is not predictable: a stale free after reuse is no
 * reliable primitive, and a stale free of a held block is a double free.  Blocks over
 * HOLD_MAX_BLOCK are not held (at most 32 x 64 KiB held: the bound on its footprint). */
#define HOLD_SLOTS 32
#define HOLD_MAX_BLOCK ((size_t)64 << 10)
struct hold_entry {
    void *p;
    uint32_t free_stack;
};

/* Blocks given back to the core lately, newest last, with what a double-free report
 * says of them: a free of one of these pointers is named a double free even once the
 * block has left the hold or the quarantine. */
#define FREED_HISTORY 256
struct freed_record {
    const void *p;
    size_t size;
    uint32_t alloc_stack, free_stack;
    unsigned kind;
};

/* One arena's ring (arena.h); the functions below work on the current arena's. */
struct quar_entry;
struct quar_state {
    struct quar_entry *ring;
    size_t cap, head, count, total;
    struct hold_entry hold[HOLD_SLOTS];
    size_t held;
    uint64_t rng; /* xorshift64*, seeded from the secret (0: not yet) */
    size_t next_place; /* where the next block held goes */
    struct freed_record freed[FREED_HISTORY];
    size_t freed_next;
};

/* Add a block of the given size, freed at free_stack; false if the ring cannot grow
 * (the caller then releases the block at once). */
bool quar_push(void *p, size_t bytes, uint32_t free_stack);
/* The oldest block while the quarantine is over budget (NULL when within): the
 * caller verifies it and gives it back to the core. */
void *quar_pop_over(size_t budget, size_t *bytes, uint32_t *free_stack);
/* The free stack of a block in the quarantine (0 if not there): a search of the
 * ring, for reports only. */
uint32_t quar_stack_of(const void *p);
/* The block that will leave next (NULL when empty), so its lines can be fetched
 * ahead of the check. */
void *quar_oldest(size_t *bytes);
/* Hold p (freed at free_stack) in a random place of the hold: returns the block it
 * displaced (NULL if the place was empty), which the caller verifies and releases. */
void *hold_swap(void *p, uint32_t free_stack, uint32_t *displaced_stack);
/* In a fork child: a new random order in every arena, not the parent's replayed. */
void hold_after_fork(void);
/* The block the next hold_swap will displace (NULL if none), to fetch it ahead. */
void *hold_next(void);
/* Any held block, taken out of the hold (NULL when empty): to empty it. */
void *hold_take(uint32_t *free_stack);
/* The free stack of a held block (0 if not held): a search, for reports only. */
uint32_t hold_stack_of(const void *p);
size_t hold_count(void);
/* Remember that p went back to the core; the newest record of p, or NULL. */
void freed_note(const void *p, size_t size, uint32_t alloc_stack, uint32_t free_stack, unsigned kind);
const struct freed_record *freed_find(const void *p);
size_t quar_bytes(void);
size_t quar_count(void);
void quar_reset(void);

#endif
