/* The leak check (see leak.h).
 *
 * Memcheck's rules: a block is still reachable when a chain of start pointers leads
 * to it from a root; possibly lost when every chain has an interior pointer in it;
 * indirectly lost when only other lost blocks point to it; definitely lost when
 * nothing does.  Lost blocks form cliques: walking unreached blocks in address order,
 * each one not yet claimed leads a clique of everything it reaches (absorbing earlier
 * leaders); leaders are the definitely lost blocks, members are indirectly lost.
 *
 * Roots: every readable and writable mapping of /proc/self/maps minus the heap's own
 * regions, large blocks and heapcheck's metadata, and the calling thread's stack above
 * the frame that called heapcheck (its callers' registers are saved there).  Other threads'
 * stacks are scanned whole, as the mappings they are. */
#define _GNU_SOURCE
#include "internal.h"
#include "arena.h"
#include "leak.h"
#include "core.h"
#include "depot.h"
#include "fmt.h"
#include "guard.h"
#include "large.h"
#include "os.h"
#include "ptrset.h"
#include "slots.h"
#include "region.h"
#include "threads.h"

#include <dirent.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

const char *const leak_kind_names[LEAK_KINDS] = {"definitely lost", "indirectly lost",
                                                 "possibly lost", "still reachable"};

enum state { UNREACHED, INDIRECT, POSSIBLE, REACHABLE };

struct lb {
    uintptr_t start;
    size_t size;
    size_t indirect; /* a clique leader's indirectly lost bytes */
    uint32_t stack;
    uint8_t state;
    bool leader;
};

struct range {
    uintptr_t lo, hi;
};

struct scan {
    struct thread_state *threads; /* the other threads, stopped (threads.c) */
    size_t nthreads;
    struct thread_state self;     /* the calling thread */
    struct lb *b;
    size_t n;
    uint32_t *work; /* a stack of block indexes */
    size_t nwork;
    struct range *excl;
    size_t nexcl, excl_cap;
    bool possible_phase;
};

/* Heapsort: no allocation, O(n log n) worst case, for the arrays built here. */
static void sort(void *base, size_t n, size_t width, int (*cmp)(const void *, const void *))
{
    unsigned char *a = base, tmp[64];
#define AT(i) (a + (i) * width)
#define SWAP(i, j) (memcpy(tmp, AT(i), width), memcpy(AT(i), AT(j), width), memcpy(AT(j), tmp, width))
    for (size_t start = n / 2; start-- > 0;) {
        for (size_t root = start;;) {
            size_t child = 2 * root + 1;
            if (child >= n)
                break;
            if (child + 1 < n && cmp(AT(child), AT(child + 1)) < 0)
                child++;
            if (cmp(AT(root), AT(child)) >= 0)
                break;
            SWAP(root, child);
            root = child;
        }
    }
    for (size_t end = n; end-- > 1;) {
        SWAP(0, end);
        for (size_t root = 0;;) {
            size_t child = 2 * root + 1;
            if (child >= end)
                break;
            if (child + 1 < end && cmp(AT(child), AT(child + 1)) < 0)
                child++;
            if (cmp(AT(root), AT(child)) >= 0)
                break;
            SWAP(root, child);
            root = child;
        }
    }
#undef AT
#undef SWAP
}

/* The blocks by address: the one sort that sees a million entries, so it compares
 * and swaps inline rather than through sort()'s function pointer and memcpy. */
static void sift_blocks(struct lb *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child].start < a[child + 1].start)
            child++;
        if (a[root].start >= a[child].start)
            return;
        struct lb t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_blocks(struct lb *a, size_t n)
{
    for (size_t start = n / 2; start-- > 0;)
        sift_blocks(a, start, n);
    for (size_t end = n; end-- > 1;) {
        struct lb t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_blocks(a, 0, end);
    }
}

static int by_lo(const void *x, const void *y)
{
    uintptr_t a = ((const struct range *)x)->lo, b = ((const struct range *)y)->lo;
    return a < b ? -1 : a > b;
}

/* Smaller total first, so the heapsort leaves the largest first after reversing. */
static int by_total(const void *x, const void *y)
{
    const struct leak_record *a = x, *b = y;
    size_t ta = a->bytes + a->indirect_bytes, tb = b->bytes + b->indirect_bytes;
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return a->kind != b->kind ? (a->kind < b->kind ? -1 : 1) : (a->stack < b->stack ? -1 : a->stack > b->stack);
}

/* The block that w points into (start or interior), or -1. */
static long find(const struct scan *s, uintptr_t w, bool *interior)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->b[mid].start <= w)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    const struct lb *b = &s->b[lo - 1];
    if (w == b->start) {
        *interior = false;
        return (long)(lo - 1);
    }
    if (w < b->start + b->size) {
        *interior = true;
        return (long)(lo - 1);
    }
    return -1;
}

