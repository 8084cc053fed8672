/* The heap front: start-up, the lock, and the dispatch of each operation to the
 * guard layer (checks) or straight to the core (preset none).  Entry points call
 * only these. */
#ifndef HC_HEAP_H
#define HC_HEAP_H

#include "internal.h"

/* Which family allocated a block; freeing with another family is a mismatch.
 * KIND_REALLOC is malloc's family, remembered so a report can say "realloc()". */
enum alloc_kind { KIND_MALLOC, KIND_NEW, KIND_NEW_ARRAY, KIND_REALLOC };
static inline enum alloc_kind kind_family(enum alloc_kind k) { return k == KIND_REALLOC ? KIND_MALLOC : k; }

/* frame: the entry point's frame address (__builtin_frame_address(0)), from which
 * the call stack is unwound.  align: 0 for malloc's own (16, or in a guarded slot
 * the least C allows for the size), else the alignment asked for. */
void *heap_alloc(size_t size, size_t align, enum alloc_kind kind, bool zero, void *frame);
/* false when p was not a block heapcheck could free (reported). */
bool heap_free(void *p, enum alloc_kind kind, void *frame);
/* realloc's first step: resize p in place if possible.  Returns 1 when done, 0 when
 * the caller must move the block (*old gets the size to copy), -1 when p is not a
 * live block (reported). */
int heap_resize(void *p, size_t size, size_t *old, void *frame);
size_t heap_usable(void *p, void *frame);
size_t heap_check(void);
size_t heap_leak_report(void);
struct hc_stats;
void heap_stats(struct hc_stats *s);
/* Every lock (arenas in order, the slots, the depot), with the re-entry mark; and
 * the statistics of every arena while they are held (errors and fragmentation left
 * to the caller). */
bool heap_lock_all(void);
void heap_unlock_all(bool taken);
void heap_stats_locked(struct hc_stats *s);
/* For hc_describe, which may run where this thread stopped (a debugger's call): take
 * the lock word (an arena's, the slots') without waiting long, with the re-entry mark;
 * false when this thread is inside heapcheck or the lock stays held. */
bool heap_try_enter(int *word, bool *taken);
void heap_leave(int *word, bool taken);
/* Start up if not yet done; whether blocks are guarded (false in preset none). */
bool heap_guarded(void);
/* The action after an error was reported: abort() (with the SUMMARY line and the
 * dump first) unless abort_on_error=0. */
void heap_finish_error(void);

#endif
