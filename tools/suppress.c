/* Suppressions in the tool (docs/suppressions.md): files are read and matched by the
 * parser the library uses too (lib/suppfile.c), here over symbolized stacks from the
 * dump; and --gen-suppressions' blocks are printed. */
#include "config.h"

#include "suppress.h"
#include "../lib/suppfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct supp_list {
    struct supp_table t; /* the shared parser's table (lib/suppfile.h) */
};

struct supp_list *supp_new(void)
{
    return xcalloc(1, sizeof(struct supp_list));
}

void supp_free(struct supp_list *l)
{
    free(l);
}

size_t supp_count(const struct supp_list *l)
{
    return l->t.n;
}

/* The first problem of a file is the tool's error (the library warns and goes on). */
struct first_problem {
    char *err;
    size_t errlen;
    bool seen;
};

static void keep_first(const char *message, void *arg)
{
    struct first_problem *fp = arg;
    if (!fp->seen)
        snprintf(fp->err, fp->errlen, "%s", message);
    fp->seen = true;
}

bool supp_load(struct supp_list *l, const char *file, char *err, size_t errlen)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", file, strerror(errno));
        return false;
    }
    size_t len = 0, cap = 4096;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            buf = xrealloc(buf, cap *= 2, 1);
    }
    bool ok = !ferror(f);
    if (!ok)
        snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno));
    fclose(f);
    struct first_problem fp = {err, errlen, false};
    if (ok)
        ok = supp_parse(&l->t, file, buf, len, keep_first, &fp) == 0;
    free(buf);
    return ok;
}

/* The symbolized stack as the shared matcher sees it. */
static bool matches(const struct supp_list *l, const struct supp_entry *e,
                    const struct sym_stack *st)
{
    size_t n = st->n < SUPP_MAX_FRAMES ? st->n : SUPP_MAX_FRAMES;
    struct supp_frame *f = xcalloc(n + 1, sizeof *f);
    for (size_t i = 0; i < n; i++)
        f[i] = (struct supp_frame){st->f[i].function, st->f[i].file, st->f[i].module};
    bool r = supp_entry_matches(&l->t, e, f, n);
    free(f);
    return r;
}

const char *supp_match_leak(const struct supp_list *l, enum leak_kind kind,
                            const struct sym_stack *stack)
{
    for (size_t i = 0; l && i < l->t.n; i++) {
        const struct supp_entry *e = &l->t.e[i];
        if (e->is_leak && ((e->kinds >> kind) & 1) && matches(l, e, stack))
            return supp_text(&l->t, e->name);
    }
    return NULL;
}

const char *supp_match_error(const struct supp_list *l, const char *kind,
                             const struct sym_stack *const stacks[ES_COUNT])
{
    for (size_t i = 0; l && i < l->t.n; i++) {
        const struct supp_entry *e = &l->t.e[i];
        if (!supp_error_kind_matches(&l->t, e, kind))
            continue;
        for (int w = 0; w < ES_COUNT; w++)
            if ((e->stacks & (1u << w)) && stacks[w]->n && matches(l, e, stacks[w]))
                return supp_text(&l->t, e->name);
    }
    return NULL;
}

static void print_frames(FILE *out, const struct sym_stack *st)
{
    size_t lines = 0;
    bool last_any = false;
    for (size_t i = 0; i < st->n && lines < 24; i++) {
        const struct sym_frame *f = &st->f[i];
        if (f->function) {
            fprintf(out, "  frame: fun:%s\n", f->function);
            last_any = false;
        } else if (f->module) {
            fprintf(out, "  frame: obj:%s\n", f->module);
            last_any = false;
        } else if (!last_any) {
            fprintf(out, "  frame: ...\n");
            last_any = true;
        } else {
            continue;
        }
        lines++;
    }
    if (lines == 0)
        fprintf(out, "  frame: ...\n");
}

/* The innermost function of the program's own code (a frame with source outside
 * the C library's), else the innermost function known: __strdup says less than its
 * caller. */
static const char *innermost_name(const struct sym_stack *st)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->f[i].function && st->f[i].file && st->f[i].file[0] == '/')
            return st->f[i].function;
    for (size_t i = 0; i < st->n; i++)
        if (st->f[i].function)
            return st->f[i].function;
    return "unknown";
}

/* Names must differ between blocks: two stacks through the same function get a short
 * hash (FNV-1a) of their frames after it. */
static unsigned stack_hash(const char *kind, const struct sym_stack *st)
{
    uint32_t h = 2166136261u;
    const char *parts[3];
    for (size_t i = 0; i <= st->n; i++) {
        size_t np = 0;
        if (i == st->n) {
            parts[np++] = kind;
        } else {
            parts[np++] = st->f[i].function ? st->f[i].function : "";
            parts[np++] = st->f[i].module ? st->f[i].module : "";
        }
        for (size_t k = 0; k < np; k++) {
            for (const char *c = parts[k]; *c; c++)
                h = (h ^ (unsigned char)*c) * 16777619u;
            h = (h ^ 0xff) * 16777619u;
        }
    }
    return h & 0xffffff;
}

static void print_name(FILE *out, const char *what, const char *kind,
                       const struct sym_stack *stack)
{
    fprintf(out, "%s:%s-%s-%06x\n", what, kind, innermost_name(stack), stack_hash(kind, stack));
}

void supp_print_leak(FILE *out, enum leak_kind kind, const struct sym_stack *stack)
{
    print_name(out, "leak", leak_kind_dump_name(kind), stack);
    fprintf(out, "  kinds: %s\n", leak_kind_dump_name(kind));
    print_frames(out, stack);
}

void supp_print_error(FILE *out, const char *kind, enum err_stack which,
                      const struct sym_stack *stack)
{
    static const char *const names[ES_COUNT] = {"found", "allocated", "freed"};
    print_name(out, "error", kind, stack);
    fprintf(out, "  type: %s\n  stack: %s\n", kind, names[which]);
    print_frames(out, stack);
}
