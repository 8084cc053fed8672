/* The stack depot: call stacks stored once each and named by a 32-bit id, so a block
 * header carries a stack in four bytes.  Mapped memory only; append-only; called with
 * the depot lock (lock_word) held.  Id 0 means "no stack". */
#ifndef HC_DEPOT_H
#define HC_DEPOT_H

#include "internal.h"

#define DEPOT_MAX_FRAMES 64

uint32_t depot_put(void *const *frames, unsigned n);

/* Each thread remembers the last stack it stored in each slot (one for allocations,
 * one for frees), so a loop's call site is found by comparing frames, without hashing
 * or probing.  depot_recall needs no lock: stored stacks never move or change. */
enum { DEPOT_SLOT_ALLOC, DEPOT_SLOT_FREE, DEPOT_SLOTS };
/* The id of these frames if this thread's last stack in slot is them, else 0. */
uint32_t depot_recall(void *const *frames, unsigned n, unsigned slot);
/* depot_put, and remember the stack in this thread's slot. */
uint32_t depot_put_remembered(void *const *frames, unsigned n, unsigned slot);
/* The frames of id (pointer into the depot, valid forever); *n gets their count. */
void *const *depot_get(uint32_t id, unsigned *n);
size_t depot_count(void);
/* The number of the thread that stored stack id (0: the main thread), or -1 for no
 * stack; *name gets its name if it has one of its own (threads numbered past
 * DEPOT_THREAD_NAMES have none), else NULL. */
#define DEPOT_THREAD_NAMES 1024
int depot_thread(uint32_t id, const char **name);

#endif
