/* The heap front (see heap.h).  Owns start-up (options, core configuration, fork
 * handlers), the choice of arena and the lock discipline: every operation takes one
 * arena's lock once (its thread's arena for a new block, the block's own arena, found
 * by address, for the others), does its work below, releases it, and only then
 * reports what it found.  Never calls malloc. */
#define _GNU_SOURCE
#include "internal.h"
#include "arena.h"
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
#include "exitframe.h"
#include "leakreport.h"
#include "libcfree.h"
#include "quarantine.h"
#include "slots.h"
#include "fault.h"
#include "suppressions.h"

#include <dlfcn.h>
#include <sched.h>
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
static unsigned stack_depth;            /* frames per stack: 1 in the hardened preset */
static size_t large_cut;                /* requests this large go to arena 0 (large blocks) */

static long current_tid(void) { return syscall(SYS_gettid); }

/* Re-entry: a thread holding one of heapcheck's locks that calls the allocator again can
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

static inline bool heap_lock(struct arena *a)
{
    if (HC_UNLIKELY(inside_heap))
        reentered();
    inside_heap = true;
    bool taken = lock_take(&a->lock);
    arena_cur = a;
    return taken;
}

static inline void heap_unlock(struct arena *a, bool taken)
{
    lock_give(&a->lock, taken);
    inside_heap = false;
}

/* The depot alone (a stack for a report): its lock is the last in the order. */
static inline bool depot_lock(void)
{
    if (HC_UNLIKELY(inside_heap))
        reentered();
    inside_heap = true;
    return lock_acquire();
}

static inline void depot_unlock(bool taken)
{
    lock_release(taken);
    inside_heap = false;
}

bool heap_lock_all(void)
{
    if (HC_UNLIKELY(inside_heap))
        reentered();
    inside_heap = true;
    bool taken = arena_lock_all();
    lock_take(&lock_word);
    return taken;
}

void heap_unlock_all(bool taken)
{
    lock_give(&lock_word, taken);
    arena_unlock_all(taken);
    arena_cur = &arenas[0];
    inside_heap = false;
}

bool heap_try_enter(int *word, bool *taken)
{
    *taken = false;
    if (inside_heap)
        return false; /* this thread is inside heapcheck: its state may be half-changed */
#ifdef HAVE_SYS_SINGLE_THREADED_H
    if (!__libc_single_threaded)
#endif
    {
        int tries = 0, expected = 0;
        while (!__atomic_compare_exchange_n(word, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (++tries == 1000)
                return false;
            expected = 0;
            sched_yield();
        }
        *taken = true;
    }
    inside_heap = true;
    return true;
}

void heap_leave(int *word, bool taken)
{
    lock_give(word, taken);
    arena_cur = &arenas[0];
    inside_heap = false;
}

/* A thread's arena for new blocks: picked at its first allocation, kept for its life
 * (a thread's own variable: no allocation, no lock).  The thread that starts
 * heapcheck, and any thread while the process is single-threaded, takes arena 0;
 * later threads take the others round-robin, so arena 0 stays the main thread's. */
static __thread __attribute__((tls_model("initial-exec"))) struct arena *home;
static unsigned next_arena;

static HC_COLD struct arena *pick_home(void)
{
    struct arena *a = &arenas[0];
#ifdef HAVE_SYS_SINGLE_THREADED_H
    bool alone = __libc_single_threaded;
#else
    bool alone = false;
#endif
    if (arena_count > 1 && !alone)
        a = &arenas[1 + __atomic_fetch_add(&next_arena, 1, __ATOMIC_RELAXED) % (arena_count - 1)];
    home = a;
    return a;
}

static inline struct arena *arena_for(size_t size)
{
    if (HC_UNLIKELY(size >= large_cut))
        return &arenas[0]; /* a large block, or near enough: arena 0 owns them all */
    struct arena *a = home;
    return HC_LIKELY(a != NULL) ? a : pick_home();
}

/* arenas=0: two per CPU this process may run on, at most 8 (sched_getaffinity: no
 * allocation, unlike sysconf). */
static unsigned arenas_wanted(void)
{
    if (options.arenas)
        return options.arenas < ARENAS_MAX ? (unsigned)options.arenas : ARENAS_MAX;
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    unsigned n = cpus > 0 ? 2 * (unsigned)cpus : 2;
    return n < 8 ? n : 8;
}

/* First call: read the options and configure the core.  A malloc from inside this
 * (by the same thread) is served from the start-up arena. */
static HC_COLD void init_slow(void)
{
    bool taken = heap_lock(&arenas[0]);
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
        /* Large blocks are arena 0's; a guarded request is the block less at most
         * GUARD_PREFIX + 48 bytes (with its growth room, no closer than the margin), so
         * this cut sends every would-be large block there. */
        large_cut = options.mmap_threshold > CORE_LARGE_MARGIN ? options.mmap_threshold - CORE_LARGE_MARGIN : 0;
        /* Under Valgrind threads run one at a time: one arena. */
        arena_init(vg_active ? 1 : arenas_wanted());
        home = &arenas[0];
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
        guard_config.hold = options.preset == PRESET_HARDENED && !guard_config.quarantine;
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
                .keep_freed = !options.abort_on_error, /* a read after free goes on: old bytes */
            };
            slots_init(&sc);
        }
        guard_arenas_start();
        report_init();
        if (guarded)
            suppressions_load();
        if (guarded && !vg_active)
            fault_init();
        __atomic_store_n(&init_state, INIT_READY, __ATOMIC_RELEASE);
        mine = true;
    }
    heap_unlock(&arenas[0], taken);
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
        if (suppressions_hide_finding(&f[i]))
            continue;
        report_finding(&f[i]);
        reported++;
    }
    if (reported)
        heap_finish_error();
}

