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
#include "trace.h"
#include "report.h"
#include "heapcheck.h"
#include "depot.h"
#include "guard.h"
#include "secret.h"
#include "stack.h"
#include "vg.h"
#include "dump.h"
#include "fmt.h"
#include "leak.h"
#include "leakreport.h"
#include "quarantine.h"
#include "slots.h"
#include "fault.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

enum { INIT_NONE, INIT_RUNNING, INIT_READY };
static int init_state;
static long init_tid;

#ifdef HAVE_VALGRIND_MEMCHECK_H
bool vg_active;
#endif
static bool guarded;                   /* preset none: straight to the core */
static size_t live_blocks, live_bytes;  /* kept here only when not guarded */
static unsigned long ops;               /* for check_interval */
static size_t allocs, frees;            /* for the summary at exit (verbosity=2) */
static unsigned stack_depth;            /* frames per stack: 1 in the hardened preset */

static long current_tid(void) { return syscall(SYS_gettid); }

/* Re-entry: a thread inside the heap lock's region that calls the allocator again can
 * only be a signal handler that interrupted it (heapcheck itself never does).  Serving
 * it would deadlock on the lock, or, while the process is single-threaded and the
 * lock is skipped, corrupt the free index; so it is reported and the process aborts. */
static __thread __attribute__((tls_model("initial-exec"))) bool inside_heap;

static HC_COLD __attribute__((noreturn)) void reentered(void)
{
    void *pc[24];
    unsigned n = stack_unwind(__builtin_frame_address(0), pc, 24), skip = 0;
    Dl_info self, at; /* heapcheck's own frames first: the handler's call is what counts */
    if (dladdr((void *)reentered, &self))
        while (skip < n && dladdr((char *)pc[skip] - 1, &at) && at.dli_fbase == self.dli_fbase)
            skip++;
    struct fmt *f = report_begin();
    report_line_start(f);
    fmt_printf(f, "heapcheck: malloc called from a signal handler while the interrupted code was inside "
                  "malloc (the allocator is not async-signal-safe), at:\n");
    unsigned index = 0;
    for (unsigned i = skip; i < n && i < skip + 16; i++)
        report_frame(f, &index, pc[i]);
    report_line_start(f);
    fmt_printf(f, "heapcheck: aborting: serving it would deadlock or corrupt the heap\n");
    report_end();
    inside_heap = false;
    abort();
}

static inline bool heap_lock(void)
{
    if (HC_UNLIKELY(inside_heap))
        reentered();
    inside_heap = true;
    return lock_acquire();
}

static inline void heap_unlock(bool taken)
{
    lock_release(taken);
    inside_heap = false;
}

/* First call: read the options and configure the core.  A malloc from inside this
 * (by the same thread) is served from the start-up arena. */
static HC_COLD void init_slow(void)
{
    bool taken = heap_lock();
    bool mine = false;
    if (init_state == INIT_NONE) {
        init_tid = current_tid();
        __atomic_store_n(&init_state, INIT_RUNNING, __ATOMIC_RELAXED);
        vg_init();
        options_load(report_warning);
        if (!trace_this_process())
            options.preset = PRESET_NONE; /* a skipped child: the bare allocator (trace.c) */
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
        guard_config.fill_limit = HC_ALIGN_UP(options.fill_limit, 64);
        guard_config.quarantine_size = options.quarantine_size;
        guard_config.quarantine_max_block = options.quarantine_max_block;
        /* Past 10000% the bound means nothing; the clamp keeps the product in range. */
        guard_config.quarantine_ratio =
            options.quarantine_ratio < 10000 ? (unsigned)options.quarantine_ratio : 10000;
        if (vg_active && guarded) {
            /* A block must not be reused before the entry point has told memcheck it
             * was freed, which the quarantine (keeping at least the newest block)
             * ensures.  heapcheck's own leak check stays on: memcheck takes the
             * contents of heapcheck's live blocks for roots (docs/valgrind.md). */
            guard_config.quarantine = true;
            guard_config.quarantine_max_block = SIZE_MAX;
        }
        stack_depth = options.stack_depth < DEPOT_MAX_FRAMES ? (unsigned)options.stack_depth
                                                              : DEPOT_MAX_FRAMES;
        if (options.preset == PRESET_HARDENED) {
            if (stack_depth > 1)
                stack_depth = 1; /* the caller only: unwinding is most of a stack's cost */
            options.leak_check = LEVEL_OFF; /* protection, not diagnosis */
        }
        if (guarded && !vg_active) { /* memcheck sees reads itself: no slots under it */
            bool hardened = options.preset == PRESET_HARDENED;
            struct slots_config sc = {
                .count = options.guard_slots,
                .first = hardened ? 0 : options.guard_first,
                .sample = hardened ? options.guard_sample_hardened : options.guard_sample,
                .left = options.guard_left,
            };
            slots_init(&sc);
        }
        report_init();
        if (guarded && !vg_active)
            fault_init();
        __atomic_store_n(&init_state, INIT_READY, __ATOMIC_RELEASE);
        mine = true;
    }
    heap_unlock(taken);
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

#ifndef HC_NO_STANDARD_NAMES
/* At load, not at the first malloc: a program that faults before it allocates
 * still gets the fault report (fault.c).  Not in the unit tests' library, which
 * drives the layers below directly. */
__attribute__((constructor)) static void heap_init_at_load(void)
{
    if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == INIT_NONE)
        init_slow();
}
#endif

