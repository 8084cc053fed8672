/* Guarded slots: a pool of page-granular slots in which a block lies flush against an
 * inaccessible guard page, and which stays inaccessible after the block is freed, so
 * an overflow, an underflow or a use after free faults at the access (the fault
 * report is fault.c's).  The guard layer asks for a slot when slots_pick() says so;
 * a slot block's metadata lives out of line here, never in the slot, and slot blocks
 * are not in the pointer set: the guard layer asks slots_owns() about a pointer the
 * set does not know.  Called with the heap lock held, except slots_fault_info. */
#ifndef HC_SLOTS_H
#define HC_SLOTS_H

#include "finding.h"

struct slots_config {
    size_t count;        /* slots in the pool; 0: no pool */
    size_t first;        /* this many allocations are all guarded (while slots last) */
    size_t sample;       /* past them, one allocation in about this many (0: none) */
    size_t left;         /* one guarded block in this many against the guard before it */
    bool keep_freed;     /* a freed block's bytes stay (closed) until its slot is reused */
};

/* Counts down to the next allocation to guard; 0 never comes without a pool. */
extern size_t slots_countdown;
extern uintptr_t slots_lo, slots_hi; /* the pool's address range, [lo, hi) */

static inline bool slots_pick(void) { return HC_UNLIKELY(--slots_countdown == 0); }
static inline bool slots_owns(const void *p)
{
    return HC_UNLIKELY((uintptr_t)p - slots_lo < slots_hi - slots_lo);
}

void slots_init(const struct slots_config *c);
/* A guarded block of n bytes, or NULL (too large, no free slot, no pool): the caller
 * then takes a core block.  Sets the countdown to the next pick.  align: 0, or one
 * asked for explicitly (memalign, aligned new); the block gets at least the one C
 * requires of malloc for n bytes. */
void *slots_alloc(size_t n, size_t align, enum alloc_kind kind, uint32_t stack, bool zero, int fill);
/* Release, verify or size a pointer inside the pool (slots_owns); each returns the
 * number of findings written to out (0 or 1, slots_free at most 2).  Both verify the
 * block's canaries (realloc sizes it first, and fails on damage, as for a core
 * block); a block's damage is reported once. */
int slots_free(void *u, enum alloc_kind kind, enum op op, uint32_t stack, struct finding *out);
int slots_size(void *u, enum op op, size_t *size, struct finding *out);
typedef void slots_found_fn(const struct finding *f, void *arg);
/* Every live slot's canaries (the bytes between its end and the guard page, and the
 * open bytes before it). */
void slots_check(slots_found_fn *fn, void *arg);
typedef void slots_walk_fn(const void *u, size_t size, uint32_t stack, void *arg);
void slots_walk_live(slots_walk_fn *fn, void *arg);
/* The pool as the heap map draws it: each slot used so far, in address order, as
 * [lo, hi) (the guard page before its data, and the data) and whether a live block
 * holds it; then the slots never used, as one span.  The guard page after the last
 * slot is left out. */
enum slot_view { SLOT_VIEW_LIVE, SLOT_VIEW_CLOSED, SLOT_VIEW_UNUSED };
typedef void slots_span_fn(uintptr_t lo, uintptr_t hi, enum slot_view v, void *arg);
void slots_walk_spans(slots_span_fn *fn, void *arg);
size_t slots_live_count(void);
size_t slots_live_bytes(void);
/* Memory is short (a low RLIMIT_AS): give back the address space of the slots never
 * used; the pool keeps those used so far, and reuses them.  Takes the slots lock.
 * Returns the bytes given back (0: nothing to give).  (The pool also holds no more
 * than a quarter of RLIMIT_AS: at start-up, and from the first slot taken after a
 * program lowers its limit.) */
size_t slots_give_back(void);
/* After a fault at addr in the pool was reported, with the process to go on: make its
 * page accessible (a freed block's pages whole, with their old bytes; a guard page
 * reads as zeros) and set the slots around it aside for good.  No lock (a signal
 * handler); false if addr is not in the pool or the pages cannot be opened. */
bool slots_fault_open(const void *addr);
/* A fault at addr inside the pool: describe it in f (class, block, offset, stacks);
 * false if addr is not in the pool.  Reads without the lock (the process is dying). */
bool slots_fault_info(const void *addr, struct finding *f);

#endif