/* check_interval: every N operations of an arena, a full check of that arena and of
 * the guarded slots (its lock held; findings copied out). */
static size_t periodic_check(struct finding *out)
{
    if (HC_LIKELY(!options.check_interval) || ++arena_cur->ops % options.check_interval)
        return 0;
    size_t n = guard_check_all(out, MAX_CHECK_FINDINGS);
    if (n < MAX_CHECK_FINDINGS)
        n += guard_check_slots(out + n, MAX_CHECK_FINDINGS - n);
    return n < MAX_CHECK_FINDINGS ? n : MAX_CHECK_FINDINGS;
}

/* A free block the core found damaged during this operation (core.h): one finding,
 * taken under the lock, reported after it.  The core has set the block aside. */
static HC_COLD size_t core_damage_finding(enum op op, struct finding *f)
{
    struct core_damage d;
    if (!core_take_damage(&d))
        return 0;
    memset(f, 0, sizeof *f);
    f->op = op;
    f->addr = d.addr;
    f->block = d.block;
    f->freed = true;
    if (d.size_word) {
        f->bug = BUG_BAD_HEADER;
        f->detail = "it is a free block whose size word or foot was overwritten (they no longer "
                    "agree, or the size runs past its region)";
        f->cause = "an overflow from the block before this free block (an index or length past its "
                   "end), or a write after free";
    } else {
        f->bug = BUG_WRITE_AFTER_FREE;
        f->detail = "was modified after it was freed: its links";
    }
    return 1;
}

static inline size_t core_damage(struct arena *a, enum op op, struct finding *f)
{
    return HC_UNLIKELY(CORE_DAMAGE_PENDING(a)) ? core_damage_finding(op, f) : 0;
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
    bool taken = depot_lock();
    uint32_t stack = depot_put(s.pc, s.n);
    depot_unlock(taken);
    report_all(f, 1, stack);
}

/* Preset none: straight to the core.  The guarded paths are functions of their own,
 * so the bare path does not pay for their stack frames. */
static inline void *alloc_bare(size_t size, size_t align, enum alloc_kind kind, bool zero)
{
    struct arena *a = arena_for(size);
    struct finding damage;
    bool taken = heap_lock(a);
    /* A block realloc() places will likely grow again: room for it (core.h). */
    void *p = core_alloc(kind == KIND_REALLOC ? size + core_growth_room(size) : size, align, 0);
    if (p) {
        a->live_blocks++;
        a->live_bytes += core_usable(p);
    }
    bool fresh = p && core_is_mapped(p); /* new mappings are already zero */
    size_t bad = core_damage(a, OP_MALLOC, &damage);
    heap_unlock(a, taken);
    if (HC_UNLIKELY(bad))
        report_all(&damage, 1, 0);
    if (p && zero && !fresh)
        memset(p, 0, size);
    return p;
}

