/* The guard layer (see guard.h): lay out, verify and release guarded blocks.
 * Invariants it owns: every block it handed out is in the pointer set (live,
 * quarantined or set aside as damaged); a live block's checksum and canaries verify;
 * a quarantined block's poison is intact.  A pointer not in the set is never read. */
#include "internal.h"
#include "arena.h"
#include "lock.h"
#include "guard.h"
#include "block.h"
#include "core.h"
#include "ptrset.h"
#include "quarantine.h"
#include "secret.h"
#include "slots.h"
#include "fault.h"

#include <string.h>

/* Sixteen bytes: small blocks are most blocks, and every byte here is paid by each.
 * The requested size is kept as the slack after it (the block's usable size, which
 * the core's head word gives, minus the prefix and the request), so it fits in 30
 * bits beside the family.  The free stack of a quarantined block is kept in the
 * quarantine's ring, not here. */
struct guard_hdr {
    uint32_t checksum;    /* keyed: over the rest, the core's head word, the address */
    uint32_t alloc_stack;
    uint32_t info;        /* slack << KIND_BITS | family */
    uint32_t front;       /* the front canary, right before the payload */
};
_Static_assert(sizeof(struct guard_hdr) == GUARD_PREFIX, "header must fill the prefix");

#define KIND_BITS 2
#define MAX_SLACK (((size_t)1 << (32 - KIND_BITS)) - 1)

struct guard_config guard_config;

static inline struct guard_hdr *hdr_of(void *u) { return (struct guard_hdr *)((char *)u - GUARD_PREFIX); }
static inline size_t core_head_of(struct guard_hdr *h) { return blk_head(blk_of_payload(h)); }

static inline size_t slack_of(const struct guard_hdr *h) { return h->info >> KIND_BITS; }
/* Only once the checksum has vouched for the header (checksum_ok). */
static inline size_t requested_of(struct guard_hdr *h)
{
    return core_usable(h) - GUARD_PREFIX - slack_of(h);
}
static inline enum alloc_kind kind_of(const struct guard_hdr *h)
{
    return (enum alloc_kind)(h->info & ((1u << KIND_BITS) - 1));
}
/* The header's tag: SipHash-1-3 under the header key (secret.h) of the stack, slack
 * and family, the core's head word and the header's own address.  Its low half is the
 * checksum; its high half, made canary bytes, is the front canary.  A forged header
 * must match both (a blind guess is right one time in 2^56, docs/design.md "Keys");
 * an underflow that hits only the front canary leaves the checksum matching, so the
 * report can still say whose block it was. */
static inline uint64_t header_tag(struct guard_hdr *h)
{
    return secret_tag64_3(SECRET_HEADER, (uint64_t)h->alloc_stack << 32 | h->info, core_head_of(h),
                          (uint64_t)(uintptr_t)h);
}

static inline uint32_t front_of(uint64_t tag) { return (uint32_t)secret_canary_bytes(tag >> 32); }

static void seal(struct guard_hdr *h)
{
    uint64_t tag = header_tag(h);
    h->checksum = (uint32_t)tag;
    h->front = front_of(tag);
}

/* The checksum covers the core's head word: once it verifies, the block's size and
 * the requested size are trusted (enough to find the rear canary and the footer). */
static bool fields_ok(struct guard_hdr *h)
{
    block_t *b = blk_of_payload(h);
    /* The requested size must fit the block, or the canary checks would stray. */
    return (blk_head(b) & BLK_INUSE) && slack_of(h) >= 1 && slack_of(h) <= core_usable(h) - GUARD_PREFIX;
}

static bool checksum_ok(struct guard_hdr *h) { return h->checksum == (uint32_t)header_tag(h) && fields_ok(h); }

static bool footer_ok(struct guard_hdr *h)
{
    block_t *b = blk_of_payload(h);
    return *blk_foot(b) == blk_head(b);
}

static bool header_ok(struct guard_hdr *h) { return checksum_ok(h) && footer_ok(h); }

/* The canary byte heapcheck keeps at address a of the block whose header is h. */
static inline unsigned char canary_byte(uint64_t word, const unsigned char *a)
{
    return (unsigned char)(word >> (((uintptr_t)a & 7) * 8));
}

/* The rear canary is the block's canary word repeated at its natural alignment (byte i
 * of a word-aligned stretch is byte i of the word), so whole words are written and
 * compared at once; only the stretch before the first word boundary goes bytewise. */
