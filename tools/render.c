/* Rendering: the memcheck-like text report (==PID== prefixes, errors with their
 * stacks, loss records largest first, LEAK SUMMARY, ERROR SUMMARY) and the --json
 * document built with jansson. */
#include "config.h"

#include "render.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

static bool kind_is(const struct hc_error *e, const char *k)
{
    return strcmp(e->kind, k) == 0;
}

/* "found by free()", "found when the block left the quarantine", ... */
static void print_found_by(FILE *out, const char *op)
{
    static const char *const map[][2] = {
        {"free", "found by free()"},
        {"realloc", "found by realloc()"},
        {"malloc_usable_size", "found by malloc_usable_size()"},
        {"delete", "found by operator delete"},
        {"delete[]", "found by operator delete[]"},
        {"check", "found by a heap check"},
        {"quarantine", "found when the block left the quarantine"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(op, map[i][0]) == 0) {
            fprintf(out, ", %s", map[i][1]);
            return;
        }
    fprintf(out, ", found by %s", op);
}

void error_description(const struct hc_error *e, char *buf, size_t len)
{
    const char *freed = kind_is(e, "double-free") || kind_is(e, "write-after-free") ? "freed "
                                                                                      : "";
    char block[96];
    if (e->has_size)
        snprintf(block, sizeof block, "a %s%" PRIu64 "-byte block at 0x%" PRIx64, freed,
                 e->size, e->block);
    else
        snprintf(block, sizeof block, "the %sblock at 0x%" PRIx64, freed, e->block);

    size_t n;
    if (!e->has_block) {
        n = (size_t)snprintf(buf, len, "address 0x%" PRIx64 " is not inside any heap block",
                             e->address);
    } else if (kind_is(e, "double-free") && e->offset == 0) {
        n = (size_t)snprintf(buf, len, "address 0x%" PRIx64 " is %s: it was freed before",
                             e->address, block);
    } else if (e->offset < 0) {
        n = (size_t)snprintf(buf, len,
                             "address 0x%" PRIx64 " is %" PRIu64 " bytes before the start of %s",
                             e->address, (uint64_t)0 - (uint64_t)e->offset, block);
    } else if (e->has_size && (uint64_t)e->offset >= e->size) {
        n = (size_t)snprintf(buf, len,
                             "address 0x%" PRIx64 " is %" PRIu64 " bytes after the end of %s",
                             e->address, (uint64_t)e->offset - e->size, block);
    } else if (e->offset == 0) {
        n = (size_t)snprintf(buf, len, "address 0x%" PRIx64 " is the start of %s", e->address,
                             block);
    } else {
        n = (size_t)snprintf(buf, len, "address 0x%" PRIx64 " is %" PRId64 " bytes inside %s",
                             e->address, e->offset, block);
    }
    if (n < len && e->changed)
        n += (size_t)snprintf(buf + n, len - n, " (%" PRIu64 " byte%s changed)", e->changed,
                              e->changed == 1 ? "" : "s");
    if (n < len && e->detail[0])
        snprintf(buf + n, len - n, "; %s", e->detail);
}

/* ---- text ------------------------------------------------------------------- */

static void text_frame(FILE *out, long pid, const struct sym_frame *f)
{
    fprintf(out, "==%ld==     #%u 0x%" PRIx64, pid, f->index, f->addr);
    if (f->function || f->file)
        fprintf(out, " in %s", f->function ? f->function : "??");
    if (f->file) {
        fprintf(out, " %s", f->file);
        if (f->line)
            fprintf(out, ":%d", f->line);
    } else if (f->module) {
        fprintf(out, " (%s+0x%" PRIx64 ")", f->module, f->offset);
    } else {
        fprintf(out, " (no module)");
    }
    fprintf(out, "%s\n", f->inlined ? " (inlined)" : "");
}

static void text_stack(FILE *out, long pid, const struct sym_stack *st)
{
    if (st->n == 0)
        fprintf(out, "==%ld==     (no frames recorded)\n", pid);
    for (size_t i = 0; i < st->n; i++)
        text_frame(out, pid, &st->f[i]);
}

static void text_error(FILE *out, const struct proc *p, const struct error_view *v,
                       const struct report_config *cfg)
{
    static const char *const labels[ES_COUNT] = {"found at", "block allocated at",
                                                 "block freed at"};
    long pid = p->d->pid;
    const struct hc_error *e = v->e;
    char desc[512];
    error_description(e, desc, sizeof desc);
    fprintf(out, "==%ld== ERROR %s", pid, e->kind);
    if (e->op[0])
        print_found_by(out, e->op);
    fprintf(out, "\n==%ld==    %s\n", pid, desc);
    const uint64_t ids[ES_COUNT] = {e->op_stack, e->alloc_stack, e->free_stack};
    for (int w = 0; w < ES_COUNT; w++) {
        if (!ids[w])
            continue;
        fprintf(out, "==%ld==    %s:\n", pid, labels[w]);
        text_stack(out, pid, v->st[w]);
    }
    fprintf(out, "==%ld==\n", pid);
    if (cfg->gen_suppressions) {
        enum err_stack which = e->op_stack ? ES_FOUND : e->alloc_stack ? ES_ALLOCATED : ES_FREED;
        supp_print_error(out, e->kind, which, v->st[which]);
        fputc('\n', out);
    }
}

static void text_leak(FILE *out, const struct proc *p, const struct leak_view *v,
                      const struct report_config *cfg)
{
    long pid = p->d->pid;
    const struct hc_leak *l = v->l;
    if (l->indirect_bytes)
        fprintf(out, "==%ld== %" PRIu64 " (%" PRIu64 " direct, %" PRIu64 " indirect) bytes",
                pid, sat_add(l->bytes, l->indirect_bytes), l->bytes, l->indirect_bytes);
    else
        fprintf(out, "==%ld== %" PRIu64 " bytes", pid, l->bytes);
    fprintf(out, " in %" PRIu64 " blocks are %s in loss record %u of %u\n", l->blocks,
            leak_kind_phrase(l->kind), v->record, p->nrecords);
    text_stack(out, pid, v->st);
    fprintf(out, "==%ld==\n", pid);
    if (cfg->gen_suppressions) {
        supp_print_leak(out, l->kind, v->st);
        fputc('\n', out);
    }
}

static void text_count(FILE *out, long pid, const char *label, const struct hc_count *c)
{
    fprintf(out, "==%ld==    %15s: %" PRIu64 " bytes in %" PRIu64 " blocks\n", pid, label,
            c->bytes, c->blocks);
}

static void text_leaks(FILE *out, const struct proc *p, const struct report_config *cfg)
{
    long pid = p->d->pid;
    if (strcmp(p->d->leak_check, "off") == 0) {
        fprintf(out, "==%ld== Leak checking was off in this process.\n==%ld==\n", pid, pid);
        return;
    }
    unsigned hidden = 0;
    for (size_t i = 0; i < p->d->nleaks; i++) {
        const struct leak_view *v = &p->leaks[i];
        if (v->suppressed_by)
            continue;
        if (cfg->show_kinds & (1u << v->l->kind))
            text_leak(out, p, v, cfg);
        else
            hidden |= 1u << v->l->kind;
    }
    fprintf(out, "==%ld== LEAK SUMMARY:\n", pid);
    for (int k = 0; k < LK_COUNT; k++)
        text_count(out, pid, leak_kind_phrase((enum leak_kind)k), &p->summary[k]);
    text_count(out, pid, "suppressed", &p->suppressed);
    if (strcmp(p->d->leak_check, "summary") == 0) {
        fprintf(out, "==%ld== For the leaks' stacks, rerun with --leak-check=full\n", pid);
    } else if (hidden) {
        fprintf(out, "==%ld== Loss records not shown:", pid);
        const char *sep = " ";
        for (int k = 0; k < LK_COUNT; k++)
            if (hidden & (1u << k)) {
                fprintf(out, "%s%s", sep, leak_kind_phrase((enum leak_kind)k));
                sep = ", ";
            }
        fprintf(out, "; to see them, rerun with --show-leak-kinds=all\n");
    }
    fprintf(out, "==%ld==\n", pid);
}

void render_text(FILE *out, const struct proc *procs, size_t n,
                 const struct report_config *cfg)
{
    for (size_t i = 0; i < n; i++) {
        const struct proc *p = &procs[i];
        long pid = p->d->pid;
        fprintf(out, "==%ld== heapcheck report for %ld (%s)\n", pid, pid, p->d->exe);
        fprintf(out, "==%ld== parent %ld; dump %s\n==%ld==\n", pid, p->d->ppid, p->d->file, pid);
        for (size_t j = 0; j < p->d->nerrors; j++)
            if (!p->errs[j].suppressed_by)
                text_error(out, p, &p->errs[j], cfg);
        if (p->d->errors_total > p->d->nerrors)
            fprintf(out, "==%ld== (%" PRIu64 " more errors were not recorded in the dump)\n"
                    "==%ld==\n", pid, p->d->errors_total - p->d->nerrors, pid);
        text_leaks(out, p, cfg);
        fprintf(out, "==%ld== ERROR SUMMARY: %" PRIu64 " errors (suppressed: %" PRIu64 ")\n",
                pid, p->errors, p->errors_suppressed);
        if (i + 1 < n)
            fputc('\n', out);
    }
    fflush(out);
}

/* ---- JSON ------------------------------------------------------------------- */

static json_t *jaddr(uint64_t a)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%" PRIx64, a);
    return json_string(buf);
}

