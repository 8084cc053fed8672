/* The allocated-pointer set (see ptrset.h): open addressing with linear probing and
 * backward-shift deletion (no tombstones, so probe runs stay short).  Pointers are
 * 16-aligned, so the state lives in an entry's low four bits.  The table doubles
 * into a new mapping at 1/2 load. */
#include "internal.h"
#include "ptrset.h"
#include "os.h"
#include "arena.h"

#define PS (arena_cur->ps)

#define STATE_MASK ((uintptr_t)15)
#define MIN_SLOTS ((size_t)1 << 14)


static inline size_t home(uintptr_t key, size_t mask)
{
    return (size_t)(((key >> 4) * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
}

static size_t find(uintptr_t key)
{
    size_t mask = PS.nslots - 1;
    for (size_t i = home(key, mask);; i = (i + 1) & mask) {
        uintptr_t e = PS.slots[i];
        if (e == 0 || (e & ~STATE_MASK) == key)
            return i;
    }
}

static bool grow(void)
{
    size_t n = PS.nslots ? PS.nslots * 2 : MIN_SLOTS;
    uintptr_t *fresh = os_map_meta(n * sizeof *fresh);
    if (!fresh)
        return false;
    uintptr_t *old = PS.slots;
    size_t oldn = PS.nslots;
    PS.slots = fresh;
    PS.nslots = n;
    for (size_t i = 0; i < oldn; i++)
        if (old[i])
            PS.slots[find(old[i] & ~STATE_MASK)] = old[i];
    if (old)
        os_unmap_meta(old, oldn * sizeof *old);
    return true;
}

bool ptrset_insert(const void *p, enum ptr_state state)
{
    if ((PS.count + 1) * 2 > PS.nslots && !grow())
        return false;
    uintptr_t key = (uintptr_t)p;
    size_t i = find(key);
    if (!PS.slots[i])
        PS.count++;
    PS.slots[i] = key | (uintptr_t)state;
    return true;
}

enum ptr_state ptrset_get(const void *p)
{
    /* A misaligned pointer is never a block start (and must not match one). */
    if (!PS.nslots || ((uintptr_t)p & STATE_MASK))
        return PTR_ABSENT;
    return (enum ptr_state)(PS.slots[find((uintptr_t)p)] & STATE_MASK);
}

void ptrset_set(const void *p, enum ptr_state state)
{
    size_t i = find((uintptr_t)p);
    HC_ASSERT(PS.slots[i] != 0);
    PS.slots[i] = (uintptr_t)p | (uintptr_t)state;
}

void ptrset_remove(const void *p)
{
    size_t mask = PS.nslots - 1;
    size_t i = find((uintptr_t)p);
    HC_ASSERT(PS.slots[i] != 0);
    /* Shift later members of the run back so no lookup passes an empty slot early. */
    for (size_t j = (i + 1) & mask; PS.slots[j]; j = (j + 1) & mask) {
        size_t h = home(PS.slots[j] & ~STATE_MASK, mask);
        /* PS.slots[j] may move to i when its home is not in the cyclic range (i, j]. */
        bool in_range = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!in_range) {
            PS.slots[i] = PS.slots[j];
            i = j;
        }
    }
    PS.slots[i] = 0;
    PS.count--;
}

size_t ptrset_count(void) { return PS.count; }

void ptrset_prefetch(const void *p)
{
    if (PS.nslots)
        __builtin_prefetch(&PS.slots[home((uintptr_t)p, PS.nslots - 1)]);
}

void ptrset_walk(ptrset_walk_fn *fn, void *arg)
{
    for (size_t i = 0; i < PS.nslots; i++)
        if (PS.slots[i])
            fn((const void *)(PS.slots[i] & ~STATE_MASK), (enum ptr_state)(PS.slots[i] & STATE_MASK), arg);
}

void ptrset_reset(void)
{
    if (PS.slots)
        os_unmap_meta(PS.slots, PS.nslots * sizeof *PS.slots);
    PS.slots = NULL;
    PS.nslots = PS.count = 0;
}
