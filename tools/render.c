/* Rendering: the memcheck-like text report (==PID== prefixes, errors with their
 * stacks, loss records largest first, LEAK SUMMARY, ERROR SUMMARY, then the
 * library's SUMMARY line) and the --json document built with jansson. */
#include "config.h"

#include "render.h"

#include "../lib/fmt.h"
#include "../lib/finding_text.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

static bool kind_is(const struct hc_error *e, const char *k)
{
    return strcmp(e->kind, k) == 0;
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

/* The finding_text.c sink of the tool: a line at a time through a fixed buffer onto
 * OUT, "==PID== " prefixes, and stacks from the dump symbolized here. */
struct text_sink {
    struct finding_sink sink;
    FILE *out;
    long pid;
    const struct error_view *v;
    char buf[8192];
    struct fmt f;
};

static void sink_flush(struct text_sink *t)
{
    fputs(fmt_text(&t->f), t->out);
    fmt_init(&t->f, t->buf, sizeof t->buf);
}

static void sink_line_start(struct finding_sink *s, struct fmt *f)
{
    struct text_sink *t = (struct text_sink *)s;
    (void)f;
    sink_flush(t);
    fmt_printf(&t->f, "==%ld== ", t->pid);
}

static void sink_frames(struct text_sink *t, const struct sym_stack *st)
{
    if (st->n == 0) {
        sink_line_start(&t->sink, &t->f);
        fmt_printf(&t->f, "    (no stack recorded)\n");
    }
    for (size_t i = 0; i < st->n; i++) {
        const struct sym_frame *fr = &st->f[i];
        sink_line_start(&t->sink, &t->f);
        finding_frame(&t->f, fr->index, fr->addr, fr->function, false, 0, fr->file, fr->line,
                      fr->module, fr->offset);
    }
    sink_flush(t);
}

static void sink_stack(struct finding_sink *s, struct fmt *f, enum finding_stack which)
{
    struct text_sink *t = (struct text_sink *)s;
    (void)f;
    const struct error_view *v = t->v;
    sink_frames(t, which == FS_OP ? v->st[ES_FOUND] : which == FS_ALLOC ? v->st[ES_ALLOCATED]
                   : which == FS_FREE ? v->st[ES_FREED] : v->prev);
}

static void text_sink_init(struct text_sink *t, FILE *out, long pid, const struct error_view *v)
{
    t->sink = (struct finding_sink){sink_line_start, sink_stack};
    t->out = out;
    t->pid = pid;
    t->v = v;
    fmt_init(&t->f, t->buf, sizeof t->buf);
}

static enum family family_of(const char *key)
{
    int k = finding_family_from_key(key);
    return k < 0 ? FAM_UNKNOWN : (enum family)k;
}

/* The dump's error as finding_text.h's model: the library renders its findings from
 * the same model, so both reports carry the same lines. */
void error_describe(const struct hc_error *e, struct finding_desc *d)
{
    int bug = finding_bug_from_key(e->kind), op = finding_op_from_key(e->op);
    *d = (struct finding_desc){
        .bug = bug < 0 ? BUG_COUNT : (enum bug)bug,
        .op = op < 0 ? OP_COUNT : (enum op)op,
        .addr = e->address, .block = e->block, .size = e->size, .offset = e->offset,
        .changed = e->changed,
        .alloc_family = family_of(e->alloc_family), .release_family = family_of(e->release_family),
        .detail = e->detail && e->detail[0] ? e->detail : NULL,
        .cause = e->cause,
        .block_known = e->has_size, .freed = e->freed, .has_op_stack = e->op_stack != 0,
        .prev_known = e->has_prev, .prev_block = e->prev_block, .prev_size = e->prev_size,
        .prev_changed = e->prev_changed,
        .op_thread = {e->op_thread, e->op_thread_name},
        .alloc_thread = {e->alloc_thread, e->alloc_thread_name},
        .free_thread = {e->free_thread, e->free_thread_name},
        .unknown_class = bug < 0 ? e->kind : NULL,
    };
}

static void no_line_start(struct finding_sink *s, struct fmt *f)
{
    (void)s;
    (void)f;
}

static void no_stack(struct finding_sink *s, struct fmt *f, enum finding_stack which)
{
    (void)s;
    (void)f;
    (void)which;
}

void error_likely_cause(const struct hc_error *e, char *buf, size_t len)
{
    struct finding_desc d;
    error_describe(e, &d);
    static char text[16384];
    struct fmt f;
    fmt_init(&f, text, sizeof text);
    struct finding_sink sink = {no_line_start, no_stack};
    finding_render(&f, &d, &sink);
    const char *c = strstr(fmt_text(&f), "likely cause: ");
    size_t n = c ? strcspn(c + 14, "\n") : 0;
    snprintf(buf, len, "%.*s", (int)n, c ? c + 14 : "");
}

static void text_error(FILE *out, const struct proc *p, const struct error_view *v,
                       const struct report_config *cfg)
{
    const struct hc_error *e = v->e;
    struct finding_desc d;
    error_describe(e, &d);
    struct text_sink t;
    text_sink_init(&t, out, p->d->pid, v);
    finding_render(&t.f, &d, &t.sink);
    sink_flush(&t);
    fprintf(out, "==%ld==\n", p->d->pid);
    if (cfg->gen_suppressions) {
        enum err_stack which = e->op_stack ? ES_FOUND : e->alloc_stack ? ES_ALLOCATED : ES_FREED;
        supp_print_error(out, e->kind, which, v->st[which]);
        fputc('\n', out);
    }
}

static void text_stack(FILE *out, long pid, const struct sym_stack *st)
{
    struct text_sink t;
    text_sink_init(&t, out, pid, NULL);
    sink_frames(&t, st);
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
        if (strcmp(p->d->end, "abort") == 0)
            fprintf(out, "==%ld== No leak check: the process aborted on an error before its leak "
                    "check ran.\n==%ld==\n", pid, pid);
        else if (strcmp(p->d->end, "signal") == 0)
            fprintf(out, "==%ld== No leak check: the process died of a fatal signal before its leak "
                    "check ran.\n==%ld==\n", pid, pid);
        else
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

/* The place of the SUMMARY line in a symbolized stack, as the library's
 * report_stack_brief finds it in its own. */
static void stack_where(struct fmt *f, const struct sym_stack *st)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct sym_frame *fr = &st->f[i];
        if (finding_frame_is_program(fr->module, fr->file)) {
            finding_where(f, fr->function, fr->file, fr->line, NULL, 0);
            return;
        }
    }
    if (st->n)
        finding_where(f, NULL, NULL, 0, st->f[0].module, st->f[0].offset);
}

