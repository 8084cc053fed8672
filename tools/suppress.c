/* Suppressions: a small line-based format (docs/suppressions.md).  A block starts with
 * "leak:NAME" or "error:NAME"; "kinds:", "type:", "stack:" and "frame:" lines follow.
 * Frame patterns match a stack from the innermost frame outwards, "..." matching any
 * number of frames; a pattern list that runs out first still matches (a prefix). */
#include "config.h"

#include "suppress.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum pat_kind { PAT_FUN, PAT_SRC, PAT_OBJ, PAT_ANY };

struct pattern {
    enum pat_kind kind;
    char *glob;
};

struct supp {
    char *name;
    bool is_leak;
    unsigned kinds;          /* leaks: the kinds it covers */
    char *type;              /* errors: a glob over the error kind */
    unsigned stacks;         /* errors: bit set of enum err_stack to look at */
    bool memcheck_free;      /* errors: memcheck's Free kind, the errors of releasing */
    size_t npat;
    struct pattern *pat;
    const char *file;
    int line;
};

struct supp_list {
    size_t n, cap;
    struct supp *v;
    size_t nfiles;
    char **files;
};

struct supp_list *supp_new(void)
{
    return xcalloc(1, sizeof(struct supp_list));
}

void supp_free(struct supp_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].type);
        for (size_t j = 0; j < l->v[i].npat; j++)
            free(l->v[i].pat[j].glob);
        free(l->v[i].pat);
    }
    for (size_t i = 0; i < l->nfiles; i++)
        free(l->files[i]);
    free(l->files);
    free(l->v);
    free(l);
}

size_t supp_count(const struct supp_list *l)
{
    return l->n;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static bool parse_frame(struct supp *s, const char *v)
{
    struct pattern p;
    if (strcmp(v, "...") == 0) {
        p.kind = PAT_ANY;
        p.glob = NULL;
    } else if (strncmp(v, "fun:", 4) == 0 || strncmp(v, "src:", 4) == 0 ||
               strncmp(v, "obj:", 4) == 0) {
        p.kind = v[0] == 'f' ? PAT_FUN : v[0] == 's' ? PAT_SRC : PAT_OBJ;
        const char *g = v + 4;
        while (*g == ' ')
            g++;
        if (!*g)
            return false;
        p.glob = xstrdup(g);
    } else {
        return false;
    }
    s->pat = xrealloc(s->pat, s->npat + 1, sizeof *s->pat);
    s->pat[s->npat++] = p;
    return true;
}

static bool parse_stacks(const char *v, unsigned *out)
{
    static const char *const names[ES_COUNT] = {"found", "allocated", "freed"};
    unsigned set = 0;
    while (*v) {
        size_t n = strcspn(v, ",");
        int hit = -1;
        for (int i = 0; i < ES_COUNT; i++)
            if (strlen(names[i]) == n && memcmp(v, names[i], n) == 0)
                hit = i;
        if (n == 3 && memcmp(v, "any", 3) == 0)
            set |= (1u << ES_COUNT) - 1;
        else if (hit < 0)
            return false;
        else
            set |= 1u << hit;
        v += n;
        if (*v)
            v++;
    }
    *out = set;
    return set != 0;
}

/* Check the block just finished (the last one), if any. */
static bool finish(struct supp_list *l, size_t first, char *err, size_t errlen)
{
    if (l->n == first)
        return true;
    struct supp *s = &l->v[l->n - 1];
    if (s->npat == 0) {
        snprintf(err, errlen,
                 "%s:%d: suppression '%s' has no 'frame:' line (use 'frame: ...' to "
                 "match any stack)",
                 s->file, s->line, s->name);
        return false;
    }
    return true;
}

static struct supp *add_supp(struct supp_list *l, const char *name, bool leak,
                             const char *fname, int lineno)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, l->cap, sizeof *l->v);
    }
    struct supp *s = &l->v[l->n++];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name);
    s->is_leak = leak;
    s->kinds = LK_ALL;
    s->type = xstrdup("*");
    s->stacks = (1u << ES_COUNT) - 1;
    s->file = fname;
    s->line = lineno;
    return s;
}

/* Memcheck's allocator frames (its replacements of malloc, new and the like), which
 * begin its stacks; heapcheck's stacks begin at the caller, as the library's own
 * frames are left out. */
