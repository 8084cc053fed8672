/* The heap front (see heap.h).  Owns start-up (options, core configuration, fork
 * handlers) and the lock discipline: every operation takes the heap lock once, does
 * its work below, releases it, and only then may report.  Never calls malloc. */
#define _GNU_SOURCE
#include "internal.h"
#include "heap.h"
#include "bootarena.h"
#include "core.h"
#include "lock.h"
#include "options.h"
#include "report.h"
#include "heapcheck.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { INIT_NONE, INIT_RUNNING, INIT_READY };
static int init_state;
static long init_tid;

static size_t live_blocks, live_bytes;

static long current_tid(void) { return syscall(SYS_gettid); }

/* First call: read the options and configure the core.  A malloc from inside this
 * (by the same thread) is served from the start-up arena. */
static HC_COLD void init_slow(void)
{
    bool taken = lock_acquire();
    bool mine = false;
    if (init_state == INIT_NONE) {
        init_tid = current_tid();
        __atomic_store_n(&init_state, INIT_RUNNING, __ATOMIC_RELAXED);
        options_load(report_warning);
        core_config.mmap_threshold = options.mmap_threshold;
        core_config.trim_threshold = options.trim_threshold;
        core_config.top_pad = options.top_pad;
        core_config.use_sbrk = options.use_sbrk;
        report_init();
        __atomic_store_n(&init_state, INIT_READY, __ATOMIC_RELEASE);
        mine = true;
    }
    lock_release(taken);
    if (mine)
        lock_install_fork_handlers(); /* may call malloc: we are ready for it now */
}

static inline bool starting_up(void)
{
    if (HC_LIKELY(__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == INIT_READY))
        return false;
    if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == INIT_RUNNING && init_tid == current_tid())
        return true;
    init_slow();
    return false;
}

void *heap_alloc(size_t size, size_t align, enum alloc_kind kind, bool zero)
{
    (void)kind;
    if (HC_UNLIKELY(starting_up())) {
        void *p = bootarena_alloc(size, align);
        if (p && zero)
            memset(p, 0, size);
        return p;
    }
    if (align < 16)
        align = 16;
    bool taken = lock_acquire();
    void *p = core_alloc(size, align, 0);
    bool fresh = false;
    if (p) {
        live_blocks++;
        live_bytes += core_usable(p);
        fresh = core_is_mapped(p); /* new mappings are already zero */
    }
    lock_release(taken);
    if (HC_UNLIKELY(!p)) {
        errno = ENOMEM;
        return NULL;
    }
    if (zero && !fresh)
        memset(p, 0, size);
    return p;
}

void heap_free(void *p, enum alloc_kind kind)
{
    (void)kind;
    if (!p || HC_UNLIKELY(bootarena_owns(p)))
        return;
    bool taken = lock_acquire();
    live_blocks--;
    live_bytes -= core_usable(p);
    core_free(p);
    lock_release(taken);
}

size_t heap_usable(void *p)
{
    if (!p)
        return 0;
    if (HC_UNLIKELY(bootarena_owns(p)))
        return bootarena_usable(p);
    bool taken = lock_acquire();
    size_t n = core_usable(p);
    lock_release(taken);
    return n;
}

void *heap_realloc(void *p, size_t size)
{
    if (!p)
        return heap_alloc(size, 16, KIND_MALLOC, false);
    if (size == 0) { /* as glibc: free and return NULL */
        heap_free(p, KIND_MALLOC);
        return NULL;
    }
    size_t old;
    if (HC_UNLIKELY(bootarena_owns(p))) {
        old = bootarena_usable(p);
    } else {
        bool taken = lock_acquire();
        old = core_usable(p);
        bool done = core_resize(p, size);
        if (done)
            live_bytes += core_usable(p) - old;
        lock_release(taken);
        if (done)
            return p;
    }
    void *q = heap_alloc(size, 16, KIND_MALLOC, false);
    if (!q)
        return NULL; /* p stays valid, as the standard says */
    memcpy(q, p, old < size ? old : size);
    heap_free(p, KIND_MALLOC);
    return q;
}

static void count_problem(const char *what, const void *where, void *arg)
{
    (void)arg;
    report_heap_problem(what, where);
}

size_t heap_check(void)
{
    if (starting_up())
        return 0;
    bool taken = lock_acquire();
    size_t bad = core_check(count_problem, NULL);
    lock_release(taken);
    return bad;
}

void heap_stats(struct hc_stats *s)
{
    memset(s, 0, sizeof *s);
    if (starting_up())
        return;
    struct core_stats c;
    bool taken = lock_acquire();
    core_get_stats(&c);
    s->live_blocks = live_blocks;
    s->live_bytes = live_bytes;
    lock_release(taken);
    s->heap_bytes = c.heap_bytes;
    s->mapped_bytes = c.mapped_bytes;
    s->free_bytes = c.free_bytes;
    s->free_blocks = c.free_blocks;
    s->largest_free = c.largest_free;
    s->fragmentation = c.free_bytes ? 1.0 - (double)c.largest_free / (double)c.free_bytes : 0.0;
    s->errors = report_error_count();
}
