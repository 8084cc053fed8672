/* The allocated-pointer set: every payload pointer heapcheck handed out and has not
 * yet given back to the core, with its state.  Lookups never touch the pointer
 * itself, so a wild pointer is classified without being dereferenced.  Memory comes
 * from os_map, never from the heap; called with the current arena's lock held. */
#ifndef HC_PTRSET_H
#define HC_PTRSET_H

#include "internal.h"

/* One arena's set (arena.h); the functions below work on the current arena's. */
struct ptrset_state {
    uintptr_t *slots;
    size_t nslots, count;
};

/* PTR_HELD: freed, in the hardened preset's hold (quarantine.h), not poisoned. */
enum ptr_state { PTR_ABSENT = 0, PTR_LIVE = 1, PTR_QUARANTINED = 2, PTR_DAMAGED = 3, PTR_HELD = 4 };

/* false when the set cannot grow (out of memory). */
bool ptrset_insert(const void *p, enum ptr_state state);
enum ptr_state ptrset_get(const void *p);
void ptrset_set(const void *p, enum ptr_state state);
void ptrset_remove(const void *p);
size_t ptrset_count(void);
/* Start loading the table slot where p would be, ahead of a lookup. */
void ptrset_prefetch(const void *p);
typedef void ptrset_walk_fn(const void *p, enum ptr_state state, void *arg);
void ptrset_walk(ptrset_walk_fn *fn, void *arg);
void ptrset_reset(void);

#endif