static void write_canary(uint64_t w, unsigned char *a, unsigned char *end)
{
    for (; ((uintptr_t)a & 7) && a < end; a++)
        *a = canary_byte(w, a);
    for (; a + 8 <= end; a += 8)
        *(uint64_t *)(void *)a = w;
    for (; a < end; a++)
        *a = canary_byte(w, a);
}

static void write_rear(struct guard_hdr *h, uint64_t w, unsigned char *u, size_t n)
{
    write_canary(w, u + n, (unsigned char *)h + core_usable(h));
}

/* Whether the rear canary is intact through offset upto from u (SIZE_MAX: all of it;
 * REAR_NEAR bytes at least): the word holding its first byte, masked to the canary's
 * bytes, then whole words. */
#define REAR_NEAR ((size_t)64)
static bool rear_intact(struct guard_hdr *h, uint64_t w, unsigned char *u, size_t upto)
{
    size_t n = requested_of(h);
    unsigned char *start = u + n, *end = (unsigned char *)h + core_usable(h);
    if (upto < n + REAR_NEAR)
        upto = n + REAR_NEAR;
    if (upto < (size_t)(end - u))
        end = u + HC_ALIGN_UP(upto, 8); /* still inside the block: it ends 16-aligned */
    unsigned char *a = (unsigned char *)((uintptr_t)start & ~(uintptr_t)7);
    uint64_t diff = (*(const uint64_t *)(void *)a ^ w) & (~(uint64_t)0 << (((uintptr_t)start & 7) * 8));
    for (a += 8; a < end; a += 8)
        diff |= *(const uint64_t *)(void *)a ^ w;
    return diff == 0;
}

/* First changed byte of the rear canary (NULL when intact) and how many changed. */
static unsigned char *check_rear(struct guard_hdr *h, unsigned char *u, size_t *changed)
{
    *changed = 0;
    uint64_t w = secret_canary(h);
    if (rear_intact(h, w, u, SIZE_MAX))
        return NULL;
    unsigned char *end = (unsigned char *)h + core_usable(h), *first = NULL;
    for (unsigned char *a = u + requested_of(h); a < end; a++) {
        if (*a != canary_byte(w, a)) {
            if (!first)
                first = a;
            ++*changed;
        }
    }
    return first;
}

/* Last changed byte of the front canary, the one nearest the payload. */
static unsigned char *check_front(struct guard_hdr *h, size_t *changed)
{
    uint32_t want = front_of(header_tag(h));
    *changed = 0;
    if (h->front == want)
        return NULL;
    unsigned char *a = (unsigned char *)&h->front, *last = NULL;
    const unsigned char *w = (const unsigned char *)&want;
    for (int i = 0; i < 4; i++) {
        if (a[i] != w[i]) {
            last = a + i;
            ++*changed;
        }
    }
    return last;
}

static unsigned char *check_span(unsigned char *u, size_t n, size_t *changed)
{
    unsigned char fill = guard_config.free_fill, *first = NULL;
    /* Fast path: whole words (u is 8-aligned); the byte loop runs only on damage. */
    uint64_t pattern = 0x0101010101010101ULL * fill, diff = 0;
    size_t words = n / 8;
    const uint64_t *w = (const uint64_t *)(void *)u;
    for (size_t i = 0; i < words; i++)
        diff |= w[i] ^ pattern;
    for (size_t i = words * 8; i < n; i++)
        diff |= u[i] ^ fill;
    if (!diff)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (u[i] != fill) {
            if (!first)
                first = u + i;
            ++*changed;
        }
    }
    return first;
}

/* Which bytes of an n-byte freed block hold poison: all of the first fill_limit, then
 * one cache line in POISON_STRIDE and the block's last line.  Writing and reading back
 * a large block whole cost as much as the program's own work on it; the first 4 KiB
 * are where most stale pointers into a freed object land (its header and first
 * fields).  The sampled lines are whole cache lines (64-aligned addresses): a span
 * across two lines touched twice the memory for the same bytes sampled.
 * With check false the spans are poisoned; with it true they are verified, and the
 * first changed byte is returned (NULL if none) and *changed counts the changed ones. */
#define POISON_LINE ((size_t)64)
#define POISON_STRIDE ((size_t)8)

