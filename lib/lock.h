/* The heap lock: one futex word guards the core and the guard layer.  While the
 * process has a single thread (glibc's __libc_single_threaded) the atomic is skipped:
 * no other thread can exist until this one creates it, and it cannot do that from
 * inside malloc.  The caller keeps the returned token and hands it to lock_release. */
#ifndef HC_LOCK_H
#define HC_LOCK_H

#include "internal.h"
#ifdef HAVE_SYS_SINGLE_THREADED_H
#include <sys/single_threaded.h>
#endif

extern int lock_word; /* 0 free, 1 held, 2 held with waiters */

void lock_wait(void);
void lock_wake(void);

static inline bool lock_acquire(void)
{
#ifdef HAVE_SYS_SINGLE_THREADED_H
    if (__libc_single_threaded)
        return false;
#endif
    int expected = 0;
    if (!__atomic_compare_exchange_n(&lock_word, &expected, 1, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        lock_wait();
    return true;
}

static inline void lock_release(bool taken)
{
    if (!taken)
        return;
    if (__atomic_exchange_n(&lock_word, 0, __ATOMIC_RELEASE) == 2)
        lock_wake();
}

/* fork(): the prepare handler takes the lock so no thread is inside the heap at the
 * fork; the parent releases it; the child starts with a free lock. */
void lock_install_fork_handlers(void);

#endif
