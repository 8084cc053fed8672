/* Where the thread that ends the process left its own code: the stack pointer and
 * callee-saved registers at its call of exit(), or at main's return.  See
 * exitframe.c. */
#ifndef HC_EXITFRAME_H
#define HC_EXITFRAME_H

#include "internal.h"

#define EXIT_FRAME_REGS 16

struct exit_frame {
    uintptr_t stack_lo;             /* the lowest live address of the thread's stack */
    size_t nregs;
    uintptr_t regs[EXIT_FRAME_REGS]; /* the registers the program's frames may still hold */
};

/* The frame the calling thread noted on its way to exit, if it is the thread that
 * called exit() (or returned from main) and the call went through heapcheck's
 * wrappers; false otherwise (exit called from inside libc, a static program, a
 * second thread calling exit). */
bool exit_frame_get(struct exit_frame *f);

#endif