#define MAX_CHECK_FINDINGS 16

/* Under memcheck, errors it reports itself (at the faulting instruction, or at the
 * FREELIKE of a bad pointer) are not reported twice, and do not abort. */
static bool memcheck_reports(enum bug bug)
{
    return vg_active && bug != BUG_MISMATCH && bug != BUG_BAD_HEADER && bug != BUG_HEAP_CORRUPTION;
}

/* The action after an error: abort() unless abort_on_error=0.  Before it, the
 * SUMMARY line and the dump, which says the process aborted (abort() runs no
 * destructor: the leak check never runs). */
void heap_finish_error(void)
{
    if (!options.abort_on_error)
        return;
    report_summary(false, 0, 0, 0);
    if (options.dump_path && options.dump_path[0]) {
        dump_note_end(DUMP_END_ABORT);
        dump_write(options.dump_path, NULL);
    }
    struct fmt *f = report_begin();
    report_line_start(f);
    fmt_printf(f, "heapcheck: aborting (set HEAPCHECK_OPTIONS=abort_on_error=0 to report and go on)\n");
    report_end();
    abort();
}

static HC_COLD void report_all(struct finding *f, size_t n, uint32_t op_stack)
{
    size_t reported = 0;
    for (size_t i = 0; i < n; i++) {
        if (memcheck_reports(f[i].bug))
            continue;
        if (!f[i].op_stack && f[i].op != OP_CHECK)
            f[i].op_stack = op_stack;
        report_finding(&f[i]);
        reported++;
    }
    if (reported)
        heap_finish_error();
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
    /* One frame is the entry point's return address: no unwinder needed. */
    s->n = options.dwarf_unwind && stack_depth > 1 ? stack_unwind_dwarf(frame, s->pc, stack_depth)
                                                   : stack_unwind(frame, s->pc, stack_depth);
}

/* A finding about the pointer an operation was given: record where it came from. */
static HC_COLD void report_bad_pointer(struct finding *f, void *frame)
{
    struct frames s;
    capture(&s, frame);
    bool taken = heap_lock();
    uint32_t stack = depot_put(s.pc, s.n);
    heap_unlock(taken);
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
    vg_enter();
    if (!guarded) {
        bool taken = heap_lock();
        p = core_alloc(size, align, 0);
        if (p) {
            live_blocks++;
            live_bytes += core_usable(p);
        }
        bool fresh = p && core_is_mapped(p); /* new mappings are already zero */
        heap_unlock(taken);
        if (p && zero && !fresh)
            memset(p, 0, size);
    } else {
        struct finding found[MAX_CHECK_FINDINGS + 1];
        struct frames s;
        capture(&s, frame);
        uint32_t stack = depot_recall(s.pc, s.n, DEPOT_SLOT_ALLOC);
        bool taken = heap_lock();
        if (!stack)
            stack = depot_put_remembered(s.pc, s.n, DEPOT_SLOT_ALLOC);
        p = guard_alloc(size, align, kind, stack, zero);
        size_t n = 0;
        if (HC_UNLIKELY(!p) && guard_config.quarantine) {
            /* The OS said no: what the quarantine holds is better used than failing. */
            n = (size_t)guard_flush_quarantine(found);
            p = guard_alloc(size, align, kind, stack, zero);
        }
        allocs += p != NULL;
        n += periodic_check(found + n);
        heap_unlock(taken);
        if (HC_UNLIKELY(n))
            report_all(found, n, stack);
    }
    vg_leave();
    if (HC_UNLIKELY(!p))
        errno = ENOMEM;
    return p;
}

