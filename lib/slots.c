/* Guarded slots (see slots.h).  The pool is one reservation of address space:
 *
 *   | guard | data (64 KiB) | guard | data | guard | ... | data | guard |
 *
 * so every slot's data lies between two guard pages.  A block is placed flush
 * against the guard after it (its end rounded down to the smallest alignment C
 * allows for its size, or the one asked for: the few bytes between hold a canary,
 * and so do the open bytes before it, its front canary, both checked at free, at
 * realloc and by the heap check) or, for one block in `left` from each
 * call site, at the start of the data, against the guard before it.  Only the pages the block touches are
 * opened; at free the whole data is closed again and its pages dropped (kept, with
 * abort_on_error=0, so a read after free that goes on reads the old bytes), and the
 * slot is reused only after every never-used slot and every slot freed before it,
 * so a dangling pointer faults for as long as the pool allows.  The metadata of each
 * slot (who allocated and freed it) lives in a table of its own.  Policy: the first
 * `first` allocations are all guarded (a test program's every block); past them one
 * in about `sample`, at random intervals, as GWP-ASan does. */
#include "internal.h"
#include "slots.h"
#include "guard.h"
#include "os.h"
#include "secret.h"
#include "arena.h"
#include "lock.h"

#include <string.h>

/* The largest block a slot holds: a test program's buffers (a 64 KiB one included)
 * fault at an overrun.  The data of every slot is this size in address space (4096
 * slots: 272 MiB reserved, MAP_NORESERVE; at most a quarter of RLIMIT_AS); only the pages a block touches are ever
 * opened, so a small block costs what it did in a 2-page slot. */
#define SLOT_MAX ((size_t)64 << 10)

enum slot_state { SLOT_EMPTY, SLOT_LIVE, SLOT_FREED };

struct slot {
    uintptr_t user;
    size_t size;
    uint32_t alloc_stack, free_stack;
    uint8_t state, kind, left;
    uint8_t kept;  /* freed with its bytes kept (keep_freed): dropped before reuse */
    uint8_t aside; /* a page of it was opened after a fault (slots_fault_open): never reused */
    uint8_t damaged; /* its canary damage was reported: not again */
};

size_t slots_countdown = SIZE_MAX;
uintptr_t slots_lo, slots_hi;

static struct slots_config cfg;
static struct slot *meta;
static uint32_t *freed_ring; /* indices of freed slots, oldest first */
static size_t ring_head, ring_len, ring_cap, never_used, live, live_bytes;
/* Guarded blocks placed so far per call site (a hash of the allocation stack's id):
 * placement alternates per site, not over the whole program, so a loop that
 * allocates at two sites cannot keep each on one side (a global count did). */
#define SITES 1024
static uint32_t site_placed[SITES];
static size_t page, stride, data_len;
static uint64_t rng;

/* The most address space the pool may hold: a quarter of RLIMIT_AS, when the process
 * has one, so a program under a low limit keeps the rest for itself. */
static size_t pool_budget(void)
{
    size_t limit = os_address_space_limit();
    return limit == SIZE_MAX ? SIZE_MAX : limit / 4;
}

/* Unmap the slots never used past the first that fit budget bytes (0: all of them). */
static size_t give_back_locked(size_t budget)
{
    if (!meta)
        return 0; /* no pool (and no stride) */
    size_t fit = budget > page ? (budget - page) / stride : 0;
    if (fit < never_used)
        fit = never_used;
    if (fit > cfg.count)
        fit = cfg.count;
    size_t keep = meta ? fit * stride + page : 0, had = slots_hi - slots_lo, freed = 0;
    if (meta && keep < had) {
        if (!fit) {
            keep = 0; /* no slot was ever used: the whole pool goes */
            slots_countdown = SIZE_MAX;
        }
        /* Out of range first, so no pointer is taken for a slot's while it goes. */
        __atomic_store_n(&slots_hi, slots_lo + keep, __ATOMIC_RELEASE);
        os_unmap((void *)(slots_lo + keep), had - keep);
        cfg.count = fit; /* past them, the freed slots are reused */
        freed = had - keep;
    }
    return freed;
}

