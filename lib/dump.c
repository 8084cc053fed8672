/* The exit dump (see dump.h and docs/dump-format.md).  Modules come from
 * dl_iterate_phdr with their GNU build ids read from PT_NOTE; only the stacks that
 * errors and leak records name are written. */
#define _GNU_SOURCE
#include "internal.h"
#include "dump.h"
#include "depot.h"
#include "finding.h"
#include "fmt.h"
#include "options.h"
#include "report.h"
#include "os.h"
#include "snapshot.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* One writer at a time (a snapshot thread, hc_dump_now, the exit): the buffer, the
 * descriptor and the set of written stacks are shared.  Held across fork by the
 * prepare handler, so a child never inherits it taken. */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t writer_once = PTHREAD_ONCE_INIT;
static void writer_lock(void) { pthread_mutex_lock(&writer); }
static void writer_unlock(void) { pthread_mutex_unlock(&writer); }
static void writer_fork_handlers(void) { pthread_atfork(writer_lock, writer_unlock, writer_unlock); }

static char buf[16384];
static struct fmt out;
static int fd;
static int failed; /* the errno of the first failed write */

static void flush(void)
{
    size_t len = fmt_length(&out);
    int err = len ? os_write_all(fd, buf, len) : 0;
    if (err && !failed)
        failed = err; /* a full disk: say so, lose nothing else */
    fmt_init(&out, buf, sizeof buf);
}

static void warn_dump(const char *path, const char *why)
{
    char text[1400];
    struct fmt f;
    fmt_init(&f, text, sizeof text);
    fmt_printf(&f, "heapcheck: warning: could not write the dump %s (dump_path): %s\n", path, why);
    report_warning(fmt_text(&f));
}

static void maybe_flush(void)
{
    if (fmt_length(&out) > sizeof buf - 4096)
        flush();
}

struct fmt *dump_fmt(void) { return &out; }
void dump_maybe_flush(void) { maybe_flush(); }

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void string(const char *s)
{
    fmt_printf(&out, "\"");
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fmt_printf(&out, "\\%c", c);
        else if (c < 0x20)
            fmt_printf(&out, "\\u%04x", c);
        else
            fmt_printf(&out, "%c", c);
        maybe_flush();
    }
    fmt_printf(&out, "\"");
}

static void build_id(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const unsigned char *name = p + sizeof *n;
            const unsigned char *desc = name + HC_ALIGN_UP(n->n_namesz, 4);
            if (desc + n->n_descsz > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                for (unsigned j = 0; j < n->n_descsz; j++)
                    fmt_printf(&out, "%02x", desc[j]);
                return;
            }
            p = desc + HC_ALIGN_UP(n->n_descsz, 4);
        }
    }
}

static int module(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    bool *first = arg;
    const char *path = info->dlpi_name;
    char exe[1024];
    if (!path || !*path) { /* the main program */
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        path = exe;
    }
    fmt_printf(&out, "%s{\"path\":", *first ? "" : ",");
    *first = false;
    string(path);
    fmt_printf(&out, ",\"base\":\"%p\",\"build_id\":\"", (void *)info->dlpi_addr);
    build_id(info);
    fmt_printf(&out, "\"}");
    maybe_flush();
    return 0;
}

/* Stack ids already written: JSON object keys must not repeat.  An open-addressing
 * set mapped for each dump (no malloc), sized from the depot's stack count: every id
 * a dump names (errors, leak records, a snapshot's groups) was stored before the
 * dump starts, so at most depot_count() distinct ids arrive and the set, at least
 * twice that, never fills. */
static uint32_t *seen;
static size_t seen_cap;

static bool seen_open(void)
{
    size_t need = 2 * (depot_count() + 1);
    seen_cap = 16;
    while (seen_cap < need)
        seen_cap *= 2;
    seen = os_map(seen_cap * sizeof *seen); /* zeroed: id 0 is never stored */
    return seen != NULL;
}

static void seen_close(void)
{
    os_unmap(seen, seen_cap * sizeof *seen);
    seen = NULL;
}