static enum op release_op(enum alloc_kind kind)
{
    return kind == KIND_NEW ? OP_DELETE : kind == KIND_NEW_ARRAY ? OP_DELETE_ARRAY : OP_FREE;
}

bool heap_free(void *p, enum alloc_kind kind, void *frame)
{
    /* Every entry point starts heapcheck up, so a bad pointer as the process's first
     * call is checked like any other (only start-up's own calls skip the checks). */
    if (!p || HC_UNLIKELY(bootarena_owns(p)) || HC_UNLIKELY(starting_up()))
        return true;
    if (!guarded) {
        bool taken = heap_lock();
        live_blocks--;
        live_bytes -= core_usable(p);
        core_free(p);
        heap_unlock(taken);
        return true;
    }
    vg_enter();
    struct finding found[MAX_CHECK_FINDINGS + 2];
    struct frames s;
    capture(&s, frame);
    uint32_t stack = depot_recall(s.pc, s.n, DEPOT_SLOT_FREE);
    bool taken = heap_lock();
    if (!stack)
        stack = depot_put_remembered(s.pc, s.n, DEPOT_SLOT_FREE);
    size_t n = (size_t)guard_free(p, kind, release_op(kind), stack, found);
    frees++;
    bool freed = n == 0 || found[0].bug == BUG_MISMATCH;
    n += periodic_check(found + n);
    heap_unlock(taken);
    if (HC_UNLIKELY(n))
        report_all(found, n, stack);
    vg_leave();
    return freed;
}

size_t heap_usable(void *p, void *frame)
{
    if (!p)
        return 0;
    if (HC_UNLIKELY(bootarena_owns(p)))
        return bootarena_usable(p);
    if (HC_UNLIKELY(starting_up()))
        return 0;
    size_t n = 0;
    struct finding found;
    vg_enter();
    bool taken = heap_lock();
    int bad = guarded ? guard_size(p, OP_USABLE_SIZE, &n, &found) : (n = core_usable(p), 0);
    heap_unlock(taken);
    if (HC_UNLIKELY(bad))
        report_bad_pointer(&found, frame);
    vg_leave();
    return n;
}

int heap_resize(void *p, size_t size, size_t *old, void *frame)
{
    if (HC_UNLIKELY(bootarena_owns(p))) {
        *old = bootarena_usable(p);
        return 0;
    }
    if (HC_UNLIKELY(starting_up()))
        return -1;
    struct finding found;
    bool done = false;
    int bad = 0;
    vg_enter();
    bool taken = heap_lock();
    if (!guarded) {
        *old = core_usable(p);
        done = core_resize(p, size);
        if (done)
            live_bytes += core_usable(p) - *old;
    } else {
        bad = guard_size(p, OP_REALLOC, old, &found);
        if (!bad)
            done = guard_resize_in_place(p, size);
    }
    heap_unlock(taken);
    if (HC_UNLIKELY(bad))
        report_bad_pointer(&found, frame);
    vg_leave();
    return bad ? -1 : done;
}

size_t heap_check(void)
{
    if (starting_up())
        return 0;
    struct finding found[MAX_CHECK_FINDINGS];
    size_t bad;
    vg_enter();
    bool taken = heap_lock();
    if (guarded) {
        bad = guard_check_all(found, MAX_CHECK_FINDINGS);
    } else {
        heap_unlock(taken);
        bad = core_check(NULL, NULL); /* racy but harmless: preset none is for benchmarks */
        vg_leave();
        return bad;
    }
    heap_unlock(taken);
    for (size_t i = 0; i < bad && i < MAX_CHECK_FINDINGS; i++)
        report_finding(&found[i]);
    vg_leave();
    return bad;
}

bool heap_guarded(void)
{
    return !starting_up() && guarded;
}

