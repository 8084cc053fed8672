/* The quarantine ring (see quarantine.h): a circular array of (pointer, size) that
 * doubles into a new mapping when full; the hardened preset's hold, a fixed array
 * with random replacement; and the history of blocks given back to the core. */
#include "internal.h"
#include "quarantine.h"
#include "os.h"
#include "arena.h"
#include "secret.h"

#define QU (arena_cur->qu)

#include <string.h>

struct quar_entry {
    void *p;
    size_t bytes;
    uint32_t free_stack;
};


static bool grow(void)
{
    size_t n = QU.cap ? QU.cap * 2 : 4096;
    struct quar_entry *fresh = os_map_meta(n * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; i < QU.count; i++)
        fresh[i] = QU.ring[(QU.head + i) % QU.cap];
    if (QU.ring)
        os_unmap_meta(QU.ring, QU.cap * sizeof *QU.ring);
    QU.ring = fresh;
    QU.cap = n;
    QU.head = 0;
    return true;
}

bool quar_push(void *p, size_t bytes, uint32_t free_stack)
{
    if (QU.count == QU.cap && !grow())
        return false;
    QU.ring[(QU.head + QU.count) % QU.cap] = (struct quar_entry){p, bytes, free_stack};
    QU.count++;
    QU.total += bytes;
    return true;
}

void *quar_pop_over(size_t budget, size_t *bytes, uint32_t *free_stack)
{
    /* The newest block stays: its FREELIKE request has not been made yet. */
    if (QU.total <= budget || QU.count <= 1)
        return NULL;
    struct quar_entry e = QU.ring[QU.head];
    QU.head = (QU.head + 1) % QU.cap;
    QU.count--;
    QU.total -= e.bytes;
    *bytes = e.bytes;
    *free_stack = e.free_stack;
    return e.p;
}

void *quar_oldest(size_t *bytes)
{
    if (!QU.count)
        return NULL;
    *bytes = QU.ring[QU.head].bytes;
    return QU.ring[QU.head].p;
}

uint32_t quar_stack_of(const void *p)
{
    for (size_t i = 0; i < QU.count; i++) {
        const struct quar_entry *e = &QU.ring[(QU.head + i) % QU.cap];
        if (e->p == p)
            return e->free_stack;
    }
    return 0;
}

/* A place of the hold: the top bits of xorshift64* (Vigna), seeded per arena from the
 * secret, so the order blocks leave the hold cannot be predicted from outside. */
static size_t hold_pick(void)
{
    QU.rng ^= QU.rng >> 12;
    QU.rng ^= QU.rng << 25;
    QU.rng ^= QU.rng >> 27;
    return (size_t)((QU.rng * 0x2545f4914f6cdd1dULL) >> 59); /* 5 bits: HOLD_SLOTS */
}
_Static_assert(HOLD_SLOTS == 32, "hold_pick draws 5 bits");

/* The place is drawn one free ahead, so the block it will displace can be fetched
 * into the cache meanwhile (hold_next). */
void *hold_swap(void *p, uint32_t free_stack, uint32_t *displaced_stack)
{
    if (HC_UNLIKELY(!QU.rng)) {
        QU.rng = secret_tag64_1(SECRET_RANDOM, (uint64_t)(uintptr_t)&QU) | 1;
        QU.next_place = hold_pick();
    }
    struct hold_entry *e = &QU.hold[QU.next_place];
    QU.next_place = hold_pick();
    void *out = e->p;
    *displaced_stack = e->free_stack;
    if (!out)
        QU.held++;
    *e = (struct hold_entry){p, free_stack};
    return out;
}

void *hold_take(uint32_t *free_stack)
{
    for (size_t i = 0; QU.held && i < HOLD_SLOTS; i++) {
        if (QU.hold[i].p) {
            void *p = QU.hold[i].p;
            *free_stack = QU.hold[i].free_stack;
            QU.hold[i].p = NULL;
            QU.held--;
            return p;
        }
    }
    return NULL;
}

void hold_after_fork(void)
{
    secret_renew(SECRET_RANDOM);
    for (unsigned i = 0; i < ARENAS_MAX; i++)
        arenas[i].qu.rng = 0; /* reseeded, with the new key, at the next hold_swap */
}

void *hold_next(void) { return QU.hold[QU.next_place].p; }

uint32_t hold_stack_of(const void *p)
{
    for (size_t i = 0; i < HOLD_SLOTS; i++)
        if (QU.hold[i].p == p)
            return QU.hold[i].free_stack;
    return 0;
}

size_t hold_count(void) { return QU.held; }

void freed_note(const void *p, size_t size, uint32_t alloc_stack, uint32_t free_stack, unsigned kind)
{
    QU.freed[QU.freed_next++ % FREED_HISTORY] = (struct freed_record){p, size, alloc_stack, free_stack, kind};
}

const struct freed_record *freed_find(const void *p)
{
    size_t n = QU.freed_next < FREED_HISTORY ? QU.freed_next : FREED_HISTORY;
    for (size_t i = 1; i <= n; i++) {
        const struct freed_record *r = &QU.freed[(QU.freed_next - i) % FREED_HISTORY];
        if (r->p == p)
            return r;
    }
    return NULL;
}

size_t quar_bytes(void) { return QU.total; }
size_t quar_count(void) { return QU.count; }

void quar_reset(void)
{
    if (QU.ring)
        os_unmap_meta(QU.ring, QU.cap * sizeof *QU.ring);
    QU.ring = NULL;
    QU.cap = QU.head = QU.count = QU.total = 0;
    memset(QU.hold, 0, sizeof QU.hold);
    QU.held = 0;
    QU.freed_next = 0;
}
