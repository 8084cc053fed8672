/* The allocated-pointer set (see ptrset.h): open addressing with linear probing and
 * backward-shift deletion (no tombstones, so probe runs stay short).  Pointers are
 * 16-aligned, so the state lives in an entry's low four bits.  The table doubles
 * into a new mapping at 1/2 load. */
#include "internal.h"
#include "ptrset.h"
#include "os.h"

#define STATE_MASK ((uintptr_t)15)
#define MIN_SLOTS ((size_t)1 << 14)

static uintptr_t *slots;
static size_t nslots, count;

static inline size_t home(uintptr_t key, size_t mask)
{
    return (size_t)(((key >> 4) * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
}

static size_t find(uintptr_t key)
{
    size_t mask = nslots - 1;
    for (size_t i = home(key, mask);; i = (i + 1) & mask) {
        uintptr_t e = slots[i];
        if (e == 0 || (e & ~STATE_MASK) == key)
            return i;
    }
}

static bool grow(void)
{
    size_t n = nslots ? nslots * 2 : MIN_SLOTS;
    uintptr_t *fresh = os_map_meta(n * sizeof *fresh);
    if (!fresh)
        return false;
    uintptr_t *old = slots;
    size_t oldn = nslots;
    slots = fresh;
    nslots = n;
    for (size_t i = 0; i < oldn; i++)
        if (old[i])
            slots[find(old[i] & ~STATE_MASK)] = old[i];
    if (old)
        os_unmap_meta(old, oldn * sizeof *old);
    return true;
}

bool ptrset_insert(const void *p, enum ptr_state state)
{
    if ((count + 1) * 2 > nslots && !grow())
        return false;
    uintptr_t key = (uintptr_t)p;
    size_t i = find(key);
    if (!slots[i])
        count++;
    slots[i] = key | (uintptr_t)state;
    return true;
}

enum ptr_state ptrset_get(const void *p)
{
    /* A misaligned pointer is never a block start (and must not match one). */
    if (!nslots || ((uintptr_t)p & STATE_MASK))
        return PTR_ABSENT;
    return (enum ptr_state)(slots[find((uintptr_t)p)] & STATE_MASK);
}

void ptrset_set(const void *p, enum ptr_state state)
{
    size_t i = find((uintptr_t)p);
    HC_ASSERT(slots[i] != 0);
    slots[i] = (uintptr_t)p | (uintptr_t)state;
}

void ptrset_remove(const void *p)
{
    size_t mask = nslots - 1;
    size_t i = find((uintptr_t)p);
    HC_ASSERT(slots[i] != 0);
    /* Shift later members of the run back so no lookup passes an empty slot early. */
    for (size_t j = (i + 1) & mask; slots[j]; j = (j + 1) & mask) {
        size_t h = home(slots[j] & ~STATE_MASK, mask);
        /* slots[j] may move to i when its home is not in the cyclic range (i, j]. */
        bool in_range = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!in_range) {
            slots[i] = slots[j];
            i = j;
        }
    }
    slots[i] = 0;
    count--;
}

size_t ptrset_count(void) { return count; }

void ptrset_prefetch(const void *p)
{
    if (nslots)
        __builtin_prefetch(&slots[home((uintptr_t)p, nslots - 1)]);
}

void ptrset_walk(ptrset_walk_fn *fn, void *arg)
{
    for (size_t i = 0; i < nslots; i++)
        if (slots[i])
            fn((const void *)(slots[i] & ~STATE_MASK), (enum ptr_state)(slots[i] & STATE_MASK), arg);
}

void ptrset_reset(void)
{
    if (slots)
        os_unmap_meta(slots, nslots * sizeof *slots);
    slots = NULL;
    nslots = count = 0;
}
