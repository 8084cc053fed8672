/* Suppression files: parser and matcher shared by the library and the tool (see
 * suppfile.h).  Nothing here allocates or calls stdio: the library uses it at report
 * time.  A block is added to the table as it is read and rolled back (the table's
 * counts restored) if it turns out bad or does not fit. */
#include "suppfile.h"
#include "optvalue.h"

#include <string.h>

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* ---- glob ---- */

/* One bracket expression at g (after '['): does c match?  *end gets the position
 * after ']'; false there when the expression is not closed (then '[' is literal). */
static bool bracket(const char *g, unsigned char c, const char **end, bool *closed)
{
    bool neg = *g == '!' || *g == '^', hit = false;
    if (neg)
        g++;
    const char *start = g;
    while (*g && (*g != ']' || g == start)) {
        unsigned char lo = (unsigned char)*g, hi = lo;
        if (g[1] == '-' && g[2] && g[2] != ']') {
            hi = (unsigned char)g[2];
            g += 2;
        }
        if (c >= lo && c <= hi)
            hit = true;
        g++;
    }
    *closed = *g == ']';
    *end = *g ? g + 1 : g;
    return hit != neg;
}

bool supp_glob(const char *g, const char *s)
{
    const char *star_g = NULL, *star_s = NULL;
    while (*s) {
        bool ok = false;
        const char *next = g + 1;
        if (*g == '*') {
            star_g = ++g;
            star_s = s;
            continue;
        } else if (*g == '?') {
            ok = true;
        } else if (*g == '[') {
            bool closed;
            ok = bracket(g + 1, (unsigned char)*s, &next, &closed);
            if (!closed) {
                ok = *s == '[';
                next = g + 1;
            }
        } else if (*g == '\\' && g[1]) {
            ok = g[1] == *s;
            next = g + 2;
        } else {
            ok = *g && *g == *s;
        }
        if (ok) {
            g = next;
            s++;
        } else if (star_g) { /* let the last '*' take one more character */
            g = star_g;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (*g == '*')
        g++;
    return *g == '\0';
}

/* ---- the table ---- */

static uint32_t add_text(struct supp_table *t, const char *s, size_t n)
{
    if (t->ntext + n + 1 > SUPP_MAX_TEXT)
        return UINT32_MAX;
    uint32_t off = (uint32_t)t->ntext;
    memcpy(t->text + off, s, n);
    t->text[off + n] = '\0';
    t->ntext += n + 1;
    return off;
}

struct parser {
    struct supp_table *t;
    const char *fname;
    uint32_t file;
    int line;
    supp_diag_fn *diag;
    void *arg;
    unsigned problems;
    /* The block being read: the table's counts before it, for a rollback. */
    bool open, bad;
    size_t mark_n, mark_pat, mark_text;
    int start;
};

static void say(struct parser *p, int line, const char *a, const char *b, const char *c)
{
    char msg[512];
    size_t n = 0;
    const char *parts[] = {p->fname, line ? ":" : "", NULL, ": ", a, b, c};
    char num[16];
    int k = 0, v = line;
    char rev[16];
    do {
        rev[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < 15);
    for (int i = 0; i < k; i++)
        num[i] = rev[k - 1 - i];
    num[k] = '\0';
    parts[2] = line ? num : ""; /* 0: the file as a whole */
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const char *s = parts[i]; s && *s && n + 1 < sizeof msg; s++)
            msg[n++] = *s;
    msg[n] = '\0';
    p->problems++;
    if (p->diag)
        p->diag(msg, p->arg);
}

static void block_open(struct parser *p)
{
    p->open = true;
    p->bad = false;
    p->mark_n = p->t->n;
    p->mark_pat = p->t->npat;
    p->mark_text = p->t->ntext;
    p->start = p->line;
}

static void rollback(struct parser *p)
{
    p->t->n = p->mark_n;
    p->t->npat = p->mark_pat;
    p->t->ntext = p->mark_text;
}

static void table_full(struct parser *p)
{
    if (!p->t->full)
        say(p, p->line, "too many suppressions (the table holds 4096 blocks, 65536 frame "
                        "patterns and 1 MiB of names); this block and the rest are left out",
            "", "");
    p->t->full = true;
    p->bad = true;
}

static struct supp_entry *add_entry(struct parser *p, const char *name, size_t n, bool leak)
{
    struct supp_table *t = p->t;
    uint32_t off = add_text(t, name, n), star = add_text(t, "*", 1);
    if (t->full || t->n == SUPP_MAX || off == UINT32_MAX || star == UINT32_MAX) {
        table_full(p);
        return NULL;
    }
    struct supp_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    e->name = off;
    e->type = star;
    e->file = p->file;
    e->line = p->line;
    e->is_leak = leak;
    e->kinds = HC_KINDS_ALL;
    e->stacks = (1u << SUPP_STACKS) - 1;
    e->first_pat = (uint32_t)t->npat;
    return e;
}

static struct supp_entry *current(struct parser *p)
{
    return p->open && !p->bad && p->t->n > p->mark_n ? &p->t->e[p->t->n - 1] : NULL;
}

/* A frame line's pattern: false if it has another form. */
static bool add_frame(struct parser *p, const char *v, size_t n)
{
    struct supp_table *t = p->t;
    struct supp_entry *e = current(p);
    if (!e)
        return true;
    struct supp_pattern pat = {SUPP_ANY, 0};
    if (!word_is(v, n, "...")) {
        if (n < 4 || (memcmp(v, "fun:", 4) != 0 && memcmp(v, "src:", 4) != 0 &&
                      memcmp(v, "obj:", 4) != 0))
            return false;
        pat.kind = v[0] == 'f' ? SUPP_FUN : v[0] == 's' ? SUPP_SRC : SUPP_OBJ;
        const char *g = v + 4;
        size_t gn = n - 4;
        while (gn && *g == ' ') {
            g++;
            gn--;
        }
        if (!gn)
            return false;
        pat.glob = add_text(t, g, gn);
        if (pat.glob == UINT32_MAX) {
            table_full(p);
            return true;
        }
    }
    if (t->npat == SUPP_MAX_PATTERNS) {
        table_full(p);
        return true;
    }
    t->pat[t->npat++] = pat;
    e->npat++;
    return true;
}

/* The end of a heapcheck block: keep it if it is good and has a frame. */
static void block_close(struct parser *p)
{
    if (!p->open)
        return;
    struct supp_entry *e = current(p);
    if (e && e->npat == 0) {
        say(p, p->start, "suppression '", supp_text(p->t, e->name),
            "' has no 'frame:' line (use 'frame: ...' to match any stack)");
        p->bad = true;
    }
    if (p->bad)
        rollback(p);
    p->open = false;
}

static bool parse_stacks(const char *v, size_t n, unsigned *out)
{
    static const char *const names[SUPP_STACKS] = {"found", "allocated", "freed"};
    unsigned set = 0;
    while (n) {
        size_t w = 0;
        while (w < n && v[w] != ',')
            w++;
        if (word_is(v, w, "any")) {
            set |= (1u << SUPP_STACKS) - 1;
        } else {
            int hit = -1;
            for (int i = 0; i < SUPP_STACKS; i++)
                if (word_is(v, w, names[i]))
                    hit = i;
            if (hit < 0)
                return false;
            set |= 1u << hit;
        }
        v += w;
        n -= w;
        if (n) {
            v++;
            n--;
        }
    }
    *out = set;
    return set != 0;
}

/* Memcheck's allocator frames (its malloc, new and the like) begin its stacks;
 * heapcheck's begin at the caller. */
static bool is_allocator_frame(const char *s, size_t n)
{
    static const char *const names[] = {
        "fun:malloc", "fun:calloc", "fun:realloc", "fun:reallocarray", "fun:free",
        "fun:memalign", "fun:posix_memalign", "fun:aligned_alloc", "fun:valloc",
        "fun:pvalloc", "fun:malloc_usable_size"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (word_is(s, n, names[i]))
            return true;
    return (n >= 7 && (memcmp(s, "fun:_Zn", 7) == 0 || memcmp(s, "fun:_Zd", 7) == 0)) ||
           (n >= 16 && memcmp(s, "fun:operator new", 16) == 0) ||
           (n >= 19 && memcmp(s, "fun:operator delete", 19) == 0);
}

/* Memcheck's block state, between "{" and "}". */
struct mc {
    bool in, named, kinded, skip, leading;
};

static void mc_line(struct parser *p, struct mc *m, const char *s, size_t n)
{
    if (word_is(s, n, "}")) {
        if (m->skip) {
            p->bad = true; /* nothing to keep: take its name back out of the table */
        } else if (!m->named || !m->kinded) {
            if (!p->bad)
                say(p, p->line, "a memcheck suppression needs a name and a kind (like "
                                "Memcheck:Leak) before '}'", "", "");
            p->bad = true;
        }
        struct supp_entry *e = current(p);
        if (e && e->npat == 0)
            add_frame(p, "...", 3);
        if (p->bad)
            rollback(p);
        p->open = false;
        m->in = false;
        return;
    }
    if (p->bad || m->skip)
        return;
    if (!m->named) {
        m->named = true;
        /* The name is kept in the entry made at the kind's line: remember it in text. */
        uint32_t off = add_text(p->t, s, n);
        if (off == UINT32_MAX)
            table_full(p);
        return;
    }
    if (!m->kinded) {
        m->kinded = true;
        bool leak = word_is(s, n, "Memcheck:Leak"), fr = word_is(s, n, "Memcheck:Free");
        if (!leak && !fr) {
            m->skip = true; /* no heapcheck counterpart: read and skipped */
            return;
        }
        const char *name = p->t->text + p->mark_text;
        struct supp_entry *e = add_entry(p, name, strlen(name), leak);
        if (e && fr) {
            e->memcheck_free = true;
            e->stacks = 1u << SUPP_FOUND;
        }
        return;
    }
    if (n >= 17 && memcmp(s, "match-leak-kinds:", 17) == 0) {
        struct supp_entry *e = current(p);
        unsigned k;
        if (!hc_kinds_parse(s + 17, n - 17, &k)) {
            say(p, p->line, "match-leak-kinds: definite, indirect, possible, reachable, all or none",
                "", "");
            p->bad = true;
        } else if (e && e->is_leak) {
            e->kinds = k;
        }
        return;
    }
    if (m->leading && is_allocator_frame(s, n))
        return;
    m->leading = false;
    if (!add_frame(p, s, n)) {
        say(p, p->line, "a frame is 'fun:GLOB', 'obj:GLOB', 'src:GLOB' or '...'", "", "");
        p->bad = true;
    }
}

static void hc_line(struct parser *p, const char *s, size_t n)
{
    bool leak = n >= 5 && memcmp(s, "leak:", 5) == 0;
    if (leak || (n >= 6 && memcmp(s, "error:", 6) == 0)) {
        block_close(p);
        block_open(p);
        const char *name = s + (leak ? 5 : 6);
        size_t nn = n - (leak ? 5 : 6);
        while (nn && (*name == ' ' || *name == '\t')) {
            name++;
            nn--;
        }
        if (!nn) {
            say(p, p->line, "a suppression needs a name, as in 'leak:my-name'", "", "");
            p->bad = true;
            return;
        }
        add_entry(p, name, nn, leak);
        return;
    }
    const char *colon = memchr(s, ':', n);
    if (!p->open || !colon) {
        say(p, p->line, "expected 'leak:NAME' or 'error:NAME' to start a suppression", "", "");
        if (p->open)
            p->bad = true;
        return;
    }
    struct supp_entry *e = current(p);
    if (!e)
        return; /* a bad or left-out block: its lines are skipped */
    size_t kn = (size_t)(colon - s);
    while (kn && (s[kn - 1] == ' ' || s[kn - 1] == '\t'))
        kn--;
    const char *v = colon + 1;
    size_t vn = n - (size_t)(v - s);
    while (vn && (*v == ' ' || *v == '\t')) {
        v++;
        vn--;
    }
    const char *problem = NULL;
    if (word_is(s, kn, "frame")) {
        if (!add_frame(p, v, vn))
            problem = "a frame is 'fun:GLOB', 'src:GLOB', 'obj:GLOB' or '...'";
    } else if (word_is(s, kn, "kinds") && e->is_leak) {
        if (!hc_kinds_parse(v, vn, &e->kinds))
            problem = "kinds are definitely, indirectly, possibly, reachable, all or none";
    } else if (word_is(s, kn, "type") && !e->is_leak) {
        uint32_t off = vn ? add_text(p->t, v, vn) : UINT32_MAX;
        if (!vn)
            problem = "'type:' needs an error kind, like double-free";
        else if (off == UINT32_MAX)
            table_full(p);
        else
            e->type = off;
    } else if (word_is(s, kn, "stack") && !e->is_leak) {
        if (!parse_stacks(v, vn, &e->stacks))
            problem = "'stack:' is found, allocated, freed or any";
    } else {
        problem = e->is_leak ? "a leak suppression has 'kinds:' and 'frame:' lines"
                             : "an error suppression has 'type:', 'stack:' and 'frame:' lines";
    }
    if (problem) {
        say(p, p->line, problem, "", "");
        p->bad = true;
    }
}

unsigned supp_parse(struct supp_table *t, const char *fname, const char *buf, size_t len,
                    supp_diag_fn *diag, void *arg)
{
    struct parser p = {.t = t, .fname = fname, .diag = diag, .arg = arg};
    p.file = add_text(t, fname, strlen(fname));
    if (p.file == UINT32_MAX || t->nfiles == SUPP_MAX_FILES) {
        say(&p, 0, "too many suppression files (at most 16) or names; the file is left out",
            "", "");
        return p.problems;
    }
    t->nfiles++;
    struct mc m = {0};
    size_t pos = 0;
    while (pos < len) {
        const char *s = buf + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        p.line++;
        if (n >= SUPP_MAX_LINE) {
            say(&p, p.line, "line too long (the limit is 4095 bytes)", "", "");
            if (p.open)
                p.bad = true;
            continue;
        }
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
            n--;
        if (!n || *s == '#')
            continue;
        if (m.in) {
            mc_line(&p, &m, s, n);
        } else if (word_is(s, n, "{")) {
            block_close(&p);
            block_open(&p);
            m = (struct mc){.in = true, .leading = true};
        } else {
            hc_line(&p, s, n);
        }
    }
    if (m.in) {
        say(&p, p.start, "memcheck suppression without its closing '}'", "", "");
        rollback(&p);
        p.open = false;
    }
    block_close(&p);
    return p.problems;
}

/* ---- matching ---- */

static bool glob_path(const char *g, const char *path)
{
    if (!path)
        return false;
    const char *base = strrchr(path, '/');
    return supp_glob(g, path) || (base && supp_glob(g, base + 1));
}

static bool frame_matches(const struct supp_table *t, const struct supp_pattern *pat,
                          const struct supp_frame *f)
{
    const char *g = supp_text(t, pat->glob);
    switch (pat->kind) {
    case SUPP_FUN: return supp_glob(g, f->function ? f->function : "???");
    case SUPP_SRC: return glob_path(g, f->file);
    case SUPP_OBJ: return glob_path(g, f->module);
    default: return true;
    }
}

/* Dynamic programming over (pattern, frame), so many "..." cannot make it slow:
 * after the round for pattern i, next[j] says patterns i.. match frames j.. */
bool supp_entry_matches(const struct supp_table *t, const struct supp_entry *e,
                        const struct supp_frame *f, size_t n)
{
    bool a[SUPP_MAX_FRAMES + 1], b[SUPP_MAX_FRAMES + 1];
    bool *ok = a, *next = b;
    if (n > SUPP_MAX_FRAMES)
        n = SUPP_MAX_FRAMES;
    for (size_t j = 0; j <= n; j++)
        next[j] = true; /* no patterns left: matches */
    for (size_t i = e->npat; i-- > 0;) {
        const struct supp_pattern *pat = &t->pat[e->first_pat + i];
        bool any = pat->kind == SUPP_ANY;
        ok[n] = any && next[n];
        for (size_t j = n; j-- > 0;)
            ok[j] = any ? next[j] || ok[j + 1] : next[j + 1] && frame_matches(t, pat, &f[j]);
        bool *tmp = ok;
        ok = next;
        next = tmp;
    }
    return next[0];
}

const struct supp_entry *supp_find_leak(const struct supp_table *t, unsigned kind,
                                        const struct supp_frame *f, size_t n)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct supp_entry *e = &t->e[i];
        if (e->is_leak && ((e->kinds >> kind) & 1) && supp_entry_matches(t, e, f, n))
            return e;
    }
    return NULL;
}

bool supp_error_kind_matches(const struct supp_table *t, const struct supp_entry *e,
                             const char *kind)
{
    if (e->is_leak || !supp_glob(supp_text(t, e->type), kind))
        return false;
    return !e->memcheck_free || strcmp(kind, "double-free") == 0 ||
           strncmp(kind, "invalid-free-", 13) == 0 || strcmp(kind, "alloc-dealloc-mismatch") == 0;
}
