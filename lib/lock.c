/* The slow paths of the heap lock (see lock.h): futex wait and wake, and the fork
 * handlers.  Never allocates and never reports. */
#include "internal.h"
#include "lock.h"

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

void lock_wait(void)
{
    /* Critical sections are short: spin a little before paying for a sleep and a
     * wake-up (two system calls and a context switch each way). */
    for (int i = 0; i < 200; i++) {
        cpu_relax();
        int expected = 0;
        if (__atomic_load_n(&lock_word, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&lock_word, &expected, 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
    }
    /* Mark the lock contended, then sleep until it is released. */
    while (__atomic_exchange_n(&lock_word, 2, __ATOMIC_ACQUIRE) != 0)
        syscall(SYS_futex, &lock_word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void lock_wake(void)
{
    syscall(SYS_futex, &lock_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static bool fork_token;

static void before_fork(void)
{
    fork_token = lock_acquire();
}

static void after_fork_parent(void)
{
    lock_release(fork_token);
}

static void after_fork_child(void)
{
    /* The child has one thread, this one; whoever held the lock is gone. */
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELAXED);
}

void lock_install_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