static unsigned char *poison_spans(unsigned char *u, size_t n, bool check, size_t *changed)
{
    unsigned char *first = NULL, *bad;
    size_t limit = guard_config.fill_limit;
    size_t whole = limit && n > limit ? limit : n;
    *changed = 0;
#define SPAN(from, len)                                                                    \
    do {                                                                                   \
        if (!check)                                                                        \
            memset(u + (from), guard_config.free_fill, (len));                            \
        else if ((bad = check_span(u + (from), (len), changed)) && !first)                 \
            first = bad;                                                                   \
    } while (0)
    SPAN(0, whole);
    size_t done = whole; /* the end of the last span */
    size_t at = (size_t)(HC_ALIGN_UP((uintptr_t)u + whole, POISON_LINE) - (uintptr_t)u);
    for (; at + POISON_LINE <= n; at += POISON_LINE * POISON_STRIDE) {
        SPAN(at, POISON_LINE);
        done = at + POISON_LINE;
    }
    /* The last line, unless the last sample covered it; 8-aligned for the word loop. */
    size_t last = n > POISON_LINE ? (n - POISON_LINE) & ~(size_t)7 : 0;
    if (whole < n) {
        if (last < done)
            last = done;
        if (last < n)
            SPAN(last, n - last);
    }
#undef SPAN
    return first;
}

void guard_init(void) {}

/* Bytes of a new block to fill: the first fill_limit (as ASan fills the first 4 KiB),
 * and at most the first page of a fresh mapping, whose untouched pages cost nothing
 * until the program writes them (a sort buffer of hundreds of megabytes, say). */
static size_t fill_length(struct guard_hdr *h, size_t n)
{
    size_t page = 4096 - GUARD_PREFIX; /* the rest of the mapping's first page */
    if (core_is_mapped(h) && n > page)
        n = page;
    return guard_config.fill_limit && n > guard_config.fill_limit ? guard_config.fill_limit : n;
}

/* The guarded slots are shared by every arena: their calls take the slots lock (after
 * the arena's, lock.h).  Each arena counts down to its next pick on its own, from the
 * pool's interval, so the common path touches no shared line. */
static HC_COLD void *slot_alloc(size_t n, size_t align, enum alloc_kind kind, uint32_t stack, bool zero)
{
    bool taken = lock_take(&slots_lock);
    void *s = slots_alloc(n, align, kind, stack, zero, guard_config.fill ? guard_config.alloc_fill : -1);
    arena_cur->slot_countdown = slots_countdown;
    lock_give(&slots_lock, taken);
    return s;
}

static HC_COLD int slot_free(void *u, enum alloc_kind kind, enum op op, uint32_t stack, struct finding *out)
{
    bool taken = lock_take(&slots_lock);
    int n = slots_free(u, kind, op, stack, out);
    lock_give(&slots_lock, taken);
    return n;
}

static HC_COLD int slot_size(void *u, enum op op, size_t *size, struct finding *out)
{
    bool taken = lock_take(&slots_lock);
    int n = slots_size(u, op, size, out);
    lock_give(&slots_lock, taken);
    return n;
}

void guard_arenas_start(void)
{
    for (unsigned i = 0; i < ARENAS_MAX; i++)
        arenas[i].slot_countdown = slots_countdown;
}

void *guard_alloc(size_t n, size_t align, enum alloc_kind kind, uint32_t stack, bool zero)
{
    if (n > ((size_t)1 << 56))
        return NULL;
    if (HC_UNLIKELY(--arena_cur->slot_countdown == 0)) { /* a guarded slot (slots.h), when the policy and the pool allow */
        void *s = slot_alloc(n, align, kind, stack, zero);
        if (s)
            return s;
    }
    /* One byte of rear canary at least, so an overflow by one is always seen; a block
     * realloc() places gets room to grow in place (core.h), canary until it is used. */
    size_t room = kind == KIND_REALLOC ? core_growth_room(n) : 0;
    struct guard_hdr *h = core_alloc(GUARD_PREFIX + n + 1 + room, align < 16 ? 16 : align, GUARD_PREFIX);
    if (!h)
        return NULL;
    unsigned char *u = (unsigned char *)h + GUARD_PREFIX;
    if (!ptrset_insert(u, PTR_LIVE)) {
        core_free(h);
        return NULL;
    }
    size_t slack = core_usable(h) - GUARD_PREFIX - n;
    if (HC_UNLIKELY(slack > MAX_SLACK)) {
        /* Only a mapping laid out for a huge alignment has this much room after the
         * request: give its tail pages back so the slack fits the header. */
        if (!core_resize(h, GUARD_PREFIX + n + 1) ||
            (slack = core_usable(h) - GUARD_PREFIX - n) > MAX_SLACK) {
            ptrset_remove(u);
            core_free(h);
            return NULL;
        }
    }
    h->alloc_stack = stack;
    h->info = (uint32_t)(slack << KIND_BITS | (size_t)kind);
    uint64_t w = secret_canary(h); /* before seal: the two tags' rounds overlap */
    seal(h);
    write_rear(h, w, u, n);
    if (zero) {
        if (!core_is_mapped(h)) /* fresh mappings are already zero */
            memset(u, 0, n);
    } else if (guard_config.fill) {
        memset(u, guard_config.alloc_fill, fill_length(h, n));
    }
    arena_cur->live_bytes += n;
    arena_cur->live_blocks++;
    return u;
}

