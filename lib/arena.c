/* The arenas' storage, the granule map and the all-locks helpers (see arena.h).
 * Static or mapped memory only, so no arena lives in a heap it describes. */
#include "internal.h"
#include "arena.h"
#include "lock.h"
#include "os.h"

struct arena arenas[ARENAS_MAX];
unsigned arena_count = 1;
int slots_lock;
unsigned char *arena_map[ARENA_MAP_TOP];
__thread __attribute__((tls_model("initial-exec"))) struct arena *arena_cur = &arenas[0];

void arena_init(unsigned count)
{
    if (count < 1)
        count = 1;
    if (count > ARENAS_MAX)
        count = ARENAS_MAX;
    for (unsigned i = 0; i < ARENAS_MAX; i++)
        arenas[i].id = i;
    arena_count = count;
}

bool arena_map_set(const void *base, size_t len, unsigned id)
{
    uintptr_t g = (uintptr_t)base >> ARENA_GRANULE_SHIFT, end = g + (len >> ARENA_GRANULE_SHIFT);
    for (; g < end; g++) {
        size_t top = g >> ARENA_MAP_LEAF_BITS;
        if (top >= ARENA_MAP_TOP)
            return id == 0;
        unsigned char *leaf = __atomic_load_n(&arena_map[top], __ATOMIC_ACQUIRE);
        if (!leaf) {
            if (id == 0)
                continue;
            /* Two arenas may race to add the same leaf: one mapping wins, the other
             * is given back. */
            unsigned char *fresh = os_map_meta((size_t)1 << ARENA_MAP_LEAF_BITS);
            if (!fresh)
                return false;
            if (__atomic_compare_exchange_n(&arena_map[top], &leaf, fresh, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                leaf = fresh;
            else
                os_unmap_meta(fresh, (size_t)1 << ARENA_MAP_LEAF_BITS);
        }
        __atomic_store_n(&leaf[g & ((1u << ARENA_MAP_LEAF_BITS) - 1)], (unsigned char)id, __ATOMIC_RELEASE);
    }
    return true;
}

bool arena_lock_all(void)
{
    bool taken = false;
    for (unsigned i = 0; i < arena_count; i++)
        taken = lock_take(&arenas[i].lock);
    lock_take(&slots_lock);
    return taken;
}

void arena_unlock_all(bool taken)
{
    lock_give(&slots_lock, taken);
    for (unsigned i = arena_count; i-- > 0;)
        lock_give(&arenas[i].lock, taken);
}

void arena_reset_locks(void)
{
    for (unsigned i = 0; i < ARENAS_MAX; i++)
        __atomic_store_n(&arenas[i].lock, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&slots_lock, 0, __ATOMIC_RELAXED);
}
