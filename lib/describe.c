/* hc_describe(addr): what heapcheck knows of an address, printed in the words of its
 * reports (finding_render_place: the same renderer, the same sentences), for a
 * program or a debugger (`call hc_describe(p)` in gdb) to ask:
 *
 *   a guarded slot's block, or its guard page       slots_fault_info
 *   a heap block, live or freed (in quarantine),    guard_describe, as free() would
 *     with its allocation and free stacks             classify the pointer
 *   free memory of a heap region                    region_find
 *   heapcheck's own memory (metadata, its library)  os_meta_walk, /proc/self/maps
 *   a fill pattern, or the first page (NULL)        fault_explain_value
 *   a stack, a module's mapping, other memory       /proc/self/maps
 *
 * A debugger may stop the program anywhere, inside heapcheck too: a thread stopped in
 * malloc holds its arena's lock (or, while the process has one thread, is halfway
 * through changing it).  So every lock is tried, never waited on for long
 * (heap_try_enter, report_try_begin), and what a lock it cannot get guards is left
 * out with a line that says so.  Nothing here allocates; /proc is read with read(2). */
#define _GNU_SOURCE
#include "internal.h"
#include "arena.h"
#include "fault.h"
#include "finding.h"
#include "fmt.h"
#include "guard.h"
#include "heap.h"
#include "heapcheck.h"
#include "os.h"
#include "region.h"
#include "report.h"
#include "slots.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The mapping of /proc/self/maps that holds an address, and its neighbour below. */
struct mapping {
    bool found;
    uintptr_t lo, hi;
    char perms[5];
    bool guard_below; /* a PROT_NONE mapping ends where it starts: a thread's stack */
    char path[512];
    char own_path[512]; /* the file heapcheck's code is mapped from */
};

static void copy_path(char *to, size_t cap, const char *line)
{
    const char *path = strchr(line, '/');
    if (!path)
        path = strchr(line, '[');
    size_t n = path ? strlen(path) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(to, path ? path : "", n);
    to[n] = '\0';
}

struct map_walk {
    struct mapping *m;
    uintptr_t addr, self;
};

static void map_line(const struct os_mapping *om, void *arg)
{
    struct map_walk *w = arg;
    struct mapping *m = w->m;
    if (w->self >= om->lo && w->self < om->hi)
        copy_path(m->own_path, sizeof m->own_path, om->line);
    if (w->addr < om->lo || w->addr >= om->hi)
        return;
    m->found = true;
    m->lo = om->lo;
    m->hi = om->hi;
    memcpy(m->perms, om->perms, 4);
    m->perms[4] = '\0';
    m->guard_below = om->guard_below;
    copy_path(m->path, sizeof m->path, om->line);
}

static void find_mapping(struct mapping *m, uintptr_t addr)
{
    memset(m, 0, sizeof *m);
    struct map_walk w = {m, addr, (uintptr_t)hc_describe};
    os_each_mapping(map_line, &w);
}

struct meta_probe {
    uintptr_t addr;
    bool inside;
};

static void probe_meta(const void *start, const void *end, void *arg)
{
    struct meta_probe *p = arg;
    if (p->addr >= (uintptr_t)start && p->addr < (uintptr_t)end)
        p->inside = true;
}

/* Statics: the report lock, held from start to end, makes them this call's alone. */
static char detail_buf[768];

/* What the process's mappings say of an address no block holds. */
static const char *mapping_detail(uintptr_t addr, const struct mapping *m)
{
    struct fmt f;
    fmt_init(&f, detail_buf, sizeof detail_buf);
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (!m->found)
        return NULL; /* nothing known: the renderer's own words */
    if (m->own_path[0] && strcmp(m->path, m->own_path) == 0)
        return "is in heapcheck's own library (its code or static data), not the program's memory";
    fmt_printf(&f, "is not in any block heapcheck allocated: ");
    if (sp >= m->lo && sp < m->hi)
        fmt_printf(&f, "it is on the stack of this thread, %s its stack pointer",
                   addr >= sp ? "above" : "below (memory no frame uses now)");
    else if (strcmp(m->path, "[stack]") == 0)
        fmt_printf(&f, "it is on the main thread's stack");
    else if (!m->path[0] && m->guard_below && m->perms[0] == 'r' && m->perms[1] == 'w')
        fmt_printf(&f, "it is on another thread's stack");
    else if (m->path[0] == '/')
        fmt_printf(&f, "it is in a mapping of %s (%s)", m->path,
                   m->perms[2] == 'x' ? "its code" : m->perms[1] == 'w' ? "its writable data: globals"
                                                                         : "its read-only data");
    else if (m->path[0])
        fmt_printf(&f, "it is in the mapping %s", m->path);
    else
        fmt_printf(&f, "it is in memory mapped by the program or a library, not heapcheck's heap");
    if (m->perms[0] != 'r')
        fmt_printf(&f, ", which cannot be read");
    return fmt_text(&f);
}

