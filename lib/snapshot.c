/* Snapshots (see snapshot.h).  One hold of the heap lock records the statistics, the
 * live blocks grouped by allocation stack (a hash table keyed by stack id) and the
 * heap map; the groups are sorted and everything is written after the lock is
 * released, through dump.c.  The scratch mapping is sized before the lock is taken,
 * from the depot's stack count (a group per stack at most), and grown and retried if
 * stacks were added meanwhile: mapping memory with the lock held would stall every
 * thread for the system call. */
#define _GNU_SOURCE
#include "internal.h"
#include "snapshot.h"
#include "core.h"
#include "depot.h"
#include "dump.h"
#include "fmt.h"
#include "guard.h"
#include "heapcheck.h"
#include "heapmap.h"
#include "lock.h"
#include "options.h"
#include "os.h"
#include "quarantine.h"
#include "report.h"
#include "vg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

struct group {
    uint32_t stack;
    size_t blocks, bytes;
};

struct snapshot {
    size_t map_len;
    const char *trigger;
    unsigned long seq;
    uint64_t time_ms;
    struct hc_stats stats;
    bool with_groups;
    struct group *groups;
    size_t ngroups, cap;
    uint32_t *table; /* group index + 1, by stack id hash */
    size_t table_cap;
    struct heapmap map;
    char *cells;
};

static struct snapshot *map_scratch(size_t cap)
{
    size_t table_cap = 16;
    while (table_cap < 2 * cap)
        table_cap *= 2;
    size_t len = sizeof(struct snapshot) + cap * sizeof(struct group) + table_cap * sizeof(uint32_t) +
                 HEAPMAP_CELLS_ROOM + 64;
    len = HC_ALIGN_UP(len, os_page_size());
    unsigned char *m = os_map(len);
    if (!m)
        return NULL;
    struct snapshot *s = (struct snapshot *)m;
    s->map_len = len;
    s->cap = cap;
    s->groups = (struct group *)HC_ALIGN_UP((uintptr_t)(s + 1), 16);
    s->table = (uint32_t *)(s->groups + cap);
    s->table_cap = table_cap;
    s->cells = (char *)(s->table + table_cap);
    return s;
}

void snapshot_release(struct snapshot *s)
{
    if (s)
        os_unmap(s, s->map_len);
}

/* A live block into its stack's group (called from the heap map's walk, which
 * reads the blocks in address order: one pass over the heap serves both). */
static void add_live(uint32_t stack, size_t size, void *arg)
{
    struct snapshot *s = arg;
    size_t j = (size_t)((stack * 0x9e3779b97f4a7c15ULL) >> 32) & (s->table_cap - 1);
    for (;; j = (j + 1) & (s->table_cap - 1)) {
        if (!s->table[j]) {
            if (s->ngroups == s->cap)
                return; /* cannot happen: one group per depot stack at most */
            s->groups[s->ngroups] = (struct group){stack, 0, 0};
            s->table[j] = (uint32_t)++s->ngroups;
            break;
        }
        if (s->groups[s->table[j] - 1].stack == stack)
            break;
    }
    struct group *g = &s->groups[s->table[j] - 1];
    g->blocks++;
    g->bytes += size;
}

/* Heap lock held: as heap_stats() computes them. */
static void take_stats(struct hc_stats *st)
{
    struct core_stats c;
    core_get_stats(&c);
    memset(st, 0, sizeof *st);
    st->live_blocks = guard_live_blocks();
    st->live_bytes = guard_live_bytes();
    st->quarantine_bytes = quar_bytes();
    st->quarantine_blocks = quar_count();
    st->heap_bytes = c.heap_bytes;
    st->mapped_bytes = c.mapped_bytes;
    st->free_bytes = c.free_bytes;
    st->free_blocks = c.free_blocks;
    st->largest_free = c.largest_free;
}

/* Largest bytes first (heapsort: no allocation). */
static bool before(const struct group *a, const struct group *b)
{
    return a->bytes != b->bytes ? a->bytes < b->bytes : a->stack > b->stack;
}

static void sift(struct group *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && before(&a[child + 1], &a[child]))
            child++;
        if (!before(&a[child], &a[root]))
            return;
        struct group t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_groups(struct group *a, size_t n)
{
    /* A min-heap by "before", popped to the back: largest first. */
    for (size_t i = n / 2; i-- > 0;)
        sift(a, i, n);
    for (size_t end = n; end-- > 1;) {
        struct group t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(a, 0, end);
    }
}

