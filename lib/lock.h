/* Locks: futex words, each guarding one piece of allocator state: an arena's lock
 * (arena.h) its core and guard-layer state, the slots lock the guarded slots, and
 * lock_word the stack depot.  While the process has a single thread (glibc's
 * __libc_single_threaded) the atomics are skipped: no other thread can exist until
 * this one creates it, and it cannot do that from inside malloc.  The caller keeps
 * the returned token and hands it back at release.  Order, where several are held:
 * arenas by index, then the slots lock, then the depot lock. */
#ifndef HC_LOCK_H
#define HC_LOCK_H

#include "internal.h"
#ifdef HAVE_SYS_SINGLE_THREADED_H
#include <sys/single_threaded.h>
#endif

extern int lock_word; /* the depot's: 0 free, 1 held, 2 held with waiters */

void lock_wait(int *word);
void lock_wake(int *word);

static inline bool lock_take(int *word)
{
#ifdef HAVE_SYS_SINGLE_THREADED_H
    if (__libc_single_threaded)
        return false;
#endif
    int expected = 0;
    if (!__atomic_compare_exchange_n(word, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        lock_wait(word);
    return true;
}

static inline void lock_give(int *word, bool taken)
{
    if (!taken)
        return;
    if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2)
        lock_wake(word);
}

/* The depot lock. */
static inline bool lock_acquire(void) { return lock_take(&lock_word); }
static inline void lock_release(bool taken) { lock_give(&lock_word, taken); }

/* fork(): the prepare handler takes every lock so no thread is inside the heap at the
 * fork; the parent releases them; the child starts with them free. */
void lock_install_fork_handlers(void);

#endif
