/* The slow paths of the locks (see lock.h): futex wait and wake, and the fork
 * handlers.  Never allocates and never reports. */
#include "internal.h"
#include "lock.h"
#include "arena.h"
#include "report.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

int lock_word;

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ volatile("yield")
#else
#define cpu_relax() ((void)0)
#endif

void lock_wait(int *word)
{
    /* Critical sections are short: spin a little before paying for a sleep and a
     * wake-up (two system calls and a context switch each way). */
    for (int i = 0; i < 200; i++) {
        cpu_relax();
        int expected = 0;
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(word, &expected, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
    }
    /* Mark the lock contended, then sleep until it is released. */
    while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void lock_wake(int *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static bool fork_token;

/* glibc's lock of the list of stdio streams.  fork() takes it after the prepare
 * handlers run; a thread flushing every stream holds it while it waits for a stream
 * lock, whose holder may be waiting in malloc for an arena lock.  Taking it before
 * ours (it is recursive, so fork's own call still succeeds) keeps glibc's
 * order: stdio list first, then the allocator, as glibc's own malloc does. */
extern void _IO_list_lock(void) __attribute__((weak));
extern void _IO_list_unlock(void) __attribute__((weak));

static void before_fork(void)
{
    if (_IO_list_lock)
        _IO_list_lock();
    fork_token = arena_lock_all();
    lock_take(&lock_word);
}

static void after_fork_parent(void)
{
    lock_give(&lock_word, fork_token);
    arena_unlock_all(fork_token);
    if (_IO_list_unlock)
        _IO_list_unlock();
}

static void after_fork_child(void)
{
    /* The child has one thread, this one; whoever held the locks is gone (glibc
     * resets its stdio list lock in the child itself). */
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELAXED);
    arena_reset_locks();
    hold_after_fork();
    report_after_fork();
}

void lock_install_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