/* A pointer that is not a live block: say what it is, in a fresh finding, without
 * reading through it. */
static void classify_unknown(void *u, enum op op, struct finding *f)
{
    enum ptr_state st = ptrset_get(u);
    memset(f, 0, sizeof *f);
    f->op = op;
    f->addr = u;
    if (st == PTR_QUARANTINED || st == PTR_DAMAGED || st == PTR_HELD) {
        struct guard_hdr *h = hdr_of(u);
        f->bug = BUG_DOUBLE_FREE;
        f->block = u;
        f->block_known = st != PTR_DAMAGED && header_ok(h);
        f->freed = true;
        if (f->block_known) {
            f->size = requested_of(h);
            f->alloc_stack = h->alloc_stack;
            f->free_stack = st == PTR_HELD ? hold_stack_of(u) : quar_stack_of(u);
            f->alloc_kind = kind_of(h);
        }
        return;
    }
    /* Given back to the core lately: a double free, told from heapcheck's own record
     * (the block's memory may be free or another block's by now). */
    const struct freed_record *r = freed_find(u);
    if (r) {
        f->bug = BUG_DOUBLE_FREE;
        f->block = u;
        f->block_known = true;
        f->freed = true;
        f->size = r->size;
        f->alloc_stack = r->alloc_stack;
        f->free_stack = r->free_stack;
        f->alloc_kind = (enum alloc_kind)r->kind;
        return;
    }
    size_t usable;
    void *p = core_block_containing(u, &usable);
    if (p) {
        unsigned char *start = (unsigned char *)p + GUARD_PREFIX;
        enum ptr_state owner = ptrset_get(start);
        if (owner != PTR_ABSENT) {
            struct guard_hdr *h = p;
            f->bug = owner == PTR_LIVE ? BUG_INTERIOR_FREE : BUG_DOUBLE_FREE;
            f->block = start;
            f->offset = (long long)((unsigned char *)u - start);
            f->freed = owner != PTR_LIVE;
            f->block_known = header_ok(h);
            if (f->block_known) {
                f->size = requested_of(h);
                f->alloc_stack = h->alloc_stack;
                f->free_stack = owner == PTR_QUARANTINED ? quar_stack_of(start) : 0;
                f->alloc_kind = kind_of(h);
            }
            return;
        }
    }
    f->bug = BUG_WILD_FREE;
    fault_explain_value((uintptr_t)u, f); /* a fill pattern, or null plus an offset */
}

/* What lies below a block whose header was overwritten. */
enum below { BELOW_CULPRIT, BELOW_INTACT, BELOW_UNKNOWN };

/* A header overwritten from below: find the guarded block that ends right before
 * this one (walking the region's boundary tags, which heapcheck owns).  If its rear
 * canary is damaged too, name it as the likely culprit.  If it is whole, or no block
 * in use lies below, the write started in this block's own header. */
static enum below blame_previous(struct guard_hdr *h, struct finding *f)
{
    size_t usable;
    unsigned char *prev = core_block_containing((unsigned char *)blk_of_payload(h) - 1, &usable);
    if (!prev)
        return BELOW_INTACT; /* a free block or the start of the region */
    struct guard_hdr *ph = (struct guard_hdr *)prev;
    unsigned char *pu = prev + GUARD_PREFIX;
    enum ptr_state st = ptrset_get(pu);
    /* A quarantined block keeps its rear canary: it can be checked the same way. */
    if ((st != PTR_LIVE && st != PTR_QUARANTINED) || !checksum_ok(ph))
        return BELOW_UNKNOWN;
    size_t changed;
    if (!check_rear(ph, pu, &changed))
        return footer_ok(ph) ? BELOW_INTACT : BELOW_UNKNOWN;
    f->prev_known = true;
    f->prev_block = pu;
    f->prev_size = requested_of(ph);
    f->prev_changed = changed;
    f->prev_stack = ph->alloc_stack;
    return BELOW_CULPRIT;
}

/* Every check of a live block, in the order a miss is cheapest; the rear canary
 * through offset upto (rear_intact). */