static json_t *jstr_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();   /* json_string refuses invalid UTF-8: null then */
}

static json_t *jint(uint64_t v)
{
    return json_integer((json_int_t)(v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v));
}

static json_t *json_stack(const struct sym_stack *st)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < st->n; i++) {
        const struct sym_frame *f = &st->f[i];
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(f->index));
        json_object_set_new(o, "addr", jaddr(f->addr));
        json_object_set_new(o, "function", jstr_or_null(f->function));
        json_object_set_new(o, "file", jstr_or_null(f->file));
        json_object_set_new(o, "line", f->line ? json_integer(f->line) : json_null());
        json_object_set_new(o, "inlined", json_boolean(f->inlined));
        json_object_set_new(o, "module", jstr_or_null(f->module));
        json_object_set_new(o, "offset", f->module ? jaddr(f->offset) : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_count(const struct hc_count *c)
{
    return json_pack("{s:o,s:o}", "bytes", jint(c->bytes), "blocks", jint(c->blocks));
}

static json_t *json_error(const struct error_view *v)
{
    const struct hc_error *e = v->e;
    char desc[512];
    error_description(e, desc, sizeof desc);
    json_t *o = json_object();
    json_object_set_new(o, "kind", jstr_or_null(e->kind));
    json_object_set_new(o, "address", jaddr(e->address));
    json_object_set_new(o, "block", e->has_block ? jaddr(e->block) : json_null());
    json_object_set_new(o, "size", e->has_size ? jint(e->size) : json_null());
    json_object_set_new(o, "offset", json_integer((json_int_t)e->offset));
    json_object_set_new(o, "changed", jint(e->changed));
    json_object_set_new(o, "op", jstr_or_null(e->op));
    json_object_set_new(o, "detail", jstr_or_null(e->detail));
    json_object_set_new(o, "description", jstr_or_null(desc));
    json_object_set_new(o, "suppressed", jstr_or_null(v->suppressed_by));
    static const char *const keys[ES_COUNT] = {"found_at", "allocated_at", "freed_at"};
    const uint64_t ids[ES_COUNT] = {e->op_stack, e->alloc_stack, e->free_stack};
    for (int w = 0; w < ES_COUNT; w++)
        json_object_set_new(o, keys[w], ids[w] ? json_stack(v->st[w]) : json_null());
    return o;
}

static json_t *json_leak(const struct leak_view *v)
{
    const struct hc_leak *l = v->l;
    json_t *o = json_object();
    json_object_set_new(o, "record", v->record ? json_integer(v->record) : json_null());
    json_object_set_new(o, "kind", json_string(leak_kind_dump_name(l->kind)));
    json_object_set_new(o, "blocks", jint(l->blocks));
    json_object_set_new(o, "bytes", jint(l->bytes));
    json_object_set_new(o, "indirect_bytes", jint(l->indirect_bytes));
    json_object_set_new(o, "suppressed", jstr_or_null(v->suppressed_by));
    json_object_set_new(o, "stack", json_stack(v->st));
    return o;
}

static json_t *json_proc(const struct proc *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "pid", json_integer(p->d->pid));
    json_object_set_new(o, "ppid", json_integer(p->d->ppid));
    json_object_set_new(o, "exe", jstr_or_null(p->d->exe));
    json_object_set_new(o, "dump", jstr_or_null(p->d->file));
    json_object_set_new(o, "leak_check", jstr_or_null(p->d->leak_check));
    json_t *errs = json_array();
    for (size_t i = 0; i < p->d->nerrors; i++)
        json_array_append_new(errs, json_error(&p->errs[i]));
    json_object_set_new(o, "errors", errs);
    json_object_set_new(o, "errors_total", jint(p->d->errors_total));
    json_object_set_new(o, "errors_suppressed", jint(p->errors_suppressed));
    json_t *leaks = json_array();
    for (size_t i = 0; i < p->d->nleaks; i++)
        json_array_append_new(leaks, json_leak(&p->leaks[i]));
    json_object_set_new(o, "leaks", leaks);
    json_t *sum = json_object();
    for (int k = 0; k < LK_COUNT; k++)
        json_object_set_new(sum, leak_kind_dump_name((enum leak_kind)k),
                            json_count(&p->summary[k]));
    json_object_set_new(sum, "suppressed", json_count(&p->suppressed));
    json_object_set_new(o, "summary", sum);
    json_object_set_new(o, "fails", json_boolean(p->fails));
    return o;
}

bool render_json(FILE *out, const struct proc *procs, size_t n,
                 const struct report_config *cfg)
{
    (void)cfg;
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("heapcheck-report"));
    json_object_set_new(root, "version", json_integer(1));
    json_t *arr = json_array();
    bool fails = false;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_proc(&procs[i]));
        fails |= procs[i].fails;
    }
    json_object_set_new(root, "processes", arr);
    json_object_set_new(root, "fails", json_boolean(fails));
    int rc = json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    fputc('\n', out);
    return rc == 0 && fflush(out) == 0;
}
