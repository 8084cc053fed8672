/* The dump loader: reads one heapcheck dump (docs/dump-format.md, versions 1 to 3), checks
 * every field it uses, and fills plain structs.  Anything malformed is rejected with a
 * message naming the file and the place (line/column, or the key path). */
#ifndef HC_TOOL_DUMP_H
#define HC_TOOL_DUMP_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define HC_DUMP_VERSION 3

struct hc_module {
    char *path;
    uint64_t base;      /* load bias: file address = address - base */
    char *build_id;     /* lowercase hex, "" when unknown */
};

struct hc_stack {
    uint64_t id;
    size_t nframes;
    uint64_t *frames;   /* return addresses, innermost first */
};

struct hc_error {
    char *kind;         /* as written; unknown kinds are kept and shown as they are */
    uint64_t address;
    bool has_block, has_size;
    uint64_t block, size;
    int64_t offset;
    uint64_t changed;
    char *op;
    uint64_t op_stack, alloc_stack, free_stack;   /* 0: none */
    char *detail;
    /* Version 3 (empty, false or 0 in older dumps): the families that allocated and
     * released the block ("malloc", "new", "new[]", "realloc"), whether it was freed,
     * a likely cause that overrides the class's own (NULL: none), and the overrun
     * block before a damaged header. */
    char *alloc_family, *release_family;
    bool freed;
    char *cause;
    bool has_prev;
    uint64_t prev_block, prev_size, prev_changed, prev_stack;
    /* The threads of the three stacks: a number (T0 the main thread; -1 unknown)
     * and a name ("" when it has none of its own). */
    int op_thread, alloc_thread, free_thread;
    char *op_thread_name, *alloc_thread_name, *free_thread_name;
};

struct hc_leak {
    enum leak_kind kind;
    uint64_t stack;
    uint64_t blocks, bytes, indirect_bytes;
};

struct hc_count {
    uint64_t bytes, blocks;
};

/* Version 2: snapshots of the live heap, statistics, the heap map (dump_snap.c). */
enum hc_dump_kind { DUMP_EXIT, DUMP_SNAPSHOT };

struct hc_live {
    uint64_t stack, blocks, bytes;
};

struct hc_stats_rec {
    uint64_t live_bytes, live_blocks, heap_bytes, mapped_bytes, free_bytes, free_blocks,
        largest_free, quarantine_bytes, quarantine_blocks;
};

/* live, overhead, free, quarantined, damaged, guarded; closed and unused (guarded slots) */
#define HC_MAP_STATES "lofqdgcu"

struct hc_map_region {
    bool slots;         /* the guarded-slot pool's strip ("kind": "slots") */
    uint64_t base, size, cell;
    size_t ncells;
    char *cells;        /* one letter of HC_MAP_STATES per cell (expanded) */
};

struct hc_dump {
    char *file;         /* where it was read from, for messages */
    enum hc_dump_kind kind;
    char *trigger;      /* snapshots: "api", "signal", "interval" */
    uint64_t seq, time_ms;
    bool has_stats, has_map;
    struct hc_stats_rec stats;
    size_t nlive;
    struct hc_live *live;       /* snapshots: largest first */
    size_t nregions;
    struct hc_map_region *regions;
    uint64_t omitted_regions;
    struct hc_count large[6];   /* large blocks by state, HC_MAP_STATES order */
    long pid, ppid;
    char *exe;
    char *leak_check;   /* "off", "summary" or "full" */
    char *end;          /* version 3: "exit", "abort" or "signal"; "" when not said */
    size_t nmodules, nstacks, nerrors, nleaks;
    struct hc_module *modules;
    struct hc_stack *stacks;   /* sorted by id */
    struct hc_error *errors;
    struct hc_leak *leaks;
    uint64_t errors_total;
    struct hc_count summary[LK_COUNT];
    struct hc_count suppressed;
};

/* The largest dump file read, in bytes (--max-dump-size): a dump is text that the
 * library writes, a few hundred bytes per error or loss record, and parsing it takes
 * several times its size in memory; past this, a file is refused, not read until
 * memory runs out (heapcheck report /dev/zero). */
#define DUMP_MAX_DEFAULT ((size_t)256 << 20)
extern size_t dump_max_bytes;

/* Load FILE.  On failure returns NULL and puts a one-line message, starting with the
 * file name, in ERR. */
struct hc_dump *dump_load_file(const char *file, char *err, size_t errlen);
/* The same from memory; NAME stands for the file in messages. */
struct hc_dump *dump_load_buffer(const char *data, size_t len, const char *name, char *err,
                                 size_t errlen);
void dump_free(struct hc_dump *d);

/* A reader's message in ERR: "FILE: at WHERE: what" (no "at" part without WHERE). */
void dump_error(char *err, size_t errlen, const char *file, const char *where, const char *fmt,
                va_list ap) __attribute__((format(printf, 5, 0)));

/* dump_snap.c: the version 2 parts of ROOT (a json_t *) into D; false with a message
 * in ERR; and their release. */
bool dump_load_v2(void *root, struct hc_dump *d, char *err, size_t errlen);
void dump_free_v2(struct hc_dump *d);

/* The stack with this id, or NULL (id 0 is always NULL). */
const struct hc_stack *dump_stack(const struct hc_dump *d, uint64_t id);

#endif
