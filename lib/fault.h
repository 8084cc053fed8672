/* The fatal-signal report: a SIGSEGV or SIGBUS handler that says what the faulting
 * access hit (a guarded slot's guard page or freed data: slots.h; a fill pattern,
 * null) in a finding, writes the dump, and dies of the same signal (or, for a fault
 * in the slots with abort_on_error=0, opens the page and goes on).  And the
 * explanation of a pointer value that is a fill pattern, shared with invalid frees. */
#ifndef HC_FAULT_H
#define HC_FAULT_H

#include "finding.h"

/* Install the handler (handle_segv) and this thread's alternate signal stack; a
 * handler the program installed before, or installs later, gets the faults outside
 * the guarded slots (sigwrap.h). */
void fault_init(void);
/* A thread's first allocation gives it an alternate signal stack (a stack overflow
 * in it is then reported), freed when the thread exits; one the thread has already
 * (the program's) is left alone.  No malloc.  Cheap after the first call. */
extern __thread __attribute__((tls_model("initial-exec"))) bool fault_thread_ready;
void fault_thread_start(void);
static inline void fault_thread_setup(void)
{
    if (HC_UNLIKELY(!fault_thread_ready))
        fault_thread_start();
}
/* Whether the handler is on (handle_segv, after fault_init): threadstart.c then gives
 * each new thread its alternate stack at its start. */
bool fault_handler_installed(void);
/* When v is (or is built from) the free or alloc fill, or lies in the first page,
 * set f's detail and likely cause to say so. */
void fault_explain_value(uintptr_t v, struct finding *f);

#endif