static void reach(struct scan *s, uintptr_t w)
{
    bool interior;
    long i = find(s, w, &interior);
    if (i < 0)
        return;
    struct lb *b = &s->b[i];
    enum state want = (interior || s->possible_phase) ? POSSIBLE : REACHABLE;
    if (b->state >= want)
        return;
    /* A possible block found again by a start pointer becomes reachable; it is then
     * scanned again under the stronger state. */
    b->state = (uint8_t)want;
    if (want == REACHABLE || s->possible_phase)
        s->work[s->nwork++] = (uint32_t)i;
}

static void scan_words(struct scan *s, uintptr_t lo, uintptr_t hi)
{
    lo = HC_ALIGN_UP(lo, sizeof(uintptr_t));
    for (uintptr_t a = lo; a + sizeof(uintptr_t) <= hi; a += sizeof(uintptr_t))
        reach(s, *(const uintptr_t *)a);
}

/* Scan [lo, hi) except the excluded ranges (sorted by lo). */
static void scan_root(struct scan *s, uintptr_t lo, uintptr_t hi)
{
    for (size_t i = 0; i < s->nexcl && lo < hi; i++) {
        const struct range *e = &s->excl[i];
        if (e->hi <= lo)
            continue;
        if (e->lo >= hi)
            break;
        if (e->lo > lo)
            scan_words(s, lo, e->lo);
        lo = e->hi;
    }
    if (lo < hi)
        scan_words(s, lo, hi);
}

static void exclude(struct scan *s, uintptr_t lo, uintptr_t hi)
{
    if (s->nexcl < s->excl_cap)
        s->excl[s->nexcl++] = (struct range){lo, hi};
}

static void exclude_meta(const void *start, const void *end, void *arg)
{
    exclude(arg, (uintptr_t)start, (uintptr_t)end);
}

static void exclude_large(block_t *b, void *arg)
{
    /* The whole mapping: from the page holding the block's start to its end. */
    uintptr_t page = os_page_size();
    exclude(arg, (uintptr_t)b & ~(page - 1), HC_ALIGN_UP((uintptr_t)b + blk_size(b), page));
}

/* Does thread t live on the stack mapping [lo, hi)?  Its stack pointer is there, or
 * the mapping is its home stack (the main thread's [stack]; for another thread, the
 * mapping that holds its thread descriptor) while it runs elsewhere. */
enum on_stack { NOT_HERE, SP_HERE, HOME_HERE };

static enum on_stack thread_on(const struct thread_state *t, uintptr_t lo, uintptr_t hi, bool main_stack)
{
    if (t->tid <= 0)
        return NOT_HERE;
    if (t->sp >= lo && t->sp < hi)
        return SP_HERE;
    /* A thread's descriptor names its home stack; the main thread's lies in the
     * loader's TLS mapping instead, which may sit right above a PROT_NONE mapping and
     * so look like a cached thread stack: it is a root, whole. */
    if (t->main_thread ? main_stack || (t->tcb >= lo && t->tcb < hi) : (t->tcb >= lo && t->tcb < hi))
        return HOME_HERE;
    return NOT_HERE;
}

/* One line of /proc/self/maps.  Every readable and writable mapping is a root, whole,
 * unless it is a stack: [stack], or (glibc's layout for threads) a writable anonymous
 * mapping right above a PROT_NONE guard.  A stack is scanned from the lowest stack
 * pointer of a thread on it (less the red zone); whole when its thread runs elsewhere
 * (on an alternate signal stack, or a stack pointer unknown); not at all when no
 * thread lives on it (glibc keeps finished threads' stacks for reuse; memcheck ignores
 * finished threads too) unless some thread could not be described (then it may be
 * that thread's).  A mapping that is not a stack is scanned whole even when a stack
 * pointer is in it: an alternate signal stack that is a static array sits among the
 * program's globals. */
static void root_mapping(const struct os_mapping *m, void *arg)
{
    struct scan *s = arg;
    const char *line = m->line;
    uintptr_t lo = m->lo, hi = m->hi;
    bool guard_below = m->guard_below;
    if (m->perms[0] != 'r' || m->perms[1] != 'w')
        return;
    if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
        return;
    bool main_stack = strstr(line, "[stack]") != NULL;
    bool anonymous = !strchr(line, '/') && !strchr(line, '[');
    if (!main_stack && !(guard_below && anonymous)) {
        scan_root(s, lo, hi);
        return;
    }
    uintptr_t from = hi;
    bool whole = false, unknown = false;
    for (size_t i = 0; i <= s->nthreads; i++) {
        const struct thread_state *t = i < s->nthreads ? &s->threads[i] : &s->self;
        if (t->tid > 0 && !t->stopped && !t->sp)
            unknown = true;
        switch (thread_on(t, lo, hi, main_stack)) {
        case SP_HERE: {
            uintptr_t below = t == &s->self ? 0 : THREAD_RED_ZONE;
            uintptr_t at = t->sp - lo > below ? t->sp - below : lo;
            if (at < from)
                from = at;
            break;
        }
        case HOME_HERE:
            whole = true;
            break;
        case NOT_HERE:
            break;
        }
    }
    if (whole || (from == hi && unknown))
        scan_root(s, lo, hi);
    else if (from < hi)
        scan_root(s, from, hi);
}

