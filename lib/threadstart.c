/* pthread_create, wrapped so that every new thread gets its alternate signal stack
 * (fault.h) before it runs the program's code, not at its first allocation: a thread
 * that never allocates and overflows its stack is then reported too.
 *
 * The start routine and its argument travel in one of a fixed set of records, claimed
 * by an atomic flag and released by the new thread as soon as it has read them: no
 * malloc (a record the program could see as a leak, were the process to exit before
 * the thread ran), no waiting for the thread.  When every record is in flight, or the
 * fatal-signal handler is off, the thread is created as the program asked, unwrapped.
 * The wrapper calls the routine last, as a tail call, so its frame does not show in
 * the thread's stacks where the compiler makes it one (gcc and clang at -O1 and up). */
#define _GNU_SOURCE
#include "internal.h"
#include "fault.h"
#include "heapcheck.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

typedef int create_fn(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

struct start_record {
    void *(*routine)(void *);
    void *arg;
    int in_use;
};

/* Threads created and not yet started at once; past that, unwrapped. */
#define START_RECORDS 128
static struct start_record records[START_RECORDS];

static void *thread_begin(void *p)
{
    struct start_record *r = p;
    void *(*routine)(void *) = r->routine;
    void *arg = r->arg;
    __atomic_store_n(&r->in_use, 0, __ATOMIC_RELEASE);
    fault_thread_setup();
    return routine(arg);
}

static create_fn *real_create(void)
{
    static create_fn *real;
    create_fn *f = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
    if (!f) { /* dlsym may allocate: the bootstrap arena serves it (bootarena.h) */
        f = (create_fn *)dlsym(RTLD_NEXT, "pthread_create");
        __atomic_store_n(&real, f, __ATOMIC_RELEASE);
    }
    return f;
}

HC_EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                             void *(*routine)(void *), void *arg)
{
    create_fn *create = real_create();
    if (!create)
        return EAGAIN; /* no pthread_create after heapcheck's: nothing can start a thread */
    if (fault_handler_installed())
        for (unsigned i = 0; i < START_RECORDS; i++) {
            struct start_record *r = &records[i];
            if (__atomic_load_n(&r->in_use, __ATOMIC_RELAXED) ||
                __atomic_exchange_n(&r->in_use, 1, __ATOMIC_ACQUIRE))
                continue;
            r->routine = routine;
            r->arg = arg;
            int err = create(thread, attr, thread_begin, r);
            if (err)
                __atomic_store_n(&r->in_use, 0, __ATOMIC_RELEASE);
            return err;
        }
    return create(thread, attr, routine, arg);
}