static HC_NOINLINE void *alloc_guarded(size_t size, size_t align, enum alloc_kind kind, bool zero,
                                       void *frame)
{
    struct finding found[MAX_CHECK_FINDINGS + 2];
    struct frames s;
    struct arena *a = arena_for(size);
    fault_thread_setup(); /* this thread's alternate signal stack (fault.h) */
    capture(&s, frame);
    uint32_t stack = depot_recall(s.pc, s.n, DEPOT_SLOT_ALLOC);
    bool taken = heap_lock(a);
    if (!stack) {
        bool d = lock_acquire(); /* the depot's, after the arena's */
        stack = depot_put_remembered(s.pc, s.n, DEPOT_SLOT_ALLOC);
        lock_release(d);
    }
    void *p = guard_alloc(size, align, kind, stack, zero);
    size_t n = 0;
    if (HC_UNLIKELY(!p) && (guard_config.quarantine || guard_config.hold)) {
        /* The OS said no: what the quarantine holds is better used than failing. */
        n = (size_t)guard_flush_quarantine(found);
        p = guard_alloc(size, align, kind, stack, zero);
    }
    if (HC_UNLIKELY(!p) && slots_give_back()) /* the pool's unused address space (a low RLIMIT_AS) */
        p = guard_alloc(size, align, kind, stack, zero);
    a->allocs += p != NULL;
    n += core_damage(a, OP_MALLOC, found + n);
    n += periodic_check(found + n);
    heap_unlock(a, taken);
    if (HC_UNLIKELY(n))
        report_all(found, n, stack);
    return p;
}

void *heap_alloc(size_t size, size_t align, enum alloc_kind kind, bool zero, void *frame)
{
    if (HC_UNLIKELY(starting_up())) {
        void *p = bootarena_alloc(size, align);
        if (p && zero)
            memset(p, 0, size);
        return p;
    }
    vg_enter();
    /* align 0 is malloc's own: 16 in the core, what the size needs in a guarded slot. */
    void *p = guarded ? alloc_guarded(size, align, kind, zero, frame)
                      : alloc_bare(size, align < 16 ? 16 : align, kind, zero);
    vg_leave();
    if (HC_UNLIKELY(!p))
        errno = ENOMEM;
    return p;
}

static enum op release_op(enum alloc_kind kind)
{
    return kind == KIND_NEW ? OP_DELETE : kind == KIND_NEW_ARRAY ? OP_DELETE_ARRAY : OP_FREE;
}

static HC_NOINLINE bool free_guarded(void *p, struct arena *a, enum alloc_kind kind, void *frame)
{
    vg_enter();
    struct finding found[MAX_CHECK_FINDINGS + 3];
    struct frames s;
    capture(&s, frame);
    uint32_t stack = depot_recall(s.pc, s.n, DEPOT_SLOT_FREE);
    bool taken = heap_lock(a);
    if (!stack) {
        bool d = lock_acquire();
        stack = depot_put_remembered(s.pc, s.n, DEPOT_SLOT_FREE);
        lock_release(d);
    }
    size_t n = (size_t)guard_free(p, kind, release_op(kind), stack, found);
    a->frees++;
    bool freed = n == 0 || found[0].bug == BUG_MISMATCH;
    n += core_damage(a, release_op(kind), found + n);
    n += periodic_check(found + n);
    heap_unlock(a, taken);
    if (HC_UNLIKELY(n))
        report_all(found, n, stack);
    vg_leave();
    return freed;
}

