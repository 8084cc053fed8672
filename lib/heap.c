/* The heap front (see heap.h).  Owns start-up (options, core configuration, fork
 * handlers) and the lock discipline: every operation takes the heap lock once, does
 * its work below, releases it, and only then reports what it found.  Never calls
 * malloc. */
#define _GNU_SOURCE
#include "internal.h"
#include "heap.h"
#include "bootarena.h"
#include "core.h"
#include "lock.h"
#include "options.h"
#include "report.h"
#include "heapcheck.h"
#include "depot.h"
#include "guard.h"
#include "secret.h"
#include "stack.h"
#include "dump.h"
#include "leak.h"
#include "leakreport.h"
#include "quarantine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { INIT_NONE, INIT_RUNNING, INIT_READY };
static int init_state;
static long init_tid;

static bool guarded;                   /* preset none: straight to the core */
static size_t live_blocks, live_bytes;  /* kept here only when not guarded */
static unsigned long ops;               /* for check_interval */
static unsigned stack_depth;            /* frames per stack: 1 in the hardened preset */

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
        secret_init();
        guarded = options.preset != PRESET_NONE;
        guard_config.quarantine = options.preset == PRESET_FULL && options.quarantine_size > 0;
        guard_config.fill = options.preset == PRESET_FULL && options.alloc_fill < 256;
        guard_config.alloc_fill = (unsigned char)options.alloc_fill;
        guard_config.free_fill = (unsigned char)options.free_fill;
        guard_config.quarantine_size = options.quarantine_size;
        stack_depth = options.stack_depth < DEPOT_MAX_FRAMES ? (unsigned)options.stack_depth
                                                              : DEPOT_MAX_FRAMES;
        if (options.preset == PRESET_HARDENED && stack_depth > 1)
            stack_depth = 1; /* the caller only: unwinding is most of a stack's cost */
        guard_config.quarantine_max_block = options.quarantine_max_block;
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

#define MAX_CHECK_FINDINGS 16

static HC_COLD void report_all(struct finding *f, size_t n, uint32_t op_stack)
{
    for (size_t i = 0; i < n; i++) {
        if (!f[i].op_stack && f[i].op != OP_CHECK)
            f[i].op_stack = op_stack;
        report_finding(&f[i]);
    }
    if (n)
        report_finish_error();
}

/* check_interval: every N operations, a full check (lock held; findings copied out). */
static size_t periodic_check(struct finding *out)
{
    if (HC_LIKELY(!options.check_interval) || ++ops % options.check_interval)
        return 0;
    size_t n = guard_check_all(out, MAX_CHECK_FINDINGS);
    return n < MAX_CHECK_FINDINGS ? n : MAX_CHECK_FINDINGS;
}

/* Unwind before taking the lock (it reads only this thread's stack); store after. */
struct frames {
    unsigned n;
    void *pc[DEPOT_MAX_FRAMES];
};

static inline void capture(struct frames *s, void *frame)
{
    s->n = stack_unwind(frame, s->pc, stack_depth);
}

/* A finding about the pointer an operation was given: record where it came from. */
static HC_COLD void report_bad_pointer(struct finding *f, void *frame)
{
    struct frames s;
    capture(&s, frame);
    bool taken = lock_acquire();
    uint32_t stack = depot_put(s.pc, s.n);
    lock_release(taken);
    report_all(f, 1, stack);
}

void *heap_alloc(size_t size, size_t align, enum alloc_kind kind, bool zero, void *frame)
{
    if (HC_UNLIKELY(starting_up())) {
        void *p = bootarena_alloc(size, align);
        if (p && zero)
            memset(p, 0, size);
        return p;
    }
    if (align < 16)
        align = 16;
    void *p;
    if (!guarded) {
        bool taken = lock_acquire();
        p = core_alloc(size, align, 0);
        if (p) {
            live_blocks++;
            live_bytes += core_usable(p);
        }
        bool fresh = p && core_is_mapped(p); /* new mappings are already zero */
        lock_release(taken);
        if (p && zero && !fresh)
            memset(p, 0, size);
    } else {
        struct finding found[MAX_CHECK_FINDINGS];
        struct frames s;
        capture(&s, frame);
        bool taken = lock_acquire();
        uint32_t stack = depot_put(s.pc, s.n);
        p = guard_alloc(size, align, kind, stack, zero);
        size_t n = periodic_check(found);
        lock_release(taken);
        if (HC_UNLIKELY(n))
            report_all(found, n, stack);
    }
    if (HC_UNLIKELY(!p))
        errno = ENOMEM;
    return p;
}

static enum op release_op(enum alloc_kind kind)
{
    return kind == KIND_NEW ? OP_DELETE : kind == KIND_NEW_ARRAY ? OP_DELETE_ARRAY : OP_FREE;
}

void heap_free(void *p, enum alloc_kind kind, void *frame)
{
    if (!p || HC_UNLIKELY(bootarena_owns(p)))
        return;
    if (!guarded) {
        bool taken = lock_acquire();
        live_blocks--;
        live_bytes -= core_usable(p);
        core_free(p);
        lock_release(taken);
        return;
    }
    struct finding found[MAX_CHECK_FINDINGS + 2];
    struct frames s;
    capture(&s, frame);
    bool taken = lock_acquire();
    uint32_t stack = depot_put(s.pc, s.n);
    size_t n = (size_t)guard_free(p, kind, release_op(kind), stack, found);
    n += periodic_check(found + n);
    lock_release(taken);
    if (HC_UNLIKELY(n))
        report_all(found, n, stack);
}