void slots_init(const struct slots_config *c)
{
    cfg = *c;
    if (!cfg.count || cfg.count > ((size_t)1 << 20))
        return;
    page = os_page_size();
    data_len = HC_ALIGN_UP(SLOT_MAX, page);
    stride = data_len + page;
    size_t budget = pool_budget(); /* an address-space limit inherited (ulimit -v) */
    if (cfg.count * stride + page > budget)
        cfg.count = budget > page ? (budget - page) / stride : 0;
    if (!cfg.count)
        return;
    size_t len = cfg.count * stride + page;
    size_t meta_len = HC_ALIGN_UP(cfg.count * (sizeof *meta + sizeof *freed_ring), page);
    unsigned char *pool = os_reserve(len);
    unsigned char *m = pool ? os_map_meta(meta_len) : NULL;
    if (!m) {
        if (pool)
            os_close_pages(pool, len); /* harmless: the reservation stays unused */
        return;
    }
    meta = (struct slot *)(void *)m;
    ring_cap = cfg.count;
    freed_ring = (uint32_t *)(void *)(meta + cfg.count);
    slots_lo = (uintptr_t)pool;
    slots_hi = slots_lo + len;
    rng = secret_canary(pool) | 1;
    slots_countdown = cfg.first ? 1 : cfg.sample ? 1 + cfg.sample / 2 : SIZE_MAX;
}

/* Uniform enough in [1, 2 * sample - 1]: the mean interval is sample. */
static size_t next_interval(void)
{
    if (cfg.first) {
        cfg.first--;
        return 1;
    }
    if (!cfg.sample)
        return SIZE_MAX;
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return 1 + (size_t)(rng % (2 * cfg.sample - 1));
}

static unsigned char *data_of(size_t i) { return (unsigned char *)slots_lo + i * stride + page; }

/* The alignment C asks of malloc(n): that of the largest fundamental type that fits in
 * n bytes (C2x 7.24.3; max_align_t's, 16, from 16 bytes up), so a block of 1, 2, 4 or
 * 8 bytes ends exactly at its guard.  An explicit alignment (memalign, aligned new:
 * at least 16 by then) is kept when larger. */
static size_t placement_align(size_t n, size_t asked)
{
    size_t a = n >= 16 ? 16 : n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
    return asked > a ? asked : a;
}

/* The canary byte at a in the slack of the block at user: a keyed word per block,
 * repeated at its natural alignment (as the guard layer's rear canary). */
static inline unsigned char canary_at(uint64_t w, const unsigned char *a)
{
    return (unsigned char)(w >> (((uintptr_t)a & 7) * 8));
}

/* The open part of a slot's data: the pages its block touches. */
static void open_range(const struct slot *s, size_t i, unsigned char **lo, unsigned char **hi)
{
    unsigned char *d = data_of(i);
    if (s->left) {
        *lo = d;
        *hi = d + HC_ALIGN_UP(s->size, page);
    } else {
        *lo = (unsigned char *)(s->user & ~(uintptr_t)(page - 1));
        *hi = d + data_len;
    }
}

static bool take_slot(size_t *i)
{
    while (never_used < cfg.count && meta[never_used].aside)
        never_used++; /* beside a guard page a fault opened */
    if (never_used < cfg.count) {
        *i = never_used++;
        return true;
    }
    while (ring_len) {
        *i = freed_ring[ring_head];
        ring_head = (ring_head + 1) % ring_cap;
        ring_len--;
        if (!meta[*i].aside)
            return true;
    }
    return false;
}