bool heap_free(void *p, enum alloc_kind kind, void *frame)
{
    /* Every entry point starts heapcheck up, so a bad pointer as the process's first
     * call is checked like any other (only start-up's own calls skip the checks). */
    if (!p || HC_UNLIKELY(bootarena_owns(p)) || HC_UNLIKELY(starting_up()))
        return true;
    struct arena *a = arena_of(p); /* the block's own arena, whichever thread frees it */
    if (guarded)
        return free_guarded(p, a, kind, frame);
    vg_enter(); /* the core reads and writes block heads memcheck keeps off limits */
    struct finding damage;
    bool taken = heap_lock(a);
    a->live_blocks--;
    a->live_bytes -= core_usable(p);
    core_free(p);
    size_t bad = core_damage(a, release_op(kind), &damage);
    heap_unlock(a, taken);
    if (HC_UNLIKELY(bad))
        report_all(&damage, 1, 0);
    vg_leave();
    return true;
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
    struct arena *a = arena_of(p);
    bool taken = heap_lock(a);
    int bad = guarded ? guard_size(p, OP_USABLE_SIZE, &n, &found) : (n = core_usable(p), 0);
    heap_unlock(a, taken);
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
    struct finding found, damage;
    bool done = false;
    int bad = 0;
    vg_enter();
    struct arena *a = arena_of(p);
    bool taken = heap_lock(a);
    if (!guarded) {
        *old = core_usable(p);
        /* Under memcheck a block resized in place must be told with the size memcheck
         * knows, the requested one, which the bare core does not keep: move instead. */
        done = !vg_active && core_resize(p, size);
        if (done)
            a->live_bytes += core_usable(p) - *old;
    } else {
        int r = guard_resize(p, size, old, &found);
        bad = r < 0;
        done = r > 0;
    }
    size_t damaged = core_damage(a, OP_REALLOC, &damage);
    heap_unlock(a, taken);
    if (HC_UNLIKELY(bad))
        report_bad_pointer(&found, frame);
    if (HC_UNLIKELY(damaged))
        report_all(&damage, 1, 0);
    vg_leave();
    return bad ? -1 : done;
}

size_t heap_check(void)
{
    if (starting_up())
        return 0;
    struct finding found[MAX_CHECK_FINDINGS];
    size_t bad = 0;
    vg_enter();
    /* Arena by arena, each under its own lock: each is checked whole and consistent. */
    for (unsigned i = 0; i < arena_count; i++) {
        size_t room = bad < MAX_CHECK_FINDINGS ? MAX_CHECK_FINDINGS - bad : 0;
        struct finding *out = found + (MAX_CHECK_FINDINGS - room);
        bool taken = heap_lock(&arenas[i]);
        if (guarded) {
            size_t n = guard_check_all(out, room);
            if (i == 0)
                n += guard_check_slots(out + (n < room ? n : room), n < room ? room - n : 0);
            bad += n;
        } else {
            bad += core_check(NULL, NULL);
        }
        heap_unlock(&arenas[i], taken);
    }
    if (!guarded) {
        vg_leave();
        return bad;
    }
    size_t shown = bad;
    for (size_t i = 0; i < bad && i < MAX_CHECK_FINDINGS; i++) {
        if (suppressions_hide_finding(&found[i]))
            shown--;
        else
            report_finding(&found[i]);
    }
    vg_leave();
    return shown;
}

bool heap_guarded(void)
{
    return !starting_up() && guarded;
}

/* The current arena's share of the totals. */
static void add_arena_stats(struct hc_stats *s)
{
    struct core_stats c;
    core_get_stats(&c);
    s->live_blocks += arena_cur->live_blocks;
    s->live_bytes += arena_cur->live_bytes;
    s->quarantine_bytes += quar_bytes();
    s->quarantine_blocks += quar_count();
    s->heap_bytes += c.heap_bytes;
    s->mapped_bytes += c.mapped_bytes;
    s->free_bytes += c.free_bytes;
    s->free_blocks += c.free_blocks;
    if (c.largest_free > s->largest_free)
        s->largest_free = c.largest_free;
}

void heap_stats_locked(struct hc_stats *s)
{
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < arena_count; i++) {
        arena_cur = &arenas[i];
        add_arena_stats(s);
    }
    arena_cur = &arenas[0];
    s->live_blocks += slots_live_count();
    s->live_bytes += slots_live_bytes();
}