static bool intact(struct guard_hdr *h, size_t upto)
{
    /* Both tags first: their rounds are independent and overlap in the pipeline. */
    uint64_t tag = header_tag(h), w = secret_canary(h);
    return h->front == front_of(tag) && h->checksum == (uint32_t)tag && fields_ok(h) &&
           rear_intact(h, w, (unsigned char *)h + GUARD_PREFIX, upto) && footer_ok(h);
}

/* Start a finding about the block with header h: zeroed, then what the header tells
 * when its checksum vouches for it.  Returns whether it does. */
static bool describe_block(struct guard_hdr *h, enum op op, struct finding *f)
{
    memset(f, 0, sizeof *f);
    f->op = op;
    f->block = (unsigned char *)h + GUARD_PREFIX;
    if (!checksum_ok(h))
        return false;
    f->block_known = true;
    f->size = requested_of(h);
    f->alloc_stack = h->alloc_stack;
    f->alloc_kind = kind_of(h);
    return true;
}

/* Verify a live block, its rear canary through offset upto (rear_intact).  Intact, it
 * returns true without touching f (the common case costs no more than the checks);
 * otherwise f describes the first problem. */
static bool verify_live_upto(struct guard_hdr *h, enum op op, size_t upto, struct finding *f)
{
    if (HC_LIKELY(intact(h, upto)))
        return true;
    unsigned char *u = (unsigned char *)h + GUARD_PREFIX;
    bool trusted = describe_block(h, op, f);
    size_t changed;
    unsigned char *bad = check_front(h, &changed);
    /* The canary alone changed: this block's underflow.  The header too: a longer
     * underflow, or the block before ran over; blame_previous tells which. */
    if (bad && trusted) {
        f->bug = BUG_UNDERFLOW;
        f->addr = bad;
        f->offset = (long long)(bad - u);
        f->changed = changed;
        return false;
    }
    if (!trusted) {
        f->addr = h;
        if (blame_previous(h, f) == BELOW_INTACT) {
            /* Nothing below ran over: the likeliest writer is this block's own user,
             * reaching further back than the canary. */
            f->bug = BUG_UNDERFLOW;
            f->offset = -(long long)GUARD_PREFIX;
            f->detail = "its header, within 16 bytes before its start, was overwritten (the "
                        "checksum does not match), and nothing before it ran over";
            return false;
        }
        f->bug = BUG_BAD_HEADER;
        f->detail = "its header was overwritten (the checksum does not match)";
        return false;
    }
    bad = check_rear(h, u, &changed);
    if (bad) {
        f->bug = BUG_OVERFLOW;
        f->addr = bad;
        f->offset = (long long)(bad - u);
        f->changed = changed;
        return false;
    }
    if (!footer_ok(h)) {
        f->bug = BUG_BAD_HEADER;
        f->addr = h;
        f->detail = "its boundary tag (the size word after the block) was overwritten";
        return false;
    }
    return true;
}

static bool verify_live(struct guard_hdr *h, enum op op, struct finding *f)
{
    return verify_live_upto(h, op, SIZE_MAX, f);
}

static bool verify_quarantined(struct guard_hdr *h, struct finding *f)
{
    if (!verify_live(h, OP_QUARANTINE_EXIT, f))
        return false;
    unsigned char *u = (unsigned char *)h + GUARD_PREFIX;
    size_t changed;
    unsigned char *bad = poison_spans(u, requested_of(h), true, &changed);
    if (bad) {
        describe_block(h, OP_QUARANTINE_EXIT, f);
        f->bug = BUG_WRITE_AFTER_FREE;
        f->addr = bad;
        f->offset = (long long)(bad - u);
        f->changed = changed;
        f->freed = true;
        return false;
    }
    return true;
}

/* Live blocks the heap check found damaged: reported once per process.  The program
 * still owns them, so they stay live (a free of one is not a double free) until it
 * frees one, which then sets it aside without a second report.  A freed block the
 * check finds damaged is set aside at once, as continue mode does.  Past the table's
 * size a block may be reported again. */
#define DAMAGED_LIVE_MAX 64
static const void *damaged_live[DAMAGED_LIVE_MAX];
static size_t ndamaged_live;

static bool known_damaged(const void *u)
{
    for (size_t i = 0; i < ndamaged_live; i++)
        if (damaged_live[i] == u)
            return true;
    return false;
}

static void forget_damaged(const void *u)
{
    for (size_t i = 0; i < ndamaged_live; i++)
        if (damaged_live[i] == u) {
            damaged_live[i] = damaged_live[--ndamaged_live];
            return;
        }
}

/* Keep a damaged block out of circulation for good: it stays allocated in the core,
 * marked damaged in the pointer set. */
static void set_aside(void *u) { ptrset_set(u, PTR_DAMAGED); }