size_t heap_usable(void *p, void *frame)
{
    if (!p)
        return 0;
    if (HC_UNLIKELY(bootarena_owns(p)))
        return bootarena_usable(p);
    size_t n = 0;
    struct finding found;
    bool taken = lock_acquire();
    int bad = guarded ? guard_size(p, OP_USABLE_SIZE, &n, &found) : (n = core_usable(p), 0);
    lock_release(taken);
    if (HC_UNLIKELY(bad))
        report_bad_pointer(&found, frame);
    return n;
}

void *heap_realloc(void *p, size_t size, void *frame)
{
    if (!p)
        return heap_alloc(size, 16, KIND_MALLOC, false, frame);
    if (size == 0) { /* as glibc: free and return NULL */
        heap_free(p, KIND_MALLOC, frame);
        return NULL;
    }
    size_t old = 0;
    if (HC_UNLIKELY(bootarena_owns(p))) {
        old = bootarena_usable(p);
    } else {
        struct finding found;
        bool done = false;
        int bad = 0;
        bool taken = lock_acquire();
        if (!guarded) {
            old = core_usable(p);
            done = core_resize(p, size);
            if (done)
                live_bytes += core_usable(p) - old;
        } else {
            bad = guard_size(p, OP_REALLOC, &old, &found);
            if (!bad)
                done = guard_resize_in_place(p, size);
        }
        lock_release(taken);
        if (HC_UNLIKELY(bad)) {
            report_bad_pointer(&found, frame);
            errno = EINVAL;
            return NULL; /* the pointer is not a block: nothing to copy from */
        }
        if (done)
            return p;
    }
    void *q = heap_alloc(size, 16, KIND_MALLOC, false, frame);
    if (!q)
        return NULL; /* p stays valid, as the standard says */
    memcpy(q, p, old < size ? old : size);
    heap_free(p, KIND_MALLOC, frame);
    return q;
}

size_t heap_check(void)
{
    if (starting_up())
        return 0;
    struct finding found[MAX_CHECK_FINDINGS];
    size_t bad;
    bool taken = lock_acquire();
    if (guarded) {
        bad = guard_check_all(found, MAX_CHECK_FINDINGS);
    } else {
        bad = 0;
        lock_release(taken);
        return core_check(NULL, NULL); /* racy but harmless: preset none is for benchmarks */
    }
    lock_release(taken);
    for (size_t i = 0; i < bad && i < MAX_CHECK_FINDINGS; i++)
        report_finding(&found[i]);
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
    s->live_blocks = guarded ? guard_live_blocks() : live_blocks;
    s->live_bytes = guarded ? guard_live_bytes() : live_bytes;
    s->quarantine_bytes = quar_bytes();
    s->quarantine_blocks = quar_count();
    lock_release(taken);
    s->heap_bytes = c.heap_bytes;
    s->mapped_bytes = c.mapped_bytes;
    s->free_bytes = c.free_bytes;
    s->free_blocks = c.free_blocks;
    s->largest_free = c.largest_free;
    s->fragmentation = c.free_bytes ? 1.0 - (double)c.largest_free / (double)c.free_bytes : 0.0;
    s->errors = report_error_count();
}

/* Run the leak check (lock held for the scan only); false if it could not run. */
static bool leak_check(struct leak_result *r, const void *stack_from)
{
    bool taken = lock_acquire();
    bool ok = leak_scan(r, stack_from);
    lock_release(taken);
    return ok;
}

size_t heap_leak_report(void)
{
    if (starting_up() || !guarded)
        return 0;
    struct leak_result r;
    if (!leak_check(&r, __builtin_frame_address(0)))
        return 0;
    leak_report_print(&r, true);
    size_t counted = 0;
    for (int k = 0; k < LEAK_KINDS; k++)
        if ((options.errors_for_leak_kinds >> k) & 1)
            counted += r.bytes[k];
    leak_release(&r);
    return counted;
}

/* At exit (after the program's own atexit handlers and destructors, as ours run
 * last): the heap check, so an overflow in a block never freed is still caught; the
 * leak check; the dump; and the exit status when leaks or errors count. */
__attribute__((destructor)) static void heap_at_exit(void)
{
    if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) != INIT_READY || !guarded)
        return;
    if (options.check_at_exit && heap_check())
        report_finish_error();
    struct leak_result r;
    bool leaks_run = options.leak_check != LEVEL_OFF && leak_check(&r, __builtin_frame_address(0));
    if (leaks_run)
        leak_report_print(&r, options.leak_check == LEVEL_FULL);
    if (options.dump_path && options.dump_path[0] && !dump_write(options.dump_path, leaks_run ? &r : NULL))
        report_warning("heapcheck: warning: could not write the dump (dump_path): the disk may be full\n");
    bool counts = report_error_count() > 0 || (leaks_run && leak_result_counts(&r));
    if (leaks_run)
        leak_release(&r);
    if (counts && options.exitcode) {
        fflush(NULL); /* the program's buffered output, which _exit would lose */
        _exit((int)options.exitcode);
    }
}
