/* The quarantine ring (see quarantine.h): a circular array of (pointer, size) that
 * doubles into a new mapping when full. */
#include "internal.h"
#include "quarantine.h"
#include "os.h"
#include "arena.h"

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

size_t quar_bytes(void) { return QU.total; }
size_t quar_count(void) { return QU.count; }

void quar_reset(void)
{
    if (QU.ring)
        os_unmap_meta(QU.ring, QU.cap * sizeof *QU.ring);
    QU.ring = NULL;
    QU.cap = QU.head = QU.count = QU.total = 0;
}
