/* Suppressions in the library (see suppressions.h).  The files are mapped (regular
 * files only, so a planted FIFO cannot hang the start-up), parsed into a table in
 * mapped memory and unmapped.  At report time a stack is symbolized into static
 * storage, guarded by the report lock, and matched by suppfile.c. */
#include "internal.h"
#include "suppressions.h"
#include "depot.h"
#include "dump.h"
#include "fmt.h"
#include "options.h"
#include "os.h"
#include "report.h"
#include "suppfile.h"
#include "symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE_BYTES (4u << 20) /* a suppression file larger than this is refused */

static struct supp_table *table; /* NULL: no suppressions */
static size_t hidden_errors, hidden_records; /* under the report lock */

static void warn_line(const char *message, void *arg)
{
    (void)arg;
    char buf[640];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    fmt_printf(&f, "heapcheck: warning: suppressions: %s (the block is ignored)\n", message);
    report_warning(fmt_text(&f));
}

static void warn_file(const char *name, const char *what)
{
    char buf[1400];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    fmt_printf(&f, "heapcheck: warning: suppressions: %s: %s; no suppressions read from it\n",
               name, what);
    report_warning(fmt_text(&f));
}

static void load_file(const char *name, size_t n)
{
    char path[1024];
    memcpy(path, name, n < sizeof path ? n : sizeof path - 1);
    path[n < sizeof path ? n : sizeof path - 1] = '\0';
    if (n >= sizeof path)
        return warn_file(path, "the name is too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return warn_file(path, os_error_text(errno));
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) != 0)
        why = os_error_text(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if ((unsigned long long)st.st_size > MAX_FILE_BYTES)
        why = "larger than 4 MiB";
    void *map = MAP_FAILED;
    size_t len = why ? 0 : (size_t)st.st_size;
    if (!why && len && (map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
        why = os_error_text(errno);
    close(fd);
    if (why)
        return warn_file(path, why);
    if (!table) {
        size_t page = os_page_size();
        table = os_map_meta(HC_ALIGN_UP(sizeof *table, page));
        if (!table) {
            if (len)
                munmap(map, len);
            return warn_file(path, "no memory for the suppression table");
        }
    }
    supp_parse(table, path, len ? map : "", len, warn_line, NULL);
    if (len)
        munmap(map, len);
}

void suppressions_load(void)
{
    const char *list = options.suppressions;
    while (list && *list) {
        size_t n = strcspn(list, ",");
        if (n)
            load_file(list, n);
        list += n;
        if (*list)
            list++;
    }
}

/* One symbolized stack, its strings in a pool (report lock held). */
static struct supp_frame frames[SUPP_MAX_FRAMES];
static char pool[64 * 1024];
static size_t pool_used;

static const char *keep(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (pool_used + n + 1 > sizeof pool)
        return "???"; /* matches only patterns that accept anything there */
    char *p = pool + pool_used;
    memcpy(p, s, n + 1);
    pool_used += n + 1;
    return p;
}

static size_t symbolize(uint32_t id)
{
    unsigned npc;
    void *const *pcs = depot_get(id, &npc);
    size_t nf = 0;
    pool_used = 0;
    for (unsigned i = 0; i < npc && nf < SUPP_MAX_FRAMES; i++) {
        const char *path = NULL;
        uintptr_t offset;
        const char *module = symbols_module(pcs[i], &path, &offset) ? keep(path) : NULL;
        struct sym_answer a[SYM_MAX_INLINED];
        unsigned k = symbols_lookup(pcs[i], a, SYM_MAX_INLINED);
        for (unsigned j = 0; j < (k ? k : 1) && nf < SUPP_MAX_FRAMES; j++)
            frames[nf++] = (struct supp_frame){k ? keep(a[j].function) : NULL,
                                               k ? keep(a[j].file) : NULL, module};
    }
    return nf;
}

bool suppressions_hide_finding(const struct finding *x)
{
    if (!table || !table->n)
        return false;
    const char *kind = dump_error_kind(x->bug);
    const uint32_t ids[SUPP_STACKS] = {x->op_stack, x->block_known ? x->alloc_stack : 0,
                                       x->block_known ? x->free_stack : 0};
    bool hide = false;
    report_begin(); /* the lock of the symbolizer and of the static stack above */
    for (int w = 0; w < SUPP_STACKS && !hide; w++) {
        if (!ids[w])
            continue;
        size_t n = 0;
        bool done = false;
        for (size_t i = 0; i < table->n && !hide; i++) {
            const struct supp_entry *e = &table->e[i];
            if (!((e->stacks >> w) & 1) || !supp_error_kind_matches(table, e, kind))
                continue;
            if (!done) {
                n = symbolize(ids[w]);
                done = true;
            }
            hide = supp_entry_matches(table, e, frames, n);
        }
    }
    hidden_errors += hide;
    report_discard();
    return hide;
}

void suppressions_apply_leaks(struct leak_result *r)
{
    if (!table || !table->n)
        return;
    report_begin();
    size_t kept = 0;
    for (size_t i = 0; i < r->nrecords; i++) {
        struct leak_record *x = &r->records[i];
        size_t n = symbolize(x->stack);
        if (supp_find_leak(table, x->kind, frames, n)) {
            r->bytes[x->kind] -= x->bytes;
            r->blocks[x->kind] -= x->blocks;
            r->suppressed_bytes += x->bytes;
            r->suppressed_blocks += x->blocks;
            hidden_records++;
        } else {
            r->records[kept++] = *x;
        }
    }
    r->nrecords = kept;
    report_discard();
}

void suppressions_counts(size_t *errors, size_t *leak_records)
{
    report_begin();
    *errors = hidden_errors;
    *leak_records = hidden_records;
    report_discard();
}