/* The block after this one in the quarantine is checked at the next free, when it is
 * long out of cache: start loading what that check reads (its header, the first lines
 * of its poison, its last line with the rear canary and the next block's head, and its
 * pointer-set slot) now, so the misses overlap the program's work in between. */
static void prefetch_next_to_leave(void)
{
    size_t bytes; /* the payload and the header before it */
    const char *next = quar_oldest(&bytes);
    if (!next)
        return;
    const char *start = next - GUARD_PREFIX, *end = start + bytes;
    const char *stop = bytes < 256 ? end : start + 256;
    for (const char *line = start; line < stop; line += 64)
        __builtin_prefetch(line);
    __builtin_prefetch(end + 8);
    ptrset_prefetch(next);
}

/* Release blocks over the budget, each verified first; at most one finding is
 * returned (a damaged block beyond it is still set aside, never released). */
static int drain_quarantine_to(size_t budget, struct finding *out)
{
    int found = 0;
    size_t bytes;
    uint32_t free_stack;
    void *u;
    while ((u = quar_pop_over(budget, &bytes, &free_stack))) {
        prefetch_next_to_leave();
        if (ptrset_get(u) == PTR_DAMAGED)
            continue; /* the heap check found it damaged, reported it and set it aside */
        struct guard_hdr *h = hdr_of(u);
        struct finding spare; /* findings past the first are dropped */
        struct finding *f = out;
        if (found) {
            memset(&spare, 0, sizeof spare);
            f = &spare;
        }
        if (!verify_quarantined(h, f)) {
            f->free_stack = free_stack;
            found = 1;
            set_aside(u);
            continue;
        }
        freed_note(u, requested_of(h), h->alloc_stack, free_stack, kind_of(h));
        ptrset_remove(u);
        core_free(h);
    }
    return found;
}

/* The block the next free displaces from the hold is long out of cache: start loading
 * its header (with the core's head word), its first lines (a small block's rear canary
 * and the next block's head) and its pointer-set slot now. */
static void prefetch_next_displaced(void)
{
    const char *next = hold_next();
    if (!next)
        return;
    __builtin_prefetch(next - GUARD_PREFIX - sizeof(size_t));
    __builtin_prefetch(next + 40);
    ptrset_prefetch(next);
}

/* What verify_live found in a held block, which was intact when freed: a canary
 * changed is a write after free; a header that no longer verifies was overwritten
 * after the free (by a dangling pointer, or a neighbour's overflow). */
static void held_damage(struct finding *f, uint32_t free_stack)
{
    if (!f->block_known) {
        f->bug = BUG_BAD_HEADER;
        f->addr = f->block;
        f->offset = 0;
        f->detail = "its header was overwritten after the block was freed (the checksum does "
                    "not match)";
    } else if (f->bug == BUG_OVERFLOW || f->bug == BUG_UNDERFLOW) {
        f->bug = BUG_WRITE_AFTER_FREE;
    }
    f->freed = true;
    f->free_stack = free_stack;
}

/* A block leaving the hold: its header (tag, front canary) and boundary tag verified,
 * what the core will trust; it was intact when freed, so any damage is a write after
 * free.  Not its rear canary: without poison a write after free elsewhere in the
 * payload goes unseen too, and the check would cost a second SipHash per free.  Then
 * given back to the core.  Returns the number of findings. */
static int release_held(void *u, uint32_t free_stack, struct finding *out)
{
    if (ptrset_get(u) == PTR_DAMAGED)
        return 0; /* the heap check found it damaged, reported it and set it aside */
    struct guard_hdr *h = hdr_of(u);
    uint64_t tag = header_tag(h);
    bool ok = h->front == front_of(tag) && h->checksum == (uint32_t)tag && fields_ok(h) && footer_ok(h);
    if (HC_UNLIKELY(!ok) && !verify_live(h, OP_QUARANTINE_EXIT, out)) {
        held_damage(out, free_stack);
        set_aside(u);
        return 1;
    }
    freed_note(u, requested_of(h), h->alloc_stack, free_stack, kind_of(h));
    ptrset_remove(u);
    core_free(h);
    return 0;
}

static int empty_hold(struct finding *out)
{
    int found = 0;
    uint32_t free_stack;
    void *u;
    while ((u = hold_take(&free_stack))) {
        struct finding spare;
        found |= release_held(u, free_stack, found ? &spare : out);
    }
    return found;
}

/* Never less than this, so a small program still keeps its recent frees. */
#define QUARANTINE_FLOOR ((size_t)1 << 20)

