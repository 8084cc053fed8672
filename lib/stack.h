/* Call-stack capture: frame-pointer unwinding bounded by the current thread's stack,
 * so a garbage frame pointer (code built without frame pointers) ends the walk
 * instead of faulting.  Never allocates (a thread's stack bounds are cached). */
#ifndef HC_STACK_H
#define HC_STACK_H

#include "internal.h"

/* Return addresses from the frame whose frame pointer is fp (its return address
 * first), at most max of them; returns how many. */
unsigned stack_unwind(void *fp, void **out, unsigned max);

#endif
