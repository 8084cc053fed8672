/* Arenas: each a whole best-fit heap (regions, free index, large blocks) with the
 * guard layer's state for its blocks (pointer set, quarantine, live counts), so
 * threads working in different arenas share no allocator state.  The modules below
 * the heap front work on the current arena: the one whose lock this thread holds
 * (arena_cur, a thread's own variable, set by heap.c when it takes a lock). */
#ifndef HC_ARENA_H
#define HC_ARENA_H

#include "internal.h"
#include "freeidx.h"
#include "region.h"
#include "large.h"
#include "ptrset.h"
#include "quarantine.h"

struct arena {
    struct freeidx_state fi;
    struct region_state rg;
    struct large_state lg;
    struct ptrset_state ps;
    struct quar_state qu;
    size_t inuse_blocks;            /* blocks the core handed out */
    size_t live_bytes, live_blocks; /* the guard layer's (heap.c's in preset none) */
};

#define ARENAS_MAX 1
extern struct arena arenas[ARENAS_MAX];

/* The arena the calling thread works on (arena 0 until heap.c says otherwise). */
extern __thread __attribute__((tls_model("initial-exec"))) struct arena *arena_cur;

#endif