static int drain_quarantine(struct finding *out)
{
    size_t budget = guard_config.quarantine_size;
    if (guard_config.quarantine_ratio) {
        size_t share = (arena_cur->live_bytes + slots_live_bytes()) / 100 * guard_config.quarantine_ratio;
        if (share < QUARANTINE_FLOOR)
            share = QUARANTINE_FLOOR;
        if (share < budget)
            budget = share;
    }
    return drain_quarantine_to(budget, out);
}

int guard_flush_quarantine(struct finding *out)
{
    int found = drain_quarantine_to(0, out);
    struct finding spare;
    return found | empty_hold(found ? &spare : out);
}

int guard_free(void *u, enum alloc_kind kind, enum op op, uint32_t stack, struct finding *out)
{
    if (HC_UNLIKELY(ptrset_get(u) != PTR_LIVE)) {
        if (slots_owns(u))
            return slot_free(u, kind, op, stack, out);
        classify_unknown(u, op, out);
        out->op_kind = kind;
        return 1;
    }
    struct guard_hdr *h = hdr_of(u);
    if (HC_UNLIKELY(!verify_live(h, op, out))) {
        out->op_kind = kind;
        set_aside(u);
        arena_cur->live_blocks--;
        if (HC_UNLIKELY(ndamaged_live) && known_damaged(u)) {
            forget_damaged(u); /* reported by the heap check already */
            return 0;
        }
        return 1;
    }
    int found = 0;
    if (HC_UNLIKELY(kind_family(kind_of(h)) != kind)) {
        describe_block(h, op, out);
        out->op_kind = kind;
        out->bug = BUG_MISMATCH;
        out->addr = u;
        found = 1; /* reported, and the block is released all the same */
    }
    size_t n = requested_of(h);
    arena_cur->live_bytes -= n;
    arena_cur->live_blocks--;
    if (guard_config.quarantine && n <= guard_config.quarantine_max_block) {
        size_t changed;
        poison_spans(u, n, false, &changed);
        if (quar_push(u, n + GUARD_PREFIX, stack)) {
            ptrset_set(u, PTR_QUARANTINED);
            return found + drain_quarantine(out + found);
        }
    } else if (guard_config.hold && n <= HOLD_MAX_BLOCK && !core_is_mapped(h)) {
        ptrset_set(u, PTR_HELD);
        uint32_t displaced_stack;
        void *displaced = hold_swap(u, stack, &displaced_stack);
        if (displaced)
            found += release_held(displaced, displaced_stack, out + found);
        prefetch_next_displaced();
        return found;
    }
    freed_note(u, n, h->alloc_stack, stack, kind_of(h));
    ptrset_remove(u);
    core_free(h);
    return found;
}

int guard_size(void *u, enum op op, size_t *size, struct finding *out)
{
    if (HC_UNLIKELY(ptrset_get(u) != PTR_LIVE)) {
        if (slots_owns(u))
            return slot_size(u, op, size, out);
        classify_unknown(u, op, out);
        return 1;
    }
    struct guard_hdr *h = hdr_of(u);
    if (!verify_live(h, op, out)) {
        set_aside(u);
        return 1;
    }
    *size = requested_of(h);
    return 0;
}

int guard_resize(void *u, size_t n, size_t *old, struct finding *out)
{
    if (HC_UNLIKELY(ptrset_get(u) != PTR_LIVE)) {
        if (slots_owns(u)) /* a slot block stays flush against its guard: realloc moves it */
            return slot_size(u, OP_REALLOC, old, out) ? -1 : 0;
        classify_unknown(u, OP_REALLOC, out);
        return -1;
    }
    struct guard_hdr *h = hdr_of(u);
    /* The rear canary is verified through what the new size takes and REAR_NEAR bytes
     * past the old end, so no damaged canary byte becomes the program's and an
     * overflow is caught here; the rest of a growing block's room is verified when it
     * is freed and by every heap check, so a chain of small growths costs what it
     * grows, not the room it has left. */
    bool huge = n > ((size_t)1 << 56);
    if (!verify_live_upto(h, OP_REALLOC, huge ? SIZE_MAX : n, out)) {
        set_aside(u);
        return -1;
    }
    *old = requested_of(h);
    size_t had = core_usable(h);
    if (huge || !core_resize(h, GUARD_PREFIX + n + 1))
        return 0;
    /* A resize in place leaves at most a page of slack or the growth room (below the
     * mmap threshold), well within the header's field (MAX_SLACK is a gigabyte). */
    HC_ASSERT(core_usable(h) - GUARD_PREFIX - n <= MAX_SLACK);
    size_t limit = guard_config.fill_limit ? guard_config.fill_limit : n;
    size_t fill_to = n < limit ? n : limit;
    if (fill_to > *old && guard_config.fill && !core_is_mapped(h))
        memset((unsigned char *)u + *old, guard_config.alloc_fill, fill_to - *old);
    arena_cur->live_bytes += n - *old;
    h->info = (uint32_t)((core_usable(h) - GUARD_PREFIX - n) << KIND_BITS | (size_t)kind_of(h));
    seal(h); /* the core head changed too (and with the tag the front canary) */
    /* Within the same core block the canary past the old size was verified and depends
     * only on the address: only a shrink adds canary bytes. */
    if (core_usable(h) != had)
        write_rear(h, secret_canary(h), u, n);
    else if (n < *old)
        write_canary(secret_canary(h), (unsigned char *)u + n, (unsigned char *)u + *old);
    return 1;
}

