/* Stopping the other threads for the leak scan, and what each was doing: its
 * registers, its stack pointer, its alternate signal stack.  See threads.c. */
#ifndef HC_THREADS_H
#define HC_THREADS_H

#include "internal.h"

#define THREADS_MAX 1024
#define THREAD_RED_ZONE 128 /* bytes below the stack pointer a leaf function may use */
#define THREAD_REGS 32

struct thread_state {
    long tid;
    bool stopped;         /* it ran the handler: everything below is known */
    bool main_thread;     /* its home stack is [stack] */
    bool on_altstack;     /* interrupted while on its alternate signal stack */
    uintptr_t sp;         /* the interrupted stack pointer (0: unknown) */
    uintptr_t tcb;        /* pthread_self(): inside its stack mapping (not the main thread's) */
    unsigned nregs;
    uintptr_t regs[THREAD_REGS]; /* general-purpose registers when interrupted */
};

/* Stop every other thread of the process (bounded waits), filling states; returns
 * how many threads there are besides the caller (stopped or not).  Call
 * threads_resume() after, whatever it returned. */
size_t threads_stop(struct thread_state **states);
void threads_resume(void);

#endif
