/* A small static arena for the allocations made while heapcheck itself is starting
 * (anything that calls malloc from inside our initialisation).  Never freed. */
#ifndef HC_BOOTARENA_H
#define HC_BOOTARENA_H

#include "internal.h"

void *bootarena_alloc(size_t size, size_t align);
bool bootarena_owns(const void *p);
size_t bootarena_usable(const void *p);

#endif