/* Words of saved registers: roots as much as memory is. */
static void scan_registers(struct scan *s, const uintptr_t *regs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        reach(s, regs[i]);
}

static void scan_roots(struct scan *s)
{
    for (size_t i = 0; i < s->nthreads; i++)
        if (s->threads[i].stopped)
            scan_registers(s, s->threads[i].regs, s->threads[i].nregs);
    scan_registers(s, s->self.regs, s->self.nregs);
    os_each_mapping(root_mapping, s);
}

static void drain(struct scan *s)
{
    while (s->nwork) {
        struct lb *b = &s->b[s->work[--s->nwork]];
        scan_words(s, b->start, b->start + b->size);
    }
}

/* Lost blocks: cliques led by the definitely lost ones. */
static void cliques(struct scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct lb *leader = &s->b[i];
        if (leader->state != UNREACHED || leader->leader)
            continue;
        leader->leader = true;
        s->work[s->nwork++] = (uint32_t)i;
        while (s->nwork) {
            struct lb *x = &s->b[s->work[--s->nwork]];
            uintptr_t a = HC_ALIGN_UP(x->start, sizeof(uintptr_t));
            for (; a + sizeof(uintptr_t) <= x->start + x->size; a += sizeof(uintptr_t)) {
                bool interior;
                long j = find(s, *(const uintptr_t *)a, &interior);
                if (j < 0 || (size_t)j == i || s->b[j].state != UNREACHED)
                    continue;
                struct lb *y = &s->b[j];
                y->state = INDIRECT;
                leader->indirect += y->size;
                if (y->leader) { /* an earlier clique joins this one */
                    leader->indirect += y->indirect;
                    y->indirect = 0;
                    y->leader = false;
                } else {
                    s->work[s->nwork++] = (uint32_t)j;
                }
            }
        }
    }
}

static void collect_live(const void *p, enum ptr_state st, void *arg)
{
    struct scan *s = arg;
    size_t size;
    uint32_t stack;
    if (st != PTR_LIVE || !guard_block_info((void *)p, &size, &stack))
        return;
    s->b[s->n++] = (struct lb){(uintptr_t)p, size, 0, stack, UNREACHED, false};
}

static void collect_slot(const void *p, size_t size, uint32_t stack, void *arg)
{
    struct scan *s = arg;
    s->b[s->n++] = (struct lb){(uintptr_t)p, size, 0, stack, UNREACHED, false};
}

static enum leak_kind kind_of(const struct lb *b)
{
    switch (b->state) {
    case REACHABLE: return LEAK_REACHABLE;
    case POSSIBLE: return LEAK_POSSIBLE;
    case INDIRECT: return LEAK_INDIRECT;
    default: return LEAK_DEFINITE;
    }
}

/* The dynamic loader's own allocations (thread TLS, link maps) are glibc's to free:
 * memcheck never sees them (glibc frees them at exit under Valgrind), so neither do
 * we report them; they count as suppressed. */
struct range_arg {
    uintptr_t lo, hi;
};

static int find_loader(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct range_arg *r = arg;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "/ld-linux"))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (!r->lo || lo < r->lo)
            r->lo = lo;
        if (hi > r->hi)
            r->hi = hi;
    }
    return 1;
}

static bool from_loader(const struct range_arg *loader, uint32_t stack)
{
    unsigned n;
    void *const *frames = depot_get(stack, &n);
    return n && (uintptr_t)frames[0] >= loader->lo && (uintptr_t)frames[0] < loader->hi;
}

