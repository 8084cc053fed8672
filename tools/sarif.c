/* SARIF 2.1.0 (--sarif=FILE), the format code-scanning services and editors read,
 * built with jansson from the report model (report.h).  One run; one rule per error
 * kind and per leak kind; one result per unsuppressed error and per loss record shown.
 * A result's location is the first frame with source in its most telling stack (where
 * the error was found, else where the block was allocated), and every stack goes in
 * the result's "stacks". */
#include "config.h"

#include "sarif.h"
#include "render.h"
#include "util.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A file name as a URI reference: absolute paths become file:// URIs; characters
 * outside RFC 3986's unreserved set and '/' are percent-encoded. */
static json_t *file_uri(const char *path)
{
    size_t n = strlen(path);
    char *buf = malloc(3 * n + 8);
    if (!buf)
        return json_string("");
    size_t k = 0;
    if (path[0] == '/') {
        memcpy(buf, "file://", 7);
        k = 7;
    } else if (strncmp(path, "./", 2) == 0) {
        path += 2;
    }
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            buf[k++] = (char)*p;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            buf[k++] = '%';
            buf[k++] = hex[*p >> 4];
            buf[k++] = hex[*p & 15];
        }
    }
    buf[k] = '\0';
    json_t *s = json_string(buf);
    free(buf);
    return s ? s : json_string("");
}

static json_t *text_message(const char *text)
{
    json_t *s = json_string(text);
    return json_pack("{s:o}", "text", s ? s : json_string("(not valid UTF-8)"));
}

/* A frame's location: file and line when known, the module and offset, the function. */
static json_t *frame_location(const struct sym_frame *f)
{
    json_t *loc = json_object();
    if (f->file) {
        json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri", file_uri(f->file));
        if (f->line > 0) {
            json_t *region = json_pack("{s:i}", "startLine", f->line);
            if (f->column > 0)
                json_object_set_new(region, "startColumn", json_integer(f->column));
            json_object_set_new(phys, "region", region);
        }
        json_object_set_new(loc, "physicalLocation", phys);
    }
    if (f->function) {
        json_t *name = json_string(f->function);
        if (name)
            json_object_set_new(loc, "logicalLocations",
                                json_pack("[{s:o,s:s}]", "name", name, "kind", "function"));
    }
    return loc;
}

static json_t *sarif_stack(const char *label, const struct sym_stack *st)
{
    json_t *frames = json_array();
    for (size_t i = 0; i < st->n; i++) {
        const struct sym_frame *f = &st->f[i];
        json_t *fr = json_pack("{s:o}", "location", frame_location(f));
        if (f->module) {
            json_t *m = json_string(f->module);
            if (m)
                json_object_set_new(fr, "module", m);
        }
        char addr[24];
        snprintf(addr, sizeof addr, "0x%" PRIx64, f->addr);
        json_object_set_new(fr, "properties", json_pack("{s:s,s:b}", "address", addr,
                                                        "inlined", f->inlined));
        json_array_append_new(frames, fr);
    }
    return json_pack("{s:o,s:o}", "message", text_message(label), "frames", frames);
}

/* The first frame with a source file, or NULL. */
static const struct sym_frame *first_with_source(const struct sym_stack *st)
{
    for (size_t i = 0; st && i < st->n; i++)
        if (st->f[i].file)
            return &st->f[i];
    return NULL;
}

/* The rules: the error kinds seen, then the leak kinds; returns the index of ID,
 * adding it when new. */
static size_t rule_index(json_t *rules, const char *id, const char *text)
{
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
            return i;
    }
    json_t *sid = json_string(id);
    json_array_append_new(rules, json_pack("{s:o,s:o}", "id", sid ? sid : json_string("unknown"),
                                           "shortDescription", text_message(text)));
    return json_array_size(rules) - 1;
}