/* The library's last line, in the same words (finding_summary): the first error's
 * class and place, else the largest counted leak record's; the errors and the leaked
 * bytes that count. */
static void text_summary(FILE *out, const struct proc *p, const struct report_config *cfg)
{
    uint64_t bytes = 0, blocks = 0;
    for (int k = 0; k < LK_COUNT; k++)
        if (cfg->count_kinds & (1u << k)) {
            bytes = sat_add(bytes, p->summary[k].bytes);
            blocks = sat_add(blocks, p->summary[k].blocks);
        }
    if (!finding_summary_due(p->errors, blocks))
        return;
    char where_buf[1024], line_buf[2048];
    struct fmt where, line;
    fmt_init(&where, where_buf, sizeof where_buf);
    const char *title = NULL;
    const struct error_view *first = NULL;
    for (size_t j = 0; j < p->d->nerrors && !first; j++)
        if (!p->errs[j].suppressed_by)
            first = &p->errs[j];
    struct finding_desc d;
    if (first) {
        error_describe(first->e, &d);
        title = finding_title(&d);
        stack_where(&where, first->st[first->e->op_stack ? ES_FOUND : ES_ALLOCATED]);
    } else if (!p->errors) {
        for (size_t j = 0; j < p->d->nleaks; j++) { /* largest first */
            const struct leak_view *v = &p->leaks[j];
            if (!v->suppressed_by && (cfg->count_kinds & (1u << v->l->kind))) {
                stack_where(&where, v->st);
                break;
            }
        }
    }
    fmt_init(&line, line_buf, sizeof line_buf);
    fmt_printf(&line, "==%ld== ", p->d->pid);
    finding_summary(&line, title, fmt_text(&where), p->errors, strcmp(p->d->leak_check, "off") != 0,
                    bytes, blocks);
    fputs(fmt_text(&line), out);
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
        text_summary(out, p, cfg);
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

static json_t *json_proc(const struct proc *p, const struct report_config *cfg)
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
    /* The records of the kinds shown, as in the text report: still reachable ones
     * (not shown by default) were 97% of a suite's document (sed: 74 MB). */
    for (size_t i = 0; i < p->d->nleaks; i++)
        if (cfg->show_kinds & (1u << p->leaks[i].l->kind))
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
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("heapcheck-report"));
    json_object_set_new(root, "version", json_integer(1));
    json_t *arr = json_array();
    bool fails = false;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, json_proc(&procs[i], cfg));
        fails |= procs[i].fails;
    }
    json_object_set_new(root, "processes", arr);
    json_object_set_new(root, "fails", json_boolean(fails));
    int rc = json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    fputc('\n', out);
    return rc == 0 && fflush(out) == 0;
}