static void group(struct scan *s, struct leak_result *r, uint32_t *table, size_t table_cap,
                  struct range_arg loader)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct lb *b = &s->b[i];
        enum leak_kind k = kind_of(b);
        if (b->state != REACHABLE && from_loader(&loader, b->stack)) {
            r->suppressed_bytes += b->size + b->indirect;
            r->suppressed_blocks++;
            continue;
        }
        r->bytes[k] += b->size;
        r->blocks[k]++;
        uint64_t h = ((uint64_t)b->stack * 4 + k) * 0x9e3779b97f4a7c15ULL;
        size_t j = (size_t)(h >> 32) & (table_cap - 1);
        for (;; j = (j + 1) & (table_cap - 1)) {
            if (!table[j]) {
                r->records[r->nrecords] = (struct leak_record){k, b->stack, 0, 0, 0};
                table[j] = (uint32_t)++r->nrecords;
                break;
            }
            struct leak_record *rec = &r->records[table[j] - 1];
            if (rec->kind == k && rec->stack == b->stack)
                break;
        }
        struct leak_record *rec = &r->records[table[j] - 1];
        rec->blocks++;
        rec->bytes += b->size;
        rec->indirect_bytes += b->indirect;
    }
    sort(r->records, r->nrecords, sizeof *r->records, by_total);
    /* by_total orders largest first as "smallest": the heapsort's ascending order is
     * then largest first. */
}

bool leak_scan(struct leak_result *r, uintptr_t stack_lo, const uintptr_t *regs, size_t nregs)
{
    memset(r, 0, sizeof *r);
    /* Every arena's lock is held (arena_lock_all): the blocks of all of them. */
    size_t cap = slots_live_count() + 1, excl_cap = 4096 + 16;
    for (unsigned a = 0; a < arena_count; a++) {
        arena_cur = &arenas[a];
        cap += ptrset_count();
        excl_cap += region_count() + large_count();
    }
    size_t table_cap = 16;
    while (table_cap < 2 * cap)
        table_cap *= 2;
    size_t len = cap * sizeof(struct lb) + cap * sizeof(uint32_t) + excl_cap * sizeof(struct range) +
                 cap * sizeof(struct leak_record) + table_cap * sizeof(uint32_t);
    len = HC_ALIGN_UP(len, os_page_size());
    unsigned char *m = os_map_meta(len);
    if (!m)
        return false;
    static struct scan s; /* large (thread table): not on the stack */
    memset(&s, 0, sizeof s);
    s.b = (struct lb *)m;
    s.work = (uint32_t *)(s.b + cap);
    s.excl = (struct range *)HC_ALIGN_UP((uintptr_t)(s.work + cap), 16);
    s.excl_cap = excl_cap;
    r->records = (struct leak_record *)(s.excl + excl_cap);
    uint32_t *table = (uint32_t *)(r->records + cap);
    r->map = m;
    r->map_len = len;

    for (unsigned a = 0; a < arena_count; a++) {
        arena_cur = &arenas[a];
        ptrset_walk(collect_live, &s);
        for (size_t i = 0; i < region_count(); i++)
            exclude(&s, (uintptr_t)region_at(i)->base, (uintptr_t)region_at(i)->end);
        large_walk(exclude_large, &s);
    }
    arena_cur = &arenas[0];
    slots_walk_live(collect_slot, &s);
    sort_blocks(s.b, s.n);
    /* No live block, no leak: nothing to trace, so no thread is stopped and no root
     * read.  Under Valgrind with memcheck's allocator in place of ours (docs/valgrind.md)
     * our heap is empty, and the writable mappings include the tool's own, which a
     * read from the program faults on (diffutils' suite hung on it). */
    if (s.n == 0)
        return true;

    if (slots_hi) /* live slot blocks are blocks, not roots */
        exclude(&s, slots_lo, slots_hi);
    os_meta_walk(exclude_meta, &s);
    sort(s.excl, s.nexcl, sizeof *s.excl, by_lo);

    /* The loader's extent first: a stopped thread may hold the loader's lock. */
    struct range_arg loader = {0, 0};
    dl_iterate_phdr(find_loader, &loader);

    /* The calling thread: its stack from stack_lo up, the registers the caller
     * captured, and its home stack whole when it runs on an alternate signal stack
     * (exit() from a handler). */
    stack_t ss;
    s.self.tid = syscall(SYS_gettid);
    s.self.stopped = true;
    s.self.main_thread = s.self.tid == getpid();
    s.self.on_altstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
    s.self.tcb = (uintptr_t)pthread_self();
    s.self.sp = stack_lo;
    s.nthreads = threads_stop(&s.threads);
    scan_roots(&s);
    for (size_t i = 0; i < nregs; i++)
        reach(&s, regs[i]);
    threads_resume();
    drain(&s);
    s.possible_phase = true;
    for (size_t i = 0; i < s.n; i++)
        if (s.b[i].state == POSSIBLE)
            s.work[s.nwork++] = (uint32_t)i;
    drain(&s);
    cliques(&s);
    group(&s, r, table, table_cap, loader);
    return true;
}

void leak_release(struct leak_result *r)
{
    if (r->map)
        os_unmap_meta(r->map, r->map_len);
    r->map = NULL;
}