void heap_stats(struct hc_stats *s)
{
    memset(s, 0, sizeof *s);
    if (starting_up())
        return;
    for (unsigned i = 0; i < arena_count; i++) { /* arena by arena: no global lock */
        bool taken = heap_lock(&arenas[i]);
        add_arena_stats(s);
        if (i == 0) {
            bool t = lock_take(&slots_lock);
            s->live_blocks += slots_live_count();
            s->live_bytes += slots_live_bytes();
            lock_give(&slots_lock, t);
        }
        heap_unlock(&arenas[i], taken);
    }
    s->fragmentation = s->free_bytes ? 1.0 - (double)s->largest_free / (double)s->free_bytes : 0.0;
    s->errors = report_error_count();
}

/* Run the leak check (lock held for the scan only); false if it could not run. */
static bool leak_check(struct leak_result *r, uintptr_t stack_lo, const uintptr_t *regs, size_t nregs)
{
    vg_enter(); /* the scan reads every word of every block, defined or not */
    bool taken = heap_lock_all(); /* every arena, in order: blocks point across arenas */
    bool ok = leak_scan(r, stack_lo, regs, nregs);
    heap_unlock_all(taken);
    vg_leave();
    if (ok) {
        suppressions_apply_leaks(r);
        libc_suppress_leaks(r); /* what glibc keeps for itself (after __libc_freeres at exit) */
    }
    return ok;
}

size_t heap_leak_report(void)
{
    if (starting_up() || !guarded)
        return 0;
    ucontext_t regs; /* the caller's registers are roots too */
    getcontext(&regs);
    struct leak_result r;
    if (!leak_check(&r, leak_stack_lo(__builtin_frame_address(0)), (const uintptr_t *)&regs,
                    sizeof regs / sizeof(uintptr_t)))
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
    size_t hidden_errors, hidden_records;
    suppressions_counts(&hidden_errors, &hidden_records);
    size_t allocs = 0, frees = 0;
    for (unsigned i = 0; i < arena_count; i++) {
        allocs += arenas[i].allocs;
        frees += arenas[i].frees;
    }
    struct fmt *f = report_begin();
    report_line_start(f);
    fmt_printf(f, "heapcheck: %zu allocations, %zu frees; %zu bytes in %zu blocks live at exit\n", allocs,
               frees, s.live_bytes, s.live_blocks);
    report_line_start(f);
    fmt_printf(f, "heapcheck: heap %zu bytes (%zu in large mappings), %zu free in %zu blocks, "
                  "%zu in quarantine; %zu errors\n",
               s.heap_bytes, s.mapped_bytes, s.free_bytes, s.free_blocks, s.quarantine_bytes, s.errors);
    if (options.suppressions && options.suppressions[0]) {
        report_line_start(f);
        fmt_printf(f, "heapcheck: suppressed: %zu errors, %zu leak records\n", hidden_errors,
                   hidden_records);
    }
    report_end();
}

/* At exit (after the program's own atexit handlers and destructors, as ours run
 * last): the heap check, so an overflow in a block never freed is still caught; the
 * leak check; the dump; and the exit status when leaks or errors count. */
__attribute__((destructor)) static void heap_at_exit(void)
{
    if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) != INIT_READY || !guarded)
        return;
    libc_release_at_exit(); /* glibc's own memory, as memcheck does */
    ucontext_t regs; /* the registers of the code that called exit() are roots too */
    getcontext(&regs);
    /* The exiting thread's stack from where the program called exit() (or main
     * returned) when that is known (exitframe.c): the frames below are dead. */
    struct exit_frame exit_at;
    bool exit_known = exit_frame_get(&exit_at);
    uintptr_t stack_lo = exit_known ? exit_at.stack_lo : leak_stack_lo(__builtin_frame_address(0));
    const uintptr_t *roots = exit_known ? exit_at.regs : (const uintptr_t *)&regs;
    size_t nroots = exit_known ? exit_at.nregs : sizeof regs / sizeof(uintptr_t);
    vg_enter(); /* what follows reads heapcheck's metadata, which memcheck may not */
    if (options.check_at_exit && heap_check())
        heap_finish_error();
    struct leak_result r;
    bool leaks_run = options.leak_check != LEVEL_OFF && leak_check(&r, stack_lo, roots, nroots);
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