static void sink_line_start(struct finding_sink *s, struct fmt *f)
{
    (void)s;
    report_line_start(f);
}

struct describe_sink {
    struct finding_sink sink;
    const struct finding *x;
};

static void sink_stack(struct finding_sink *s, struct fmt *f, enum finding_stack which)
{
    const struct finding *x = ((struct describe_sink *)s)->x;
    report_stack(f, which == FS_ALLOC ? x->alloc_stack : which == FS_FREE ? x->free_stack : x->op_stack);
}

static void locked_out(struct fmt *f, const char *what)
{
    report_line_start(f);
    fmt_printf(f, "heapcheck: %s is locked (this thread stopped inside heapcheck, or another thread "
                  "holds it): what it holds is not described\n", what);
}

HC_EXPORT int hc_describe(const void *addr)
{
    struct fmt *out = report_try_begin();
    if (!out) {
        static const char msg[] = "heapcheck: hc_describe: a report is being printed (its lock is "
                                  "held); try again\n";
        (void)!write(2, msg, sizeof msg - 1);
        return -1;
    }
    report_line_start(out);
    fmt_printf(out, "heapcheck: hc_describe(%p)\n", addr);
    uintptr_t a = (uintptr_t)addr;
    struct finding x;
    memset(&x, 0, sizeof x);
    x.bug = BUG_SEGV;
    x.op = OP_ACCESS;
    x.addr = addr;
    int known = 1, locked = 0;
    bool taken, done = false;
    if (!heap_guarded()) {
        x.detail = "is not described: heapcheck runs as the bare allocator (preset none) and keeps no "
                   "record of blocks";
        done = true;
        known = 0;
    }
    if (!done && slots_owns(addr)) { /* a guarded slot: its block, guard pages, or none */
        if (heap_try_enter(&slots_lock, &taken)) {
            done = slots_fault_info(addr, &x);
            heap_leave(&slots_lock, taken);
            x.op = OP_ACCESS;
            if (done && x.block_known) {
                x.bug = x.freed ? BUG_USE_AFTER_FREE : BUG_SEGV;
                struct mapping m;
                find_mapping(&m, a);
                if (!x.freed && m.found && m.perms[0] != 'r')
                    x.detail = "it lies in an inaccessible page of the block's guarded slot (a guard page): "
                               "an access there faults and is reported";
            }
        } else {
            locked_out(out, "the guarded slots' lock");
            locked++;
            x.detail = "is in heapcheck's guarded-slot pool (whose slots are not described: their lock is held)";
            done = true;
        }
    }
    if (!done) { /* a heap block, live or freed, or a region's free memory */
        struct arena *ar = arena_of(addr);
        if (heap_try_enter(&ar->lock, &taken)) {
            arena_cur = ar;
            struct finding g;
            guard_describe(addr, &g);
            if (g.bug != BUG_WILD_FREE) {
                x = g;
                x.op = OP_ACCESS;
                x.addr = addr;
                x.bug = BUG_SEGV;
                if (!x.block_known)
                    x.detail = "is in a block whose header does not verify (overwritten): nothing in it "
                               "is trusted";
                done = true;
            } else if (region_find(addr)) {
                x.detail = "is in free memory of one of heapcheck's heap regions: no block holds it now";
                done = true;
            }
            heap_leave(&ar->lock, taken);
        } else {
            static char what[32];
            struct fmt w;
            fmt_init(&w, what, sizeof what);
            fmt_printf(&w, "arena %u's lock", ar->id);
            locked_out(out, fmt_text(&w));
            locked++;
        }
    }
    if (!done) {
        struct meta_probe probe = {a, false};
        os_meta_walk(probe_meta, &probe);
        if (probe.inside) {
            x.detail = "is in heapcheck's own metadata (its tables and stacks), not the program's memory";
            done = true;
        }
    }
    if (!done) {
        struct finding v;
        memset(&v, 0, sizeof v);
        fault_explain_value(a, &v); /* a fill pattern, or the first page */
        if (v.detail) {
            x.detail = v.detail;
            done = true;
        }
    }
    if (!done) {
        struct mapping m;
        find_mapping(&m, a);
        x.detail = mapping_detail(a, &m);
        if (!x.detail)
            known = 0;
    }
    if (locked && !x.block_known)
        known = -1; /* a block may hold it, unseen */
    struct finding_desc d;
    finding_describe(&x, &d);
    struct describe_sink sink = {{sink_line_start, sink_stack}, &x};
    finding_render_place(out, &d, &sink.sink);
    report_end();
    return known;
}