static bool is_allocator_frame(const char *pat)
{
    static const char *const names[] = {
        "fun:malloc", "fun:calloc", "fun:realloc", "fun:reallocarray", "fun:free",
        "fun:memalign", "fun:posix_memalign", "fun:aligned_alloc", "fun:valloc",
        "fun:pvalloc", "fun:malloc_usable_size"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(pat, names[i]) == 0)
            return true;
    return strncmp(pat, "fun:_Zn", 7) == 0 || strncmp(pat, "fun:_Zd", 7) == 0 ||
           strncmp(pat, "fun:operator new", 16) == 0 ||
           strncmp(pat, "fun:operator delete", 19) == 0;
}

/* One block of a memcheck suppression file, after its "{" (docs/suppressions.md):
 * name, Tool:Kind, an optional "match-leak-kinds:" line, frames, "}".  Memcheck:Leak
 * becomes a leak suppression; Memcheck:Free (invalid and double frees, mismatched
 * deallocations) an error suppression on the stack where the error was found.  Other
 * kinds (reads and writes at the faulting instruction, uninitialised values, other
 * tools) have no heapcheck counterpart: the block is read and skipped. */
static bool load_memcheck_block(struct supp_list *l, FILE *f, const char *fname,
                                int *lineno, char *err, size_t errlen)
{
    char buf[4096];
    int start = *lineno;
    char *name = NULL, *kind = NULL;
    struct supp *s = NULL;
    bool skip = false, leading = true;
    while (fgets(buf, sizeof buf, f)) {
        ++*lineno;
        char *line = trim(buf);
        if (!*line || *line == '#')
            continue;
        if (strcmp(line, "}") == 0) {
            bool ok = name && kind;
            if (!ok)
                snprintf(err, errlen, "%s:%d: a memcheck suppression needs a name and a "
                         "kind (like Memcheck:Leak) before '}'", fname, *lineno);
            else if (s && s->npat == 0)
                parse_frame(s, "...");
            free(name);
            free(kind);
            return ok;
        }
        if (!name) {
            name = xstrdup(line);
        } else if (!kind) {
            kind = xstrdup(line);
            if (strcmp(kind, "Memcheck:Leak") == 0) {
                s = add_supp(l, name, true, fname, start);
            } else if (strcmp(kind, "Memcheck:Free") == 0) {
                s = add_supp(l, name, false, fname, start);
                s->memcheck_free = true;
                s->stacks = 1u << ES_FOUND;
            } else {
                skip = true;
            }
        } else if (skip) {
            continue;
        } else if (strncmp(line, "match-leak-kinds:", 17) == 0) {
            if (s->is_leak && !leak_kinds_parse(trim(line + 17), &s->kinds)) {
                snprintf(err, errlen, "%s:%d: match-leak-kinds: definite, indirect, "
                         "possible, reachable, all or none", fname, *lineno);
                break;
            }
        } else if (leading && is_allocator_frame(line)) {
            continue;
        } else {
            leading = false;
            if (!parse_frame(s, line)) {
                snprintf(err, errlen, "%s:%d: a frame is 'fun:GLOB', 'obj:GLOB', 'src:GLOB' "
                         "or '...'", fname, *lineno);
                break;
            }
        }
    }
    if (feof(f))
        snprintf(err, errlen, "%s:%d: memcheck suppression without its closing '}'", fname,
                 start);
    free(name);
    free(kind);
    return false;
}

