/* The stack depot: call stacks stored once each and named by a 32-bit id, so a block
 * header carries a stack in four bytes.  Mapped memory only; append-only; called with
 * the heap lock held.  Id 0 means "no stack". */
#ifndef HC_DEPOT_H
#define HC_DEPOT_H

#include "internal.h"

#define DEPOT_MAX_FRAMES 64

uint32_t depot_put(void *const *frames, unsigned n);
/* The frames of id (pointer into the depot, valid forever); *n gets their count. */
void *const *depot_get(uint32_t id, unsigned *n);
size_t depot_count(void);

#endif