void *slots_alloc(size_t n, size_t align, enum alloc_kind kind, uint32_t stack, bool zero, int fill)
{
    slots_countdown = next_interval();
    size_t i;
    /* A slot never used costs address space: those past the budget of a limit the
     * program set itself (setrlimit) since are given back.  A system call, next to the two each
     * guarded block makes anyway. */
    size_t budget;
    if (meta && never_used < cfg.count && slots_hi - slots_lo > (budget = pool_budget()))
        give_back_locked(budget);
    if (!meta || n == 0 || n > data_len || align > page || !take_slot(&i)) {
        if (!cfg.count)
            slots_countdown = SIZE_MAX; /* the pool was given back whole */
        else if (slots_countdown != SIZE_MAX)
            slots_countdown = 1; /* try again with the next allocation */
        return NULL;
    }
    struct slot *s = &meta[i];
    unsigned char *d = data_of(i);
    /* A site's first block is right-placed (overflows are the commoner bug), then
     * one in `left` against the guard before it. */
    s->left = cfg.left && ++site_placed[(stack * 0x9e3779b1u) >> 22 /* 10 bits: SITES */] % cfg.left == 0;
    s->user = s->left ? (uintptr_t)d : ((uintptr_t)d + data_len - n) & ~(uintptr_t)(placement_align(n, align) - 1);
    s->size = n;
    if (s->kept) { /* the old block's bytes, kept for a read after free: dropped now */
        os_close_pages(d, data_len);
        s->kept = 0;
    }
    unsigned char *lo, *hi;
    open_range(s, i, &lo, &hi);
    if (!os_open_pages(lo, (size_t)(hi - lo))) {
        s->state = SLOT_FREED; /* back in the ring, still closed */
        freed_ring[(ring_head + ring_len++) % ring_cap] = (uint32_t)i;
        return NULL;
    }
    s->state = SLOT_LIVE;
    s->damaged = 0;
    s->kind = (uint8_t)kind;
    s->alloc_stack = stack;
    s->free_stack = 0;
    unsigned char *u = (unsigned char *)s->user;
    uint64_t w = secret_canary(u);
    unsigned char *a = lo; /* the front canary: the open bytes before it (lo is page-aligned) */
    for (; a + 8 <= u; a += 8)
        *(uint64_t *)(void *)a = w; /* canary_at's bytes, a word at a time */
    for (; a < u; a++)
        *a = canary_at(w, a);
    for (a = u + n; a < hi; a++)
        *a = canary_at(w, a);
    if (!zero && fill >= 0) /* fresh pages are zero already; the fill limit as for core blocks */
        memset(u, fill, guard_config.fill_limit && n > guard_config.fill_limit ? guard_config.fill_limit : n);
    live++;
    live_bytes += n;
    return u;
}

static struct slot *slot_of(const void *p, size_t *index)
{
    size_t off = (uintptr_t)p - slots_lo;
    size_t i = off / stride;
    if (off % stride < page && (i == cfg.count || (i > 0 && !meta[i].left)))
        i--; /* the guard before slot i: past the end of slot i - 1, unless slot i is left-placed */
    if (i >= cfg.count)
        return NULL;
    *index = i;
    return &meta[i];
}

/* First changed canary byte of a live slot, and how many changed. */
static unsigned char *check_canary(const struct slot *s, size_t i, size_t *changed)
{
    unsigned char *lo, *hi, *first = NULL;
    open_range(s, i, &lo, &hi);
    *changed = 0;
    uint64_t w = secret_canary((const void *)s->user);
    for (unsigned char *a = (unsigned char *)s->user + s->size; a < hi; a++) {
        if (*a != canary_at(w, a)) {
            if (!first)
                first = a;
            ++*changed;
        }
    }
    return first;
}

/* First (lowest: how far back it reached) changed byte of the front canary, the open
 * bytes before a right-placed block, and how many changed. */
