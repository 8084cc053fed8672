/* The stack depot (see depot.h).  Stacks are appended to a mapped log of words
 * [n | thread << THREAD_SHIFT, frame0, ...]; an open-addressing table maps a stack's
 * hash to its id.  Nothing is ever freed.
 *
 * The thread that made a stack is part of it: the same call site in two threads is
 * two stacks.  So a block header's four-byte stack id names the thread too, and
 * nothing grows per block; the cost is one entry per (site, thread). */
#include "internal.h"
#include "depot.h"
#include "os.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREAD_SHIFT 8 /* above the frame count (at most DEPOT_MAX_FRAMES) */

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

static uint64_t hash_frames(void *const *frames, unsigned n, uintptr_t thread)
{
    uint64_t h = (0x84222325cbf29ce4ULL ^ n) + thread * 0x9e3779b97f4a7c15ULL;
    for (unsigned i = 0; i < n; i++) {
        h ^= (uint64_t)(uintptr_t)frames[i];
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h;
}

/* Thread numbers: T0 is the main thread, the others in the order of their first
 * stored stack.  Their names (pthread_setname_np, prctl) are read when a thread
 * stores a stack the depot has not seen (a rare path), so a report names the
 * thread as it was called then, even after it exited. */
static __thread __attribute__((tls_model("initial-exec"))) int my_number = -1;
static int next_number = 1;
static char names[DEPOT_THREAD_NAMES][16];
static char process_name[16];

static unsigned thread_number(void)
{
    int n = my_number;
    if (HC_UNLIKELY(n < 0)) {
        n = syscall(SYS_gettid) == os_getpid() ? 0 : __atomic_fetch_add(&next_number, 1, __ATOMIC_RELAXED);
        my_number = n;
    }
    return (unsigned)n;
}

/* This thread's name now, unless it is the process's own (a thread inherits it). */
static void note_name(unsigned number)
{
    char name[16] = {0};
    if (number >= DEPOT_THREAD_NAMES || prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0) != 0)
        return;
    name[15] = '\0';
    if (number == 0 && !process_name[0]) /* the main thread's first stack: the process's name */
        memcpy(process_name, name, sizeof name);
    if (strcmp(name, process_name) == 0)
        name[0] = '\0';
    memcpy(names[number], name, sizeof name);
}

int depot_thread(uint32_t id, const char **name)
{
    unsigned n;
    *name = NULL;
    if (!depot_get(id, &n))
        return -1;
    unsigned t = (unsigned)(*words_of(id) >> THREAD_SHIFT);
    if (t < DEPOT_THREAD_NAMES && names[t][0])
        *name = names[t];
    return (int)t;
}

static bool same(uint32_t id, void *const *frames, unsigned n)
{
    const uintptr_t *w = words_of(id);
    if (w[0] != ((uintptr_t)thread_number() << THREAD_SHIFT | n))
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
        size_t j = hash_frames((void *const *)&w[1], (unsigned)(w[0] & ((1u << THREAD_SHIFT) - 1)),
                               w[0] >> THREAD_SHIFT) & (n - 1);
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
    unsigned thread = thread_number();
    size_t j = hash_frames(frames, n, thread) & mask;
    for (; table[j]; j = (j + 1) & mask)
        if (same(table[j], frames, n))
            return table[j];
    if (used + n + 1 > CHUNK_WORDS && !new_chunk())
        return 0;
    uint32_t id = (uint32_t)((nchunks - 1) << CHUNK_BITS | used);
    uintptr_t *w = words_of(id);
    w[0] = (uintptr_t)thread << THREAD_SHIFT | n;
    note_name(thread);
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
    *n = (unsigned)(w[0] & ((1u << THREAD_SHIFT) - 1));
    return (void *const *)&w[1];
}

size_t depot_count(void) { return stacks; }
