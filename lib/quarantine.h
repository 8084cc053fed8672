/* The quarantine: freed blocks, poisoned, held first-in first-out within a byte
 * budget before the core may reuse them, so a write after free is still seen.  The
 * ring of pointers lives in mapped memory; called with the current arena's lock held. */
#ifndef HC_QUARANTINE_H
#define HC_QUARANTINE_H

#include "internal.h"

/* One arena's ring (arena.h); the functions below work on the current arena's. */
struct quar_entry;
struct quar_state {
    struct quar_entry *ring;
    size_t cap, head, count, total;
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
size_t quar_bytes(void);
size_t quar_count(void);
void quar_reset(void);

#endif
