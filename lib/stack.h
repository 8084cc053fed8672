/* Call-stack capture: frame-pointer unwinding bounded by the current thread's stack,
 * so a garbage frame pointer (code built without frame pointers) ends the walk
 * instead of faulting.  Never allocates (a thread's stack bounds are cached). */
#ifndef HC_STACK_H
#define HC_STACK_H

#include "internal.h"

/* Return addresses from the frame whose frame pointer is fp (its return address
 * first), at most max of them; returns how many. */
unsigned stack_unwind(void *fp, void **out, unsigned max);
/* The same through libunwind's DWARF unwinder, when built with it (else the same as
 * stack_unwind): complete through code built without frame pointers, and slower. */
unsigned stack_unwind_dwarf(void *fp, void **out, unsigned max);
/* Whether the calling thread runs a signal handler: on its alternate signal stack,
 * or a return address on its stack is the kernel's signal return trampoline (glibc's
 * __restore_rt).  True also when that cannot be told (built without libunwind). */
bool stack_in_signal_handler(void);

#endif