static unsigned char *check_front(const struct slot *s, size_t i, size_t *changed)
{
    unsigned char *lo, *hi, *first = NULL, *u = (unsigned char *)s->user;
    open_range(s, i, &lo, &hi);
    *changed = 0;
    uint64_t w = secret_canary(u), diff = 0;
    unsigned char *a = lo;
    for (; a + 8 <= u; a += 8) /* intact: whole words; the bytes only on damage */
        diff |= *(const uint64_t *)(const void *)a ^ w;
    for (; a < u; a++)
        diff |= *a ^ canary_at(w, a);
    if (!diff)
        return NULL;
    for (a = lo; a < u; a++) {
        if (*a != canary_at(w, a)) {
            if (!first)
                first = a;
            ++*changed;
        }
    }
    return first;
}

static void describe(const struct slot *s, enum op op, const void *addr, struct finding *f)
{
    memset(f, 0, sizeof *f);
    f->op = op;
    f->addr = addr;
    f->block = (const void *)s->user;
    f->block_known = true;
    f->size = s->size;
    f->offset = (long long)((uintptr_t)addr - s->user);
    f->alloc_stack = s->alloc_stack;
    f->alloc_kind = (enum alloc_kind)s->kind;
    f->freed = s->state == SLOT_FREED;
    f->free_stack = s->free_stack;
}

/* A pointer that is not a live slot block's start. */
static void classify(void *u, enum op op, struct finding *f)
{
    size_t i;
    struct slot *s = slot_of(u, &i);
    if (!s || s->state == SLOT_EMPTY) {
        memset(f, 0, sizeof *f);
        f->op = op;
        f->addr = u;
        f->bug = BUG_WILD_FREE;
        return;
    }
    describe(s, op, u, f);
    f->bug = s->state == SLOT_FREED ? BUG_DOUBLE_FREE : BUG_INTERIOR_FREE;
    if (f->bug == BUG_DOUBLE_FREE && (f->offset < 0 || (size_t)f->offset >= s->size))
        f->offset = 0; /* a guard or the slack: the block's own start is the likely pointer */
}

static bool live_start(void *u, size_t *i)
{
    struct slot *s = slot_of(u, i);
    return s && s->state == SLOT_LIVE && s->user == (uintptr_t)u;
}

/* A live block's canaries: one finding, the front's first (an underflow), into f;
 * the block is then marked, so the damage is reported once.  Returns 0 or 1. */
static int damage(struct slot *s, size_t i, enum op op, struct finding *f)
{
    if (s->damaged)
        return 0;
    size_t changed;
    unsigned char *bad = check_front(s, i, &changed);
    enum bug bug = BUG_UNDERFLOW;
    if (!bad) {
        bad = check_canary(s, i, &changed);
        bug = BUG_OVERFLOW;
    }
    if (!bad)
        return 0;
    describe(s, op, bad, f);
    f->bug = bug;
    f->changed = changed;
    s->damaged = 1;
    return 1;
}

int slots_free(void *u, enum alloc_kind kind, enum op op, uint32_t stack, struct finding *out)
{
    size_t i;
    if (!live_start(u, &i)) {
        classify(u, op, out);
        out->op_kind = kind;
        return 1;
    }
    struct slot *s = &meta[i];
    int found = damage(s, i, op, out); /* not again once reported (realloc, usable size) */
    if (found)
        out[0].op_kind = kind;
    if (kind_family((enum alloc_kind)s->kind) != kind) {
        describe(s, op, u, &out[found]);
        out[found].bug = BUG_MISMATCH;
        out[found].op_kind = kind;
        found++;
    }
    if (cfg.keep_freed) {
        os_hide_pages(data_of(i), data_len);
        s->kept = 1;
    } else {
        os_close_pages(data_of(i), data_len);
    }
    s->state = SLOT_FREED;
    s->free_stack = stack;
    if (!s->aside)
        freed_ring[(ring_head + ring_len++) % ring_cap] = (uint32_t)i;
    live--;
    live_bytes -= s->size;
    return found;
}

int slots_size(void *u, enum op op, size_t *size, struct finding *out)
{
    size_t i;
    if (!live_start(u, &i)) {
        classify(u, op, out);
        return 1;
    }
    *size = meta[i].size;
    return damage(&meta[i], i, op, out); /* realloc then fails, as for a core block */
}

