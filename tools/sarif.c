/* SARIF 2.1.0 (--sarif=FILE), the format code-scanning services and editors read,
 * built with jansson from the report models (report.h) of all the processes of a run.
 *
 * One result per distinct finding: the same rule at the same place, in however many
 * processes (a `make check` runs one program many times), with the number of
 * processes and the first few of them in its properties, and a leak's bytes and
 * blocks summed.  The place is the first frame in the project's own sources (a
 * source file outside the system's libraries, not an allocation wrapper such as
 * xmalloc: alloc_fn.h) of the most telling stack: where the error was found, else
 * where the block was allocated.  Files under the source root (--sarif-root, the
 * working directory by default) are given relative to %SRCROOT% (uriBaseId SRCROOT,
 * declared in originalUriBaseIds), others as absolute file:// URIs; a finding with no
 * frame under the root has no location.  The message names the bug as the text
 * report does (lib/finding_text.c's headline, description and likely cause, without
 * the addresses, which differ from process to process); each rule carries a help
 * text; partialFingerprints holds a hash of the rule and the functions and files of
 * the place and its two callers, stable across runs and line moves. */
#include "config.h"

#include "sarif.h"
#include "alloc_fn.h"
#include "render.h"
#include "util.h"

#include "../lib/fmt.h"
#include "../lib/finding_text.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SARIF_SCHEMA \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#ifndef HC_MANDIR
#define HC_MANDIR "/usr/local/share/man"
#endif
/* The processes a result names in its properties (all are counted). */
#define PIDS_NAMED 5

/* The source root as an absolute directory with a trailing '/'. */
struct sarif_ctx {
    char *root;
    size_t root_len;
    json_t *rules, *results;
    json_t *index;          /* result key -> position in merged[] */
    struct merged *merged;
    size_t nmerged, cap;
};

/* One result, merged across processes. */
struct merged {
    char *rule, *message;
    bool leak, counts;
    enum leak_kind kind;
    uint64_t bytes, indirect, blocks;
    const struct sym_frame *where;  /* NULL: no location */
    json_t *stacks;                 /* the first occurrence's */
    char fingerprint[17];
    size_t nprocs;
    long pids[PIDS_NAMED];
    long last_pid;
    json_t *programs;               /* the distinct executables, as a set */
};

/* ---- locations ------------------------------------------------------------------ */

/* PATH as a URI reference: characters outside RFC 3986's unreserved set and '/' are
 * percent-encoded; PREFIX ("file://" or "") goes first. */
