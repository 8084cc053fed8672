/* The quarantine ring (see quarantine.h): a circular array of (pointer, size) that
 * doubles into a new mapping when full. */
#include "internal.h"
#include "quarantine.h"
#include "os.h"

#include <string.h>

struct entry {
    void *p;
    size_t bytes;
    uint32_t free_stack;
};

static struct entry *ring;
static size_t cap, head, count, total;

static bool grow(void)
{
    size_t n = cap ? cap * 2 : 4096;
    struct entry *fresh = os_map_meta(n * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; i < count; i++)
        fresh[i] = ring[(head + i) % cap];
    if (ring)
        os_unmap_meta(ring, cap * sizeof *ring);
    ring = fresh;
    cap = n;
    head = 0;
    return true;
}

bool quar_push(void *p, size_t bytes, uint32_t free_stack)
{
    if (count == cap && !grow())
        return false;
    ring[(head + count) % cap] = (struct entry){p, bytes, free_stack};
    count++;
    total += bytes;
    return true;
}

void *quar_pop_over(size_t budget, size_t *bytes, uint32_t *free_stack)
{
    /* The newest block stays: its FREELIKE request has not been made yet. */
    if (total <= budget || count <= 1)
        return NULL;
    struct entry e = ring[head];
    head = (head + 1) % cap;
    count--;
    total -= e.bytes;
    *bytes = e.bytes;
    *free_stack = e.free_stack;
    return e.p;
}

void *quar_oldest(size_t *bytes)
{
    if (!count)
        return NULL;
    *bytes = ring[head].bytes;
    return ring[head].p;
}

uint32_t quar_stack_of(const void *p)
{
    for (size_t i = 0; i < count; i++) {
        const struct entry *e = &ring[(head + i) % cap];
        if (e->p == p)
            return e->free_stack;
    }
    return 0;
}

size_t quar_bytes(void) { return total; }
size_t quar_count(void) { return count; }

void quar_reset(void)
{
    if (ring)
        os_unmap_meta(ring, cap * sizeof *ring);
    ring = NULL;
    cap = head = count = total = 0;
}