static void add_result(json_t *results, json_t *rules, const char *rule, const char *rule_text,
                       const char *level, const char *message, const struct sym_stack *where,
                       json_t *stacks, const struct proc *p)
{
    size_t ri = rule_index(rules, rule, rule_text);
    json_t *res = json_pack("{s:s,s:I,s:s,s:o}", "ruleId", json_string_value(json_object_get(
                                json_array_get(rules, ri), "id")),
                            "ruleIndex", (json_int_t)ri, "level", level, "message",
                            text_message(message));
    const struct sym_frame *f = first_with_source(where);
    json_t *locs = json_array();
    if (f)
        json_array_append_new(locs, frame_location(f));
    json_object_set_new(res, "locations", locs);
    json_object_set_new(res, "stacks", stacks);
    json_t *exe = json_string(p->d->exe);
    json_object_set_new(res, "properties",
                        json_pack("{s:I,s:o}", "pid", (json_int_t)p->d->pid, "exe",
                                  exe ? exe : json_null()));
    json_array_append_new(results, res);
}

static void error_results(json_t *results, json_t *rules, const struct proc *p)
{
    static const char *const labels[ES_COUNT] = {"found at", "block allocated at",
                                                 "block freed at"};
    for (size_t i = 0; i < p->d->nerrors; i++) {
        const struct error_view *v = &p->errs[i];
        if (v->suppressed_by)
            continue;
        const struct hc_error *e = v->e;
        char desc[512], msg[700];
        error_description(e, desc, sizeof desc);
        snprintf(msg, sizeof msg, "%s in %s (pid %ld): %s", e->kind, p->d->exe, p->d->pid, desc);
        const uint64_t ids[ES_COUNT] = {e->op_stack, e->alloc_stack, e->free_stack};
        json_t *stacks = json_array();
        const struct sym_stack *where = NULL;
        for (int w = 0; w < ES_COUNT; w++) {
            if (!ids[w])
                continue;
            json_array_append_new(stacks, sarif_stack(labels[w], v->st[w]));
            if (!first_with_source(where))
                where = v->st[w];
        }
        char rule_text[96];
        snprintf(rule_text, sizeof rule_text, "heapcheck found a %s", e->kind);
        add_result(results, rules, e->kind, rule_text, "error", msg,
                   where, stacks, p);
    }
}

static void leak_results(json_t *results, json_t *rules, const struct proc *p,
                         const struct report_config *cfg)
{
    for (size_t i = 0; i < p->d->nleaks; i++) {
        const struct leak_view *v = &p->leaks[i];
        const struct hc_leak *l = v->l;
        if (v->suppressed_by || !(cfg->show_kinds & (1u << l->kind)))
            continue;
        char rule[48], rule_text[96], msg[512];
        snprintf(rule, sizeof rule, "leak-%s", leak_kind_dump_name(l->kind));
        snprintf(rule_text, sizeof rule_text, "memory %s at exit", leak_kind_phrase(l->kind));
        snprintf(msg, sizeof msg,
                 "%" PRIu64 " bytes (%" PRIu64 " indirect) in %" PRIu64 " blocks are %s in %s "
                 "(pid %ld), loss record %u of %u",
                 sat_add(l->bytes, l->indirect_bytes), l->indirect_bytes, l->blocks,
                 leak_kind_phrase(l->kind), p->d->exe, p->d->pid, v->record, p->nrecords);
        json_t *stacks = json_array();
        json_array_append_new(stacks, sarif_stack("allocated at", v->st));
        bool counts = cfg->count_kinds & (1u << l->kind);
        add_result(results, rules, rule, rule_text, counts ? "error" : "warning", msg, v->st,
                   stacks, p);
    }
}

bool render_sarif(FILE *out, const struct proc *procs, size_t n,
                  const struct report_config *cfg)
{
    json_t *rules = json_array(), *results = json_array();
    for (size_t i = 0; i < n; i++) {
        error_results(results, rules, &procs[i]);
        leak_results(results, rules, &procs[i], cfg);
    }
    json_t *driver = json_pack("{s:s,s:s,s:o}", "name", "heapcheck", "version", PACKAGE_VERSION,
                               "rules", rules);
    json_t *root = json_pack("{s:s,s:[{s:{s:o},s:o}]}", "version", "2.1.0", "runs", "tool",
                             "driver", driver, "results", results);
    int rc = root ? json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : -1;
    json_decref(root);
    fputc('\n', out);
    return rc == 0 && fflush(out) == 0;
}