void slots_check(slots_found_fn *fn, void *arg)
{
    for (size_t i = 0; meta && i < never_used; i++) {
        if (meta[i].state != SLOT_LIVE || meta[i].damaged)
            continue;
        for (int rear = 0; rear < 2; rear++) {
            size_t changed;
            unsigned char *bad = rear ? check_canary(&meta[i], i, &changed) : check_front(&meta[i], i, &changed);
            if (!bad)
                continue;
            struct finding f;
            describe(&meta[i], OP_CHECK, bad, &f);
            f.bug = rear ? BUG_OVERFLOW : BUG_UNDERFLOW;
            f.changed = changed;
            fn(&f, arg);
            meta[i].damaged = 1; /* after both sides: reported once, not at its free */
        }
    }
}

void slots_walk_live(slots_walk_fn *fn, void *arg)
{
    for (size_t i = 0; meta && i < never_used; i++)
        if (meta[i].state == SLOT_LIVE)
            fn((const void *)meta[i].user, meta[i].size, meta[i].alloc_stack, arg);
}

void slots_walk_spans(slots_span_fn *fn, void *arg)
{
    if (!meta)
        return;
    for (size_t i = 0; i < never_used; i++)
        fn(slots_lo + i * stride, slots_lo + (i + 1) * stride,
           meta[i].state == SLOT_LIVE ? SLOT_VIEW_LIVE : SLOT_VIEW_CLOSED, arg);
    if (never_used < cfg.count)
        fn(slots_lo + never_used * stride, slots_lo + cfg.count * stride, SLOT_VIEW_UNUSED, arg);
}

size_t slots_live_count(void) { return live; }
size_t slots_live_bytes(void) { return live_bytes; }

size_t slots_give_back(void)
{
    bool taken = lock_take(&slots_lock);
    size_t freed = give_back_locked(0);
    lock_give(&slots_lock, taken);
    return freed;
}

/* The slots a page of the pool belongs to: a data page's own, or a guard page's two
 * neighbours.  Each is set aside. */
static void set_aside_around(uintptr_t pg)
{
    size_t off = pg - slots_lo, k = off / stride;
    if (off % stride < page && k > 0)
        meta[k - 1].aside = 1;
    if (k < cfg.count)
        meta[k].aside = 1;
}

bool slots_fault_open(const void *addr)
{
    if (!meta || !slots_owns(addr))
        return false;
    uintptr_t pg = (uintptr_t)addr & ~(uintptr_t)(page - 1);
    unsigned char *lo = (unsigned char *)pg, *hi = lo + page;
    size_t i;
    struct slot *s = slot_of(addr, &i);
    if (s && s->state == SLOT_FREED) { /* the whole freed block, with the bytes it kept */
        unsigned char *blo, *bhi;
        open_range(s, i, &blo, &bhi);
        if (lo >= blo && lo < bhi)
            lo = blo, hi = bhi;
    }
    for (uintptr_t a = (uintptr_t)lo; a < (uintptr_t)hi; a += page)
        set_aside_around(a);
    return os_open_pages(lo, (size_t)(hi - lo));
}

bool slots_fault_info(const void *addr, struct finding *f)
{
    size_t i;
    if (!meta || !slots_owns(addr))
        return false;
    struct slot *s = slot_of(addr, &i);
    if (!s || s->state == SLOT_EMPTY) {
        /* A guard page with no block beside it, or a slot never used. */
        memset(f, 0, sizeof *f);
        f->bug = BUG_SEGV;
        f->addr = addr;
        f->detail = "is in heapcheck's guarded-slot pool, but in no block's slot";
        return true;
    }
    describe(s, OP_ACCESS, addr, f);
    if (s->state == SLOT_FREED)
        f->bug = BUG_USE_AFTER_FREE;
    else
        f->bug = f->offset < 0 ? BUG_UNDERFLOW : BUG_OVERFLOW;
    return true;
}
