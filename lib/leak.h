/* The leak check: classify every live block as memcheck and LeakSanitizer do, by a
 * conservative scan from the roots (writable memory of the process that is not the
 * heap, the calling thread's stack and registers), and group the lost ones by
 * allocation stack.  Runs with every lock held (heap_lock_all); its scratch memory is mapped. */
#ifndef HC_LEAK_H
#define HC_LEAK_H

#include "internal.h"

enum leak_kind { LEAK_DEFINITE, LEAK_INDIRECT, LEAK_POSSIBLE, LEAK_REACHABLE, LEAK_KINDS };

struct leak_record {
    enum leak_kind kind;
    uint32_t stack;
    size_t blocks, bytes, indirect_bytes;
};

struct leak_result {
    struct leak_record *records; /* largest first (bytes + indirect_bytes) */
    size_t nrecords;
    size_t bytes[LEAK_KINDS], blocks[LEAK_KINDS];
    size_t suppressed_bytes, suppressed_blocks; /* the dynamic loader's own */
    size_t map_len; /* of the scratch mapping, for leak_release */
    void *map;
};

/* Bytes below a frame address where its prologue saved the callee-saved registers it
 * uses (x86-64: at most five, 40 bytes). */
#define LEAK_SAVED_REGS 64

/* The lowest live address of the calling thread's stack when the program called the
 * heapcheck function whose frame address is frame: the program's frames are above it,
 * and the callee-saved registers that function's prologue saved. */
static inline uintptr_t leak_stack_lo(const void *frame)
{
    return (uintptr_t)frame - LEAK_SAVED_REGS;
}

/* stack_lo: the calling thread's stack is scanned from there up (leak_stack_lo, or
 * where exit() was called: exitframe.h); regs: the calling thread's registers the
 * program's code may still use, as nregs words.  The leak check's own frames hold
 * nothing of the program's.  Stops the other threads meanwhile (threads.h).  false
 * when scratch memory could not be mapped. */
bool leak_scan(struct leak_result *r, uintptr_t stack_lo, const uintptr_t *regs, size_t nregs);
void leak_release(struct leak_result *r);
extern const char *const leak_kind_names[LEAK_KINDS];

#endif