static json_t *uri_string(const char *prefix, const char *path)
{
    size_t n = strlen(path), k = strlen(prefix);
    char *buf = xasprintf("%s%*s", prefix, (int)(3 * n), "");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p)) {
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

/* The file's path relative to the root, or NULL when it is not under it. */
static const char *under_root(const struct sarif_ctx *c, const char *file)
{
    if (file[0] != '/' || strncmp(file, c->root, c->root_len) != 0 || !file[c->root_len])
        return NULL;
    return file + c->root_len;
}

/* An artifactLocation: relative to SRCROOT under the root, else absolute (a path
 * that is not absolute is a compiler's relative name, kept as it is). */
static json_t *artifact(const struct sarif_ctx *c, const char *file)
{
    const char *rel = under_root(c, file);
    if (rel)
        return json_pack("{s:o,s:s}", "uri", uri_string("", rel), "uriBaseId", "SRCROOT");
    if (file[0] == '/')
        return json_pack("{s:o}", "uri", uri_string("file://", file));
    return json_pack("{s:o}", "uri", uri_string("", strncmp(file, "./", 2) ? file : file + 2));
}

static json_t *text_message(const char *text)
{
    json_t *s = json_string(text);
    return json_pack("{s:o}", "text", s ? s : json_string("(not valid UTF-8)"));
}

/* A frame's location: file and line when known, the function. */
static json_t *frame_location(const struct sarif_ctx *c, const struct sym_frame *f)
{
    json_t *loc = json_object();
    if (f->file) {
        json_t *phys = json_pack("{s:o}", "artifactLocation", artifact(c, f->file));
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

/* A stack: its frames with a file or a function (the others, addresses in a module
 * without symbols, say nothing a reader can use and made most of a big suite's
 * document). */
static json_t *sarif_stack(const struct sarif_ctx *c, const char *label,
                           const struct sym_stack *st)
{
    json_t *frames = json_array();
    for (size_t i = 0; i < st->n; i++) {
        const struct sym_frame *f = &st->f[i];
        if (!f->file && !f->function)
            continue;
        json_t *fr = json_pack("{s:o}", "location", frame_location(c, f));
        if (f->module) {
            json_t *m = json_string(f->module);
            if (m)
                json_object_set_new(fr, "module", m);
        }
        json_array_append_new(frames, fr);
    }
    return json_pack("{s:o,s:o}", "message", text_message(label), "frames", frames);
}

/* The place of a result: the first frame of the project's own under the root, not
 * an allocation wrapper. */
static const struct sym_frame *own_frame(const struct sarif_ctx *c, const struct sym_stack *st)
{
    for (size_t i = 0; st && i < st->n; i++) {
        const struct sym_frame *f = &st->f[i];
        if (f->file && under_root(c, f->file) && finding_frame_is_program(f->module, f->file) &&
            !alloc_fn_is_wrapper(f->function))
            return f;
    }
    return NULL;
}

/* FNV-1a of the rule, and the function and file (relative to the root) of the place
 * and the two frames after it: the same finding hashes alike from run to run. */
static void fingerprint(const struct sarif_ctx *c, const char *rule, const struct sym_stack *st,
                        const struct sym_frame *where, char out[17])
{
    uint64_t h = 1469598103934665603ull;
#define MIX(s)                                                                     \
    do {                                                                           \
        for (const char *q_ = (s); q_ && *q_; q_++)                                \
            h = (h ^ (unsigned char)*q_) * 1099511628211ull;                       \
        h = (h ^ 0xff) * 1099511628211ull;                                         \
    } while (0)
    MIX(rule);
    size_t start = where && st ? (size_t)(where - st->f) : 0;
    for (size_t i = start; st && i < st->n && i < start + 3; i++) {
        const char *rel = st->f[i].file ? under_root(c, st->f[i].file) : NULL;
        MIX(st->f[i].function);
        MIX(rel ? rel : st->f[i].file);
    }
#undef MIX
    snprintf(out, 17, "%016" PRIx64, h);
}

/* ---- rules ---------------------------------------------------------------------- */

static const struct {
    const char *id, *name, *help;
} rule_texts[] = {
    {"heap-buffer-overflow", "HeapBufferOverflow",
     "A write past the end of a heap block: heapcheck found its rear canary changed (at "
     "free, realloc or the heap check) or the access faulted on a guard page. Check the "
     "index and length arithmetic, and the room for a string's NUL."},
    {"heap-buffer-underflow", "HeapBufferUnderflow",
     "A write before the start of a heap block: its front canary changed, or the access "
     "faulted on the guard page before it. Look for negative indexes and pointers moved "
     "back too far."},
    {"double-free", "DoubleFree",
     "A block freed twice. Two owners of one pointer, or a pointer not cleared after "
     "free."},
    {"invalid-free-interior", "InvalidFreeInterior",
     "free() of a pointer inside a live block, not its start: the pointer was moved "
     "after the allocation."},
    {"invalid-free-wild", "InvalidFreeWild",
     "free() of a pointer that is in no heap block: a pointer to the stack, to static "
     "data, uninitialized, or from another allocator."},
    {"write-after-free", "WriteAfterFree",
     "A freed block was written after free(): heapcheck found its poison changed when "
     "the block left the quarantine. A dangling pointer still in use."},
    {"heap-use-after-free", "HeapUseAfterFree",
     "An access to a freed block, caught as it happened (the block was in a guarded "
     "slot, kept inaccessible after free). A dangling pointer still in use."},
    {"corrupted-header", "CorruptedHeader",
     "A block's header was overwritten, most often by an overflow of the block before "
     "it (named in the report)."},
    {"alloc-dealloc-mismatch", "AllocDeallocMismatch",
     "A block released by a function of another family than the one that allocated it "
     "(malloc and delete, new and free, new[] and delete)."},
    {"heap-corruption", "HeapCorruption",
     "The allocator's own structures were found damaged by the heap check: a write out "
     "of bounds or after free that no canary caught."},
    {"segv", "Segv",
     "A fatal fault at an address no heap block explains."},
    {"leak-definitely", "LeakDefinitelyLost",
     "Memory no pointer reaches at exit: the last pointer to it was lost without "
     "free(). Free it where its owner is done with it."},
    {"leak-indirectly", "LeakIndirectlyLost",
     "Memory reached only from definitely lost blocks: it is freed when those are."},
    {"leak-possibly", "LeakPossiblyLost",
     "Memory reached at exit only by pointers into its middle: lost, or kept by a "
     "pointer that was moved."},
    {"leak-reachable", "LeakStillReachable",
     "Memory still pointed to at exit, never freed: usually a cache or a global kept "
     "for the process's life."},
};

static size_t rule_index(struct sarif_ctx *c, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(c->rules, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
            return i;
    }
    const char *name = NULL, *help = "A finding of heapcheck's: see heapcheck(1).";
    for (size_t k = 0; k < sizeof rule_texts / sizeof rule_texts[0]; k++)
        if (strcmp(rule_texts[k].id, id) == 0) {
            name = rule_texts[k].name;
            help = rule_texts[k].help;
        }
    json_t *sid = json_string(id);
    json_t *rule = json_pack("{s:o,s:o,s:o,s:o}", "id", sid ? sid : json_string("unknown"),
                             "shortDescription", text_message(id), "fullDescription",
                             text_message(help), "help", text_message(help));
    if (name)
        json_object_set_new(rule, "name", json_string(name));
    json_array_append_new(c->rules, rule);
    return json_array_size(c->rules) - 1;
}

/* ---- messages ------------------------------------------------------------------- */

struct quiet_sink {
    struct finding_sink sink;
};

static void quiet_line(struct finding_sink *s, struct fmt *f)
{
    (void)s;
    (void)f;
}

static void quiet_stack(struct finding_sink *s, struct fmt *f, enum finding_stack which)
{
    (void)s;
    (void)f;
    (void)which;
}

/* TEXT with its addresses left out: "0x7f... is 3 bytes after the 13-byte block at
 * 0x7f...;" becomes "the address is 3 bytes after the 13-byte block;". */
static void drop_addresses(char *text)
{
    char *out = text;
    for (char *p = text; *p;) {
        if (p[0] == '0' && p[1] == 'x' && isxdigit((unsigned char)p[2])) {
            char *end = p + 2;
            while (isxdigit((unsigned char)*end))
                end++;
            if (out - text >= 4 && strncmp(out - 4, " at ", 4) == 0) {
                out -= 4;
            } else {
                const char *word = out == text || out[-1] == '\n' ? "the address" : "an address";
                memcpy(out, word, strlen(word));
                out += strlen(word);
            }
            p = end;
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
}

/* An error's message: "TITLE: DESCRIPTION. Found by ...; likely cause: ...", from the
 * text report's lines. */
static char *error_message(const struct hc_error *e)
{
    struct finding_desc d;
    error_describe(e, &d);
    static char buf[16384];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    struct quiet_sink s = {{quiet_line, quiet_stack}};
    finding_render(&f, &d, &s.sink);
    char *text = xstrdup(fmt_text(&f));
    drop_addresses(text);
    /* Lines: the headline, the description, then indented ones ("found by ...",
     * "the block ... was allocated ...", "likely cause: ..."). */
    char *desc = NULL, *found = NULL, *cause = NULL;
    int line = 0;
    for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"), line++) {
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        if (n && p[n - 1] == ':')
            p[n - 1] = '\0';
        if (line == 1)
            desc = p;
        else if (strncmp(p, "found by", 8) == 0 && !found)
        {
            found = p;   /* "found by free() in thread T0, called at": the operation */
            char *thread = strstr(p, " in thread ");
            if (thread)
                *thread = '\0';
        }
        else if (strncmp(p, "likely cause: ", 14) == 0)
            cause = p + 14;
    }
    char *msg = xasprintf("%s: %s%s%s%s%s", finding_title(&d), desc ? desc : "",
                          found ? "; " : "", found ? found : "", cause ? ". Likely cause: " : "",
                          cause ? cause : "");
    free(text);
    return msg;
}

/* ---- merging -------------------------------------------------------------------- */

static struct merged *find_or_add(struct sarif_ctx *c, const char *rule, const char *level_key,
                                  const struct sym_stack *st, const struct sym_frame *where,
                                  bool *added)
{
    char fp[17];
    fingerprint(c, rule, st, where, fp);
    char *key = where ? xasprintf("%s|%s|%s:%d|%s", rule, level_key, where->file, where->line, fp)
                      : xasprintf("%s|%s|-|%s", rule, level_key, fp);
    json_t *slot = json_object_get(c->index, key);
    *added = !slot;
    struct merged *m;
    if (slot) {
        m = &c->merged[json_integer_value(slot)];
    } else {
        if (c->nmerged == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 64;
            c->merged = xrealloc(c->merged, c->cap, sizeof *c->merged);
        }
        json_object_set_new(c->index, key, json_integer((json_int_t)c->nmerged));
        m = &c->merged[c->nmerged++];
        memset(m, 0, sizeof *m);
        m->rule = xstrdup(rule);
        m->where = where;
        memcpy(m->fingerprint, fp, sizeof fp);
        m->programs = json_object();
    }
    free(key);
    return m;
}

static void count_process(struct merged *m, const struct proc *p)
{
    if (m->nprocs && m->last_pid == p->d->pid)
        return;
    if (m->nprocs < PIDS_NAMED)
        m->pids[m->nprocs] = p->d->pid;
    m->nprocs++;
    m->last_pid = p->d->pid;
    json_object_set_new(m->programs, p->d->exe, json_true());
}

static void error_results(struct sarif_ctx *c, const struct proc *p)
{
    static const char *const labels[ES_COUNT] = {"found at", "block allocated at",
                                                 "block freed at"};
    for (size_t i = 0; i < p->d->nerrors; i++) {
        const struct error_view *v = &p->errs[i];
        if (v->suppressed_by)
            continue;
        const struct hc_error *e = v->e;
        const uint64_t ids[ES_COUNT] = {e->op_stack, e->alloc_stack, e->free_stack};
        const struct sym_frame *where = NULL;
        const struct sym_stack *where_st = NULL;
        for (int w = 0; w < ES_COUNT && !where; w++)
            if (ids[w] && (where = own_frame(c, v->st[w])))
                where_st = v->st[w];
        for (int w = 0; w < ES_COUNT && !where_st; w++)
            if (ids[w])
                where_st = v->st[w];
        bool added;
        struct merged *m = find_or_add(c, e->kind, "error", where_st, where, &added);
        if (added) {
            m->counts = true;
            m->message = error_message(e);
            m->stacks = json_array();
            for (int w = 0; w < ES_COUNT; w++)
                if (ids[w])
                    json_array_append_new(m->stacks, sarif_stack(c, labels[w], v->st[w]));
        }
        count_process(m, p);
    }
}

static void leak_results(struct sarif_ctx *c, const struct proc *p,
                         const struct report_config *cfg)
{
    for (size_t i = 0; i < p->d->nleaks; i++) {
        const struct leak_view *v = &p->leaks[i];
        const struct hc_leak *l = v->l;
        if (v->suppressed_by || !(cfg->show_kinds & (1u << l->kind)))
            continue;
        char rule[48];
        snprintf(rule, sizeof rule, "leak-%s", leak_kind_dump_name(l->kind));
        bool counts = cfg->count_kinds & (1u << l->kind), added;
        const struct sym_frame *where = own_frame(c, v->st);
        struct merged *m = find_or_add(c, rule, counts ? "error" : "warning", v->st, where,
                                       &added);
        if (added) {
            m->leak = true;
            m->kind = l->kind;
            m->counts = counts;
            m->stacks = json_array();
            json_array_append_new(m->stacks, sarif_stack(c, "allocated at", v->st));
        }
        m->bytes = sat_add(m->bytes, l->bytes);
        m->indirect = sat_add(m->indirect, l->indirect_bytes);
        m->blocks = sat_add(m->blocks, l->blocks);
        count_process(m, p);
    }
}

static char *leak_message(const struct merged *m)
{
    char in[64] = "";
    if (m->indirect)
        snprintf(in, sizeof in, " (and %" PRIu64 " bytes indirectly)", m->indirect);
    const char *fn = m->where && m->where->function ? m->where->function : NULL;
    return xasprintf("memory-leak: %" PRIu64 " bytes%s in %" PRIu64 " blocks are %s%s%s%s",
                     m->bytes, in, m->blocks, leak_kind_phrase(m->kind),
                     fn ? ", allocated in " : "", fn ? fn : "",
                     m->nprocs > 1 ? ", in all the processes together" : "");
}

static json_t *result_json(struct sarif_ctx *c, struct merged *m)
{
    size_t ri = rule_index(c, m->rule);
    char *msg = m->leak ? leak_message(m) : xstrdup(m->message);
    json_t *res = json_pack("{s:s,s:I,s:s,s:o}", "ruleId", m->rule, "ruleIndex", (json_int_t)ri,
                            "level", m->counts ? "error" : "warning", "message",
                            text_message(msg));
    free(msg);
    json_t *locs = json_array();
    if (m->where)
        json_array_append_new(locs, frame_location(c, m->where));
    json_object_set_new(res, "locations", locs);
    json_object_set_new(res, "partialFingerprints",
                        json_pack("{s:s}", "heapcheckStack/v1", m->fingerprint));
    json_object_set_new(res, "stacks", m->stacks);
    json_t *pids = json_array(), *programs = json_array();
    for (size_t i = 0; i < m->nprocs && i < PIDS_NAMED; i++)
        json_array_append_new(pids, json_integer(m->pids[i]));
    const char *exe;
    json_t *unused;
    json_object_foreach(m->programs, exe, unused) {
        json_array_append_new(programs, json_string(exe));
    }
    json_t *props = json_pack("{s:I,s:o,s:o}", "processes", (json_int_t)m->nprocs, "pids", pids,
                              "programs", programs);
    if (m->leak)
        json_object_update_missing_new(
            props, json_pack("{s:I,s:I,s:I}", "bytes", (json_int_t)m->bytes, "indirectBytes",
                             (json_int_t)m->indirect, "blocks", (json_int_t)m->blocks));
    json_object_set_new(res, "properties", props);
    return res;
}

bool render_sarif(FILE *out, const struct proc *procs, size_t n,
                  const struct report_config *cfg)
{
    struct sarif_ctx c = {0};
    char *root = realpath(cfg->sarif_root ? cfg->sarif_root : ".", NULL);
    if (!root) {
        hc_warn("--sarif-root=%s: %m", cfg->sarif_root ? cfg->sarif_root : ".");
        return false;
    }
    c.root = xasprintf("%s%s", root, strcmp(root, "/") ? "/" : "");
    c.root_len = strlen(c.root);
    free(root);
    c.rules = json_array();
    c.results = json_array();
    c.index = json_object();
    for (size_t i = 0; i < n; i++) {
        error_results(&c, &procs[i]);
        leak_results(&c, &procs[i], cfg);
    }
    for (size_t i = 0; i < c.nmerged; i++) {
        json_array_append_new(c.results, result_json(&c, &c.merged[i]));
        json_decref(c.merged[i].programs);
        free(c.merged[i].rule);
        free(c.merged[i].message);
    }
    free(c.merged);
    json_decref(c.index);
    json_t *driver = json_pack("{s:s,s:s,s:o,s:o}", "name", "heapcheck", "version", PACKAGE_VERSION,
                               "informationUri", uri_string("file://", HC_MANDIR "/man1/heapcheck.1"),
                               "rules", c.rules);
    json_t *run = json_pack("{s:{s:o},s:{s:{s:o}},s:o}", "tool", "driver", driver,
                            "originalUriBaseIds", "SRCROOT", "uri", uri_string("file://", c.root),
                            "results", c.results);
    json_t *root_doc = json_pack("{s:s,s:s,s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0",
                                 "runs", run);
    int rc = root_doc ? json_dumpf(root_doc, out, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
    json_decref(root_doc);
    free(c.root);
    fputc('\n', out);
    return rc == 0 && fflush(out) == 0;
}