static size_t seen_slot(uint32_t id)
{
    size_t i = (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & (seen_cap - 1);
    while (seen[i] && seen[i] != id)
        i = (i + 1) & (seen_cap - 1);
    return i;
}

static bool first_time(uint32_t id)
{
    size_t i = seen_slot(id);
    if (seen[i])
        return false;
    seen[i] = id;
    return true;
}

/* Whether id was written, without adding it (a snapshot's groups are unique). */
static bool was_seen(uint32_t id) { return seen[seen_slot(id)] == id; }

/* "id":[frames] in the stacks object. */
static void write_stack(uint32_t id, void *const *frames, unsigned n, bool *first)
{
    fmt_printf(&out, "%s\"%u\":[", *first ? "" : ",", id);
    *first = false;
    for (unsigned i = 0; i < n; i++)
        fmt_printf(&out, "%s\"%p\"", i ? "," : "", frames[i]);
    fmt_printf(&out, "]");
    maybe_flush();
}

void dump_stack_once(uint32_t id, bool *first)
{
    unsigned n;
    void *const *frames = depot_get(id, &n);
    if (n && !was_seen(id))
        write_stack(id, frames, n, first);
}

static void stack_entry(uint32_t id, bool *first)
{
    unsigned n;
    void *const *frames = depot_get(id, &n);
    if (n && first_time(id))
        write_stack(id, frames, n, first);
}

/* The suppressions' kind of an error: the dump's name of it. */
const char *dump_error_kind(enum bug bug) { return finding_bug_key(bug); }
static const char *const kind_words[LEAK_KINDS] = {"definitely", "indirectly", "possibly", "reachable"};
static const char *const level_words[] = {"off", "summary", "full"};

/* The threads of an error's stacks: "op_thread":N,"op_thread_name":"worker",... (-1 and
 * "" when unknown or unnamed). */
static void error_threads(const struct finding *x)
{
    struct finding_desc d;
    finding_describe(x, &d);
    const struct finding_thread *t[3] = {&d.op_thread, &d.alloc_thread, &d.free_thread};
    static const char *const keys[3] = {"op", "alloc", "free"};
    for (int i = 0; i < 3; i++) {
        fmt_printf(&out, ",\"%s_thread\":%d,\"%s_thread_name\":", keys[i], t[i]->number, keys[i]);
        string(t[i]->name ? t[i]->name : "");
    }
}

/* One error: the fields of finding_text.h's model, so the tool renders it as the
 * library did (version 3 added the families, freed, cause and prev). */
static void error_entry(const struct finding *x, bool first)
{
    fmt_printf(&out, "%s{\"kind\":\"%s\",\"address\":\"%p\",", first ? "" : ",", finding_bug_key(x->bug),
               x->addr);
    if (x->block)
        fmt_printf(&out, "\"block\":\"%p\",", x->block);
    else
        fmt_printf(&out, "\"block\":null,");
    if (x->block_known)
        fmt_printf(&out, "\"size\":%zu,", x->size);
    else
        fmt_printf(&out, "\"size\":null,");
    fmt_printf(&out, "\"offset\":%lld,\"changed\":%zu,\"op\":\"%s\",\"op_stack\":%u,\"alloc_stack\":%u,"
                     "\"free_stack\":%u,\"detail\":",
               x->offset, x->changed, finding_op_key(x->op), x->op_stack, x->block_known ? x->alloc_stack : 0,
               x->block_known ? x->free_stack : 0);
    string(x->detail ? x->detail : "");
    fmt_printf(&out, ",\"alloc_family\":\"%s\",\"release_family\":\"%s\",\"freed\":%s,\"cause\":",
               finding_family_key((enum family)x->alloc_kind), finding_family_key((enum family)x->op_kind),
               x->freed ? "true" : "false");
    if (x->cause)
        string(x->cause);
    else
        fmt_printf(&out, "null");
    error_threads(x);
    if (x->prev_known)
        fmt_printf(&out, ",\"prev\":{\"block\":\"%p\",\"size\":%zu,\"changed\":%zu,\"stack\":%u}",
                   x->prev_block, x->prev_size, x->prev_changed, x->prev_stack);
    fmt_printf(&out, "}");
    maybe_flush();
}

static enum dump_end end_how;
void dump_note_end(enum dump_end how) { end_how = how; }

bool dump_write(const char *prefix, const struct leak_result *r)
{
    char name[1200];
    struct fmt nf;
    fmt_init(&nf, name, sizeof name);
    fmt_printf(&nf, "%s.%d.json", prefix, os_getpid());
    struct snapshot *map = snapshot_collect(false); /* the heap map and statistics */
    bool ok = dump_write_file(fmt_text(&nf), r, map);
    snapshot_release(map);
    return ok;
}

static bool write_locked(const char *name, const struct leak_result *r, const struct snapshot *snap);

bool dump_write_file(const char *name, const struct leak_result *r, const struct snapshot *snap)
{
    pthread_once(&writer_once, writer_fork_handlers);
    writer_lock();
    bool ok = write_locked(name, r, snap);
    writer_unlock();
    return ok;
}

static bool write_locked(const char *name, const struct leak_result *r, const struct snapshot *snap)
{
    bool snapshot = snap && snapshot_has_groups(snap);
    const char *why;
    if (!seen_open()) {
        warn_dump(name, "out of memory for its set of stacks");
        return false;
    }
    fd = os_open_output(name, true, &why);
    if (fd < 0) {
        seen_close();
        warn_dump(name, why);
        return false;
    }
    failed = 0;
    fmt_init(&out, buf, sizeof buf);
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    fmt_printf(&out, "{\"format\":\"heapcheck-dump\",\"version\":3,\"kind\":\"%s\",",
               snapshot ? "snapshot" : "exit");
    if (snapshot)
        snapshot_write_header(snap);
    fmt_printf(&out, "\"pid\":%d,\"ppid\":%d,\"exe\":", os_getpid(), (int)getppid());
    string(exe);
    static const char *const end_words[] = {"exit", "abort", "signal"};
    fmt_printf(&out, ",\"leak_check\":\"%s\",\"end\":\"%s\",\n\"modules\":[",
               r ? level_words[options.leak_check] : "off", end_words[end_how]);
    bool first = true;
    dl_iterate_phdr(module, &first);

    size_t nerr;
    const struct finding *errs = report_kept_findings(&nerr);
    fmt_printf(&out, "],\n\"stacks\":{");
    first = true;
    for (size_t i = 0; i < nerr; i++) {
        stack_entry(errs[i].op_stack, &first);
        if (errs[i].block_known) {
            stack_entry(errs[i].alloc_stack, &first);
            stack_entry(errs[i].free_stack, &first);
        }
        if (errs[i].prev_known)
            stack_entry(errs[i].prev_stack, &first);
    }
    for (size_t i = 0; r && i < r->nrecords; i++)
        stack_entry(r->records[i].stack, &first);
    if (snapshot)
        snapshot_write_stacks(snap, &first);
    fmt_printf(&out, "},\n\"errors\":[");
    for (size_t i = 0; i < nerr; i++)
        error_entry(&errs[i], i == 0);
    fmt_printf(&out, "],\"errors_total\":%zu,\n\"leaks\":[", report_error_count());
    for (size_t i = 0; r && i < r->nrecords; i++) {
        const struct leak_record *x = &r->records[i];
        fmt_printf(&out, "%s{\"kind\":\"%s\",\"stack\":%u,\"blocks\":%zu,\"bytes\":%zu,\"indirect_bytes\":%zu}\n",
                   i ? "," : "", kind_words[x->kind], x->stack, x->blocks, x->bytes, x->indirect_bytes);
        maybe_flush();
    }
    fmt_printf(&out, "],\n\"summary\":{");
    for (int k = 0; k < LEAK_KINDS; k++)
        fmt_printf(&out, "\"%s\":{\"bytes\":%zu,\"blocks\":%zu},", kind_words[k], r ? r->bytes[k] : 0,
                   r ? r->blocks[k] : 0);
    fmt_printf(&out, "\"suppressed\":{\"bytes\":%zu,\"blocks\":%zu}}", r ? r->suppressed_bytes : 0,
               r ? r->suppressed_blocks : 0);
    if (snap)
        snapshot_write_body(snap);
    fmt_printf(&out, "}\n");
    flush();
    seen_close();
    if (close(fd) != 0 && !failed)
        failed = errno;
    if (failed)
        warn_dump(name, os_error_text(failed));
    return !failed;
}