void heap_stats(struct hc_stats *s)
{
    memset(s, 0, sizeof *s);
    if (starting_up())
        return;
    struct core_stats c;
    bool taken = heap_lock();
    core_get_stats(&c);
    s->live_blocks = guarded ? guard_live_blocks() : live_blocks;
    s->live_bytes = guarded ? guard_live_bytes() : live_bytes;
    s->quarantine_bytes = quar_bytes();
    s->quarantine_blocks = quar_count();
    heap_unlock(taken);
    s->heap_bytes = c.heap_bytes;
    s->mapped_bytes = c.mapped_bytes;
    s->free_bytes = c.free_bytes;
    s->free_blocks = c.free_blocks;
    s->largest_free = c.largest_free;
    s->fragmentation = c.free_bytes ? 1.0 - (double)c.largest_free / (double)c.free_bytes : 0.0;
    s->errors = report_error_count();
}

/* Run the leak check (lock held for the scan only); false if it could not run. */
static bool leak_check(struct leak_result *r, const void *stack_from, const ucontext_t *regs)
{
    vg_enter(); /* the scan reads every word of every block, defined or not */
    bool taken = heap_lock();
    bool ok = leak_scan(r, stack_from, (const uintptr_t *)regs, sizeof *regs / sizeof(uintptr_t));
    heap_unlock(taken);
    vg_leave();
    return ok;
}

size_t heap_leak_report(void)
{
    if (starting_up() || !guarded)
        return 0;
    ucontext_t regs; /* the caller's registers are roots too */
    getcontext(&regs);
    struct leak_result r;
    if (!leak_check(&r, __builtin_frame_address(0), &regs))
        return 0;
    leak_report_print(&r, true);
    size_t counted = 0;
    for (int k = 0; k < LEAK_KINDS; k++)
        if ((options.errors_for_leak_kinds >> k) & 1)
            counted += r.bytes[k];
    leak_release(&r);
    return counted;
}

/* verbosity=2: what the process did with its heap, in one paragraph. */
static void print_summary(void)
{
    struct hc_stats s;
    heap_stats(&s);
    struct fmt *f = report_begin();
    report_line_start(f);
    fmt_printf(f, "heapcheck: %zu allocations, %zu frees; %zu bytes in %zu blocks live at exit\n", allocs,
               frees, s.live_bytes, s.live_blocks);
    report_line_start(f);
    fmt_printf(f, "heapcheck: heap %zu bytes (%zu in large mappings), %zu free in %zu blocks, "
                  "%zu in quarantine; %zu errors\n",
               s.heap_bytes, s.mapped_bytes, s.free_bytes, s.free_blocks, s.quarantine_bytes, s.errors);
    report_end();
}

/* At exit (after the program's own atexit handlers and destructors, as ours run
 * last): the heap check, so an overflow in a block never freed is still caught; the
 * leak check; the dump; and the exit status when leaks or errors count. */
__attribute__((destructor)) static void heap_at_exit(void)
{
    if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) != INIT_READY || !guarded)
        return;
    ucontext_t regs; /* the registers of the code that called exit() are roots too */
    getcontext(&regs);
    vg_enter(); /* what follows reads heapcheck's metadata, which memcheck may not */
    if (options.check_at_exit && heap_check())
        heap_finish_error();
    struct leak_result r;
    bool leaks_run = options.leak_check != LEVEL_OFF && leak_check(&r, __builtin_frame_address(0), &regs);
    if (leaks_run)
        leak_report_print(&r, options.leak_check == LEVEL_FULL);
    if (options.dump_path && options.dump_path[0])
        dump_write(options.dump_path, leaks_run ? &r : NULL); /* warns, naming the file, when it cannot */
    if (options.verbosity >= 2)
        print_summary();
    bool counts = report_error_count() > 0 || (leaks_run && leak_result_counts(&r));
    size_t leaked_bytes = 0, leaked_blocks = 0;
    uint32_t leak_stack = 0;
    for (int k = 0; leaks_run && k < LEAK_KINDS; k++) {
        if (!((options.errors_for_leak_kinds >> k) & 1))
            continue;
        leaked_bytes += r.bytes[k];
        leaked_blocks += r.blocks[k];
    }
    for (size_t i = 0; leaks_run && i < r.nrecords && !leak_stack; i++)
        if ((options.errors_for_leak_kinds >> r.records[i].kind) & 1)
            leak_stack = r.records[i].stack;
    report_summary(leaks_run, leaked_bytes, leaked_blocks, leak_stack);
    if (leaks_run)
        leak_release(&r);
    vg_leave();
    if (counts && options.exitcode) {
        fflush(NULL); /* the program's buffered output, which _exit would lose */
        _exit((int)options.exitcode);
    }
}