bool supp_load(struct supp_list *l, const char *file, char *err, size_t errlen)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", file, strerror(errno));
        return false;
    }
    l->files = xrealloc(l->files, l->nfiles + 1, sizeof *l->files);
    const char *fname = l->files[l->nfiles++] = xstrdup(file);
    size_t first = l->n;
    char buf[4096];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(buf, sizeof buf, f)) {
        lineno++;
        if (!strchr(buf, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", fname, lineno);
            ok = false;
            break;
        }
        char *line = trim(buf);
        if (!*line || *line == '#')
            continue;
        if (strcmp(line, "{") == 0) { /* memcheck's format */
            if (!finish(l, first, err, errlen) ||
                !load_memcheck_block(l, f, fname, &lineno, err, errlen)) {
                ok = false;
                break;
            }
            first = l->n;
            continue;
        }
        bool leak = strncmp(line, "leak:", 5) == 0;
        if (leak || strncmp(line, "error:", 6) == 0) {
            if (!finish(l, first, err, errlen)) {
                ok = false;
                break;
            }
            char *name = trim(line + (leak ? 5 : 6));
            if (!*name) {
                snprintf(err, errlen, "%s:%d: a suppression needs a name, as in 'leak:my-name'",
                         fname, lineno);
                ok = false;
                break;
            }
            add_supp(l, name, leak, fname, lineno);
            continue;
        }
        char *colon = strchr(line, ':');
        if (l->n == first || !colon) {
            snprintf(err, errlen,
                     "%s:%d: expected 'leak:NAME' or 'error:NAME' to start a suppression",
                     fname, lineno);
            ok = false;
            break;
        }
        struct supp *s = &l->v[l->n - 1];
        *colon = '\0';
        char *key = trim(line), *val = trim(colon + 1);
        const char *problem = NULL;
        if (strcmp(key, "frame") == 0) {
            if (!parse_frame(s, val))
                problem = "a frame is 'fun:GLOB', 'src:GLOB', 'obj:GLOB' or '...'";
        } else if (strcmp(key, "kinds") == 0 && s->is_leak) {
            if (!leak_kinds_parse(val, &s->kinds))
                problem = "kinds are definitely, indirectly, possibly, reachable, all or none";
        } else if (strcmp(key, "type") == 0 && !s->is_leak) {
            if (!*val)
                problem = "'type:' needs an error kind, like double-free";
            free(s->type);
            s->type = xstrdup(val);
        } else if (strcmp(key, "stack") == 0 && !s->is_leak) {
            if (!parse_stacks(val, &s->stacks))
                problem = "'stack:' is found, allocated, freed or any";
        } else {
            problem = s->is_leak ? "a leak suppression has 'kinds:' and 'frame:' lines"
                                 : "an error suppression has 'type:', 'stack:' and 'frame:' lines";
        }
        if (problem) {
            snprintf(err, errlen, "%s:%d: %s", fname, lineno, problem);
            ok = false;
        }
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: cannot read: %s", fname, strerror(errno));
        ok = false;
    }
    fclose(f);
    return ok && finish(l, first, err, errlen);
}

static bool glob_match(const char *glob, const char *s)
{
    return s && fnmatch(glob, s, 0) == 0;
}

static bool glob_match_path(const char *glob, const char *path)
{
    if (!path)
        return false;
    const char *base = strrchr(path, '/');
    return glob_match(glob, path) || (base && glob_match(glob, base + 1));
}

static bool frame_matches(const struct pattern *p, const struct sym_frame *f)
{
    switch (p->kind) {
    case PAT_FUN: return glob_match(p->glob, f->function ? f->function : "???");
    case PAT_SRC: return glob_match_path(p->glob, f->file);
    case PAT_OBJ: return glob_match_path(p->glob, f->module);
    case PAT_ANY: return true;
    }
    return false;
}

/* Does the pattern list match a prefix of the stack?  Dynamic programming over
 * (pattern, frame), so many "..." cannot make it slow. */
static bool stack_matches(const struct supp *s, const struct sym_stack *st)
{
    size_t m = s->npat, n = st->n;
    /* ok[j] for the current pattern i: patterns i.. match frames j.. */
    bool *ok = xcalloc(n + 1, sizeof *ok), *next = xcalloc(n + 1, sizeof *next);
    for (size_t j = 0; j <= n; j++)
        next[j] = true;   /* no patterns left: matches */
    for (size_t i = m; i-- > 0;) {
        const struct pattern *p = &s->pat[i];
        ok[n] = p->kind == PAT_ANY ? next[n] : false;
        for (size_t j = n; j-- > 0;) {
            if (p->kind == PAT_ANY)
                ok[j] = next[j] || ok[j + 1];
            else
                ok[j] = frame_matches(p, &st->f[j]) && next[j + 1];
        }
        bool *t = ok;
        ok = next;
        next = t;
    }
    bool r = next[0];
    free(ok);
    free(next);
    return r;
}

const char *supp_match_leak(const struct supp_list *l, enum leak_kind kind,
                            const struct sym_stack *stack)
{
    for (size_t i = 0; l && i < l->n; i++) {
        const struct supp *s = &l->v[i];
        if (s->is_leak && (s->kinds & (1u << kind)) && stack_matches(s, stack))
            return s->name;
    }
    return NULL;
}

const char *supp_match_error(const struct supp_list *l, const char *kind,
                             const struct sym_stack *const stacks[ES_COUNT])
{
    for (size_t i = 0; l && i < l->n; i++) {
        const struct supp *s = &l->v[i];
        if (s->is_leak || !glob_match(s->type, kind))
            continue;
        if (s->memcheck_free && strcmp(kind, "double-free") != 0 &&
            strncmp(kind, "invalid-free-", 13) != 0 && strcmp(kind, "alloc-dealloc-mismatch") != 0)
            continue;
        for (int w = 0; w < ES_COUNT; w++)
            if ((s->stacks & (1u << w)) && stacks[w]->n && stack_matches(s, stacks[w]))
                return s->name;
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
