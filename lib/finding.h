/* A finding: one error the guard layer saw, copied out of the heap so it can be
 * reported after the heap lock is released.  Nothing in it points to be followed
 * except stack ids (the depot never moves its stacks).  It is rendered as a
 * finding_desc (finding_text.h), the model the heapcheck tool renders too. */
#ifndef HC_FINDING_H
#define HC_FINDING_H

#include "internal.h"
#include "heap.h"
#include "finding_text.h" /* enum bug, enum op: shared with the tool */

struct finding {
    enum bug bug;
    enum op op;               /* what was being done when it was found */
    uint32_t op_stack;        /* where the operation was called */
    const void *addr;         /* the bad address (first changed byte, or the pointer) */
    const void *block;        /* the block's payload, if known */
    size_t size;              /* its requested size, if known */
    long long offset;         /* addr - block (negative before it) */
    size_t changed;           /* bytes that differ from what heapcheck wrote */
    enum alloc_kind alloc_kind, op_kind;
    uint32_t alloc_stack, free_stack;
    const char *detail;       /* for BUG_HEAP_CORRUPTION and BUG_BAD_HEADER; for BUG_SEGV
                                 and BUG_WILD_FREE what heapcheck knows of the address */
    const char *cause;        /* a likely cause that overrides the class's own */
    bool block_known, freed;
    /* For BUG_BAD_HEADER: the block before, when its own rear canary shows that it
     * ran over into this one (the likely culprit). */
    bool prev_known;
    const void *prev_block;
    size_t prev_size, prev_changed;
    uint32_t prev_stack;
};

/* Report one finding (report lock held inside; heap lock must NOT be held), then
 * count it.  The caller decides on the action (report_finish_error). */
void report_finding(const struct finding *f);
/* The findings reported so far (the first 256), for the dump. */
const struct finding *report_kept_findings(size_t *n);
/* X as the shared renderer's description (thread names point into the thread table). */
void finding_describe(const struct finding *x, struct finding_desc *d);
/* The last line of a process with findings, greppable, as ASan's:
 *   SUMMARY: heapcheck: CLASS FILE:LINE in FUNCTION; N errors, B bytes leaked in K blocks
 * ("leaks not checked" when it aborts before the leak check)
 * (the first error, else the largest leak counted).  Nothing when there is none. */
void report_summary(bool leaks_checked, size_t leaked_bytes, size_t leaked_blocks, uint32_t leak_stack);

#endif