struct snapshot *snapshot_collect(bool groups)
{
    size_t cap = groups ? depot_count() + 64 : 1; /* read unlocked: checked below */
    for (;;) {
        struct snapshot *s = map_scratch(cap);
        if (!s)
            return NULL;
        s->with_groups = groups;
        vg_enter(); /* heapcheck's own metadata and headers, which memcheck may not read */
        bool taken = lock_acquire();
        size_t need = groups ? depot_count() + 1 : 0;
        if (need > cap) { /* stacks were stored meanwhile: map more, try again */
            lock_release(taken);
            vg_leave();
            snapshot_release(s);
            cap = need + need / 4;
            continue;
        }
        take_stats(&s->stats);
        heapmap_collect(&s->map, s->cells, groups ? add_live : NULL, s);
        lock_release(taken);
        vg_leave();
        s->stats.errors = report_error_count();
        s->stats.fragmentation =
            s->stats.free_bytes ? 1.0 - (double)s->stats.largest_free / (double)s->stats.free_bytes : 0.0;
        sort_groups(s->groups, s->ngroups);
        return s;
    }
}

bool snapshot_has_groups(const struct snapshot *s) { return s->with_groups; }

void snapshot_write_header(const struct snapshot *s)
{
    fmt_printf(dump_fmt(), "\"trigger\":\"%s\",\"seq\":%lu,\"time_ms\":%llu,", s->trigger, s->seq,
               (unsigned long long)s->time_ms);
}

void snapshot_write_stacks(const struct snapshot *s, bool *first)
{
    for (size_t i = 0; i < s->ngroups; i++)
        dump_stack_once(s->groups[i].stack, first);
}

void snapshot_write_body(const struct snapshot *s)
{
    struct fmt *out = dump_fmt();
    const struct hc_stats *st = &s->stats;
    fmt_printf(out, ",\n\"stats\":{\"live_bytes\":%zu,\"live_blocks\":%zu,\"heap_bytes\":%zu,\"mapped_bytes\":%zu,"
                    "\"free_bytes\":%zu,\"free_blocks\":%zu,\"largest_free\":%zu,\"quarantine_bytes\":%zu,"
                    "\"quarantine_blocks\":%zu}",
               st->live_bytes, st->live_blocks, st->heap_bytes, st->mapped_bytes, st->free_bytes, st->free_blocks,
               st->largest_free, st->quarantine_bytes, st->quarantine_blocks);
    if (s->with_groups) {
        fmt_printf(out, ",\n\"live\":[");
        for (size_t i = 0; i < s->ngroups; i++) {
            const struct group *g = &s->groups[i];
            fmt_printf(out, "%s{\"stack\":%u,\"blocks\":%zu,\"bytes\":%zu}\n", i ? "," : "", g->stack, g->blocks,
                       g->bytes);
            dump_maybe_flush();
        }
        fmt_printf(out, "]");
    }
    fmt_printf(out, ",\n\"heap_map\":");
    heapmap_write(&s->map, out, dump_maybe_flush);
}

static unsigned long seq;

int snapshot_now(const char *trigger)
{
    struct snapshot *s = snapshot_collect(true);
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->trigger = trigger;
    s->seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
    s->time_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    char name[1200];
    struct fmt nf;
    fmt_init(&nf, name, sizeof name);
    const char *prefix = options.dump_path && options.dump_path[0] ? options.dump_path : "heapcheck";
    fmt_printf(&nf, "%s.%d.snap.%lu.json", prefix, os_getpid(), s->seq);
    size_t len = fmt_length(&nf);
    fmt_printf(&nf, ".tmp");
    /* Written under a temporary name and renamed: whoever waits for snapshots (a
     * script, the tool) never reads half of one. */
    bool ok = fmt_length(&nf) < sizeof name && dump_write_file(name, NULL, s);
    char final[sizeof name];
    memcpy(final, name, len);
    final[len] = '\0';
    if (ok && rename(name, final) != 0)
        ok = false;
    else if (!ok)
        unlink(name);
    int saved = errno;
    snapshot_release(s);
    if (!ok) {
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
