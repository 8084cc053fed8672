/* The stack depot (see depot.h).  Stacks are appended to a mapped log of words
 * [n, frame0, ...]; an open-addressing table maps a stack's hash to its id.
 * Nothing is ever freed. */
#include "internal.h"
#include "depot.h"
#include "os.h"

#include <string.h>

/* Stacks live in chunks that never move, so a frame pointer handed out stays valid
 * after the lock is released.  An id is chunk << CHUNK_BITS | offset (offset >= 1). */
#define CHUNK_BITS 16
#define CHUNK_WORDS ((size_t)1 << CHUNK_BITS)
#define MAX_CHUNKS 16384

static uintptr_t *chunks[MAX_CHUNKS];
static size_t nchunks, used = CHUNK_WORDS; /* words used in the last chunk */
static uint32_t *table; /* ids */
static size_t table_cap, stacks;

static uintptr_t *words_of(uint32_t id)
{
    return &chunks[id >> CHUNK_BITS][id & (CHUNK_WORDS - 1)];
}

static uint64_t hash_frames(void *const *frames, unsigned n)
{
    uint64_t h = 0x84222325cbf29ce4ULL ^ n;
    for (unsigned i = 0; i < n; i++) {
        h ^= (uint64_t)(uintptr_t)frames[i];
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h;
}

static bool same(uint32_t id, void *const *frames, unsigned n)
{
    const uintptr_t *w = words_of(id);
    if (w[0] != n)
        return false;
    /* A plain loop: stacks are a few words, too short for memcmp's setup to pay. */
    for (unsigned i = 0; i < n; i++)
        if (w[1 + i] != (uintptr_t)frames[i])
            return false;
    return true;
}

static bool grow_table(void)
{
    size_t n = table_cap ? table_cap * 2 : 4096;
    uint32_t *fresh = os_map_meta(n * sizeof *fresh);
    if (!fresh)
        return false;
    for (size_t i = 0; i < table_cap; i++) {
        uint32_t id = table[i];
        if (!id)
            continue;
        uintptr_t *w = words_of(id);
        size_t j = hash_frames((void *const *)&w[1], (unsigned)w[0]) & (n - 1);
        while (fresh[j])
            j = (j + 1) & (n - 1);
        fresh[j] = id;
    }
    if (table)
        os_unmap_meta(table, table_cap * sizeof *table);
    table = fresh;
    table_cap = n;
    return true;
}

static bool new_chunk(void)
{
    if (nchunks == MAX_CHUNKS)
        return false;
    uintptr_t *c = os_map_meta(CHUNK_WORDS * sizeof *c);
    if (!c)
        return false;
    chunks[nchunks++] = c;
    used = 1; /* offset 0 stays unused: id 0 means none */
    return true;
}

uint32_t depot_put(void *const *frames, unsigned n)
{
    if (n == 0)
        return 0;
    if (n > DEPOT_MAX_FRAMES)
        n = DEPOT_MAX_FRAMES;
    if ((stacks + 1) * 2 > table_cap && !grow_table())
        return 0;
    size_t mask = table_cap - 1;
    size_t j = hash_frames(frames, n) & mask;
    for (; table[j]; j = (j + 1) & mask)
        if (same(table[j], frames, n))
            return table[j];
    if (used + n + 1 > CHUNK_WORDS && !new_chunk())
        return 0;
    uint32_t id = (uint32_t)((nchunks - 1) << CHUNK_BITS | used);
    uintptr_t *w = words_of(id);
    w[0] = n;
    memcpy(&w[1], frames, n * sizeof(void *));
    used += n + 1;
    table[j] = id;
    stacks++;
    return id;
}

static __thread __attribute__((tls_model("initial-exec"))) uint32_t last_id[DEPOT_SLOTS];

uint32_t depot_recall(void *const *frames, unsigned n, unsigned slot)
{
    uint32_t id = last_id[slot];
    return id && same(id, frames, n) ? id : 0;
}

uint32_t depot_put_remembered(void *const *frames, unsigned n, unsigned slot)
{
    uint32_t id = depot_put(frames, n);
    if (id)
        last_id[slot] = id;
    return id;
}

void *const *depot_get(uint32_t id, unsigned *n)
{
    if ((id & (CHUNK_WORDS - 1)) == 0 || (id >> CHUNK_BITS) >= nchunks) {
        *n = 0;
        return NULL;
    }
    uintptr_t *w = words_of(id);
    *n = (unsigned)w[0];
    return (void *const *)&w[1];
}

size_t depot_count(void) { return stacks; }