struct check_state {
    struct finding *out;
    size_t max, found, guarded;
};

static void add(struct check_state *c, const struct finding *f)
{
    if (c->found < c->max)
        c->out[c->found] = *f;
    c->found++;
}

static void check_one(const void *p, enum ptr_state st, void *arg)
{
    struct check_state *c = arg;
    struct guard_hdr *h = hdr_of((void *)p);
    struct finding f;
    memset(&f, 0, sizeof f);
    if (st == PTR_LIVE && !known_damaged(p) && !verify_live(h, OP_CHECK, &f)) {
        add(c, &f);
        if (ndamaged_live < DAMAGED_LIVE_MAX)
            damaged_live[ndamaged_live++] = p;
    } else if (st == PTR_HELD && !verify_live(h, OP_CHECK, &f)) {
        held_damage(&f, hold_stack_of(p));
        add(c, &f);
        set_aside((void *)p); /* the hold skips it when it comes to leave */
    } else if (st == PTR_QUARANTINED && !verify_quarantined(h, &f)) {
        f.op = OP_CHECK;
        f.free_stack = quar_stack_of(p);
        add(c, &f);
        set_aside((void *)p); /* the quarantine skips it when it comes to leave */
    }
}

static void add_slot_finding(const struct finding *f, void *arg) { add(arg, f); }

static void count_guarded(void *payload, size_t usable, bool inuse, void *arg)
{
    (void)usable;
    struct check_state *c = arg;
    if (!inuse)
        return;
    c->guarded++;
    if (ptrset_get((char *)payload + GUARD_PREFIX) == PTR_ABSENT) {
        struct finding f;
        memset(&f, 0, sizeof f);
        f.bug = BUG_HEAP_CORRUPTION;
        f.op = OP_CHECK;
        f.addr = payload;
        f.detail = "an allocated block is missing from the pointer set";
        add(c, &f);
    }
}

static void core_problem(const char *what, const void *where, void *arg)
{
    struct finding f;
    memset(&f, 0, sizeof f);
    f.bug = BUG_HEAP_CORRUPTION;
    f.op = OP_CHECK;
    f.addr = where;
    f.detail = what;
    add(arg, &f);
}

size_t guard_check_all(struct finding *out, size_t max)
{
    struct check_state c = {out, max, 0, 0};
    size_t core_bad = core_check(core_problem, &c);
    if (core_bad == 0) /* walking a broken heap could stray */
        core_walk(count_guarded, &c);
    ptrset_walk(check_one, &c);
    if (core_bad == 0 && c.guarded != ptrset_count()) {
        struct finding f;
        memset(&f, 0, sizeof f);
        f.bug = BUG_HEAP_CORRUPTION;
        f.op = OP_CHECK;
        f.detail = "the pointer set holds entries that are not heap blocks";
        add(&c, &f);
    }
    return c.found;
}

size_t guard_check_slots(struct finding *out, size_t max)
{
    struct check_state c = {out, max, 0, 0};
    bool taken = lock_take(&slots_lock);
    slots_check(add_slot_finding, &c);
    lock_give(&slots_lock, taken);
    return c.found;
}

bool guard_block_info(void *u, size_t *size, uint32_t *stack)
{
    struct guard_hdr *h = hdr_of(u);
    if (!header_ok(h))
        return false;
    *size = requested_of(h);
    *stack = h->alloc_stack;
    return true;
}

void guard_describe(const void *a, struct finding *f)
{
    classify_unknown((void *)a, OP_ACCESS, f);
}

size_t guard_live_bytes(void) { return arena_cur->live_bytes; }
size_t guard_live_blocks(void) { return arena_cur->live_blocks; }
