/* The fatal-signal report: a SIGSEGV or SIGBUS handler that says what the faulting
 * access hit (a guarded slot's guard page or freed data: slots.h; a fill pattern,
 * null) in a finding, writes the dump, and dies of the same signal.  And the
 * explanation of a pointer value that is a fill pattern, shared with invalid frees. */
#ifndef HC_FAULT_H
#define HC_FAULT_H

#include "finding.h"

/* Install the handler (handle_segv) and this thread's alternate signal stack; a
 * handler the program installed before is kept and chained to. */
void fault_init(void);
/* When v is (or is built from) the free or alloc fill, or lies in the first page,
 * set f's detail and likely cause to say so. */
void fault_explain_value(uintptr_t v, struct finding *f);

#endif
