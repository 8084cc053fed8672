/* Symbolization with libdwfl.  Each module path is reported offline into a Dwfl of its
 * own at bias 0, so lookups use file addresses (frame - base) and one cached Dwfl
 * serves every process whatever its load address.  Inlined calls come from the DWARF
 * scope chain (dwarf_getscopes, then dwarf_getscopes_die for the physical nesting). */
#include "config.h"

#include "symbolize.h"

#include <dwarf.h>
#include <errno.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct modentry {
    char *path;
    Dwfl *dwfl;
    Dwfl_Module *mod;       /* NULL: the file could not be read */
    Dwarf_Addr lo, hi;      /* file addresses the module spans */
    char *build_id;         /* lowercase hex, "" when it has none */
    bool warned_build_id;
};

struct framebuf {
    size_t n, cap;
    struct sym_frame *f;
};

/* What one module address symbolizes to: frames [first, first + n) of memo_frames. */
struct memo {
    size_t mod;             /* index in mods; SIZE_MAX: empty slot */
    Dwarf_Addr pc;
    size_t first, n;
};

struct symbolizer {
    bool enabled;
    size_t n, cap;
    struct modentry *mods;
    size_t nstr, strcap;    /* interned strings: an open-addressing hash set */
    char **strs;
    size_t nmemo, memocap;  /* addresses already symbolized: open addressing */
    struct memo *memo;
    struct framebuf memo_frames;
};

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

struct symbolizer *sym_new(bool enabled)
{
    struct symbolizer *s = xcalloc(1, sizeof *s);
    s->enabled = enabled;
    return s;
}

void sym_free(struct symbolizer *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->mods[i].dwfl)
            dwfl_end(s->mods[i].dwfl);
        free(s->mods[i].path);
        free(s->mods[i].build_id);
    }
    free(s->mods);
    for (size_t i = 0; i < s->strcap; i++)
        free(s->strs[i]);
    free(s->strs);
    free(s->memo);
    free(s->memo_frames.f);
    free(s);
}

static size_t str_hash(const char *p, size_t n)
{
    size_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return h;
}

/* A copy of P[0..N) that lives as long as the symbolizer, shared between equal
 * strings. */
static const char *intern(struct symbolizer *s, const char *p, size_t n)
{
    if (2 * (s->nstr + 1) > s->strcap) {
        size_t cap = s->strcap ? 2 * s->strcap : 256;
        char **t = xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < s->strcap; i++) {
            if (!s->strs[i])
                continue;
            size_t j = str_hash(s->strs[i], strlen(s->strs[i])) & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = s->strs[i];
        }
        free(s->strs);
        s->strs = t;
        s->strcap = cap;
    }
    size_t j = str_hash(p, n) & (s->strcap - 1);
    for (; s->strs[j]; j = (j + 1) & (s->strcap - 1))
        if (strncmp(s->strs[j], p, n) == 0 && s->strs[j][n] == '\0')
            return s->strs[j];
    char *c = xmalloc(n + 1);
    memcpy(c, p, n);
    c[n] = '\0';
    s->strs[j] = c;
    s->nstr++;
    return c;
}

/* libstdc++'s demangler (the tool links libstdc++ for it; it allocates, which the
 * tool may). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* A C++ name demangled ("_ZN6MatrixD1Ev" -> "Matrix::~Matrix()"); others as given. */
static const char *demangled(struct symbolizer *s, const char *name)
{
    if (!name || strncmp(name, "_Z", 2) != 0)
        return name;
    int status = -1;
    char *d = __cxa_demangle(name, NULL, NULL, &status);
    if (status != 0 || !d) {
        free(d);
        return name;
    }
    const char *r = intern(s, d, strlen(d));
    free(d);
    return r;
}

/* A symbol's name without its version ("__libc_start_main@@GLIBC_2.34"), demangled. */
static const char *symbol_name(struct symbolizer *s, const char *name)
{
    if (!name)
        return NULL;
    const char *at = strchr(name, '@');
    if (at && at != name)
        name = intern(s, name, (size_t)(at - name));
    return demangled(s, name);
}

/* FILE made absolute with the compilation directory, "." and "dir/.." removed. */
static const char *full_path(struct symbolizer *s, const char *file, const char *comp_dir)
{
    if (!file)
        return NULL;
    if (file[0] == '/' || !comp_dir || !comp_dir[0])
        return intern(s, file, strlen(file));
    /* DWARF 5's directory 0 is the compilation directory itself: libdw has joined it
     * already ("./string" + "./string/strdup.c" was "string/string/strdup.c"). */
    size_t cl = strlen(comp_dir);
    if (strncmp(file, comp_dir, cl) == 0 && file[cl] == '/')
        comp_dir = ".";
    size_t cap = strlen(comp_dir) + strlen(file) + 2;
    char *joined = xmalloc(cap), *out = xmalloc(cap);
    snprintf(joined, cap, "%s/%s", comp_dir, file);
    size_t len = 0;
    for (char *seg = joined; *seg;) {
        size_t n = strcspn(seg, "/");
        if ((n == 1 && seg[0] == '.') || n == 0) {
            /* nothing */
        } else if (n == 2 && seg[0] == '.' && seg[1] == '.' && len > 0 &&
                   !(len >= 2 && strncmp(out + len - 2, "..", 2) == 0 &&
                     (len == 2 || out[len - 3] == '/'))) {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;   /* the slash */
        } else {
            if (len > 0 || joined[0] == '/')
                out[len++] = '/';
            memcpy(out + len, seg, n);
            len += n;
        }
        seg += n;
        if (*seg)
            seg++;
    }
    const char *r = intern(s, out, len);
    free(joined);
    free(out);
    return r;
}

static void open_module(struct modentry *e)
{
    e->build_id = xstrdup("");
    /* Only absolute paths: "linux-vdso.so.1" and the like are not files.  Only regular
     * files: a dump could name a FIFO or a device. */
    struct stat st;
    if (e->path[0] != '/')
        return;
    errno = 0;
    if (stat(e->path, &st) != 0 || !S_ISREG(st.st_mode)) {
        hc_warn("warning: cannot read %s: %s; its frames are not symbolized", e->path,
                errno ? strerror(errno) : "not a regular file");
        return;
    }
    e->dwfl = dwfl_begin(&offline_callbacks);
    if (!e->dwfl)
        return;
    dwfl_report_begin(e->dwfl);
    const char *base = strrchr(e->path, '/');
    e->mod = dwfl_report_elf(e->dwfl, base + 1, e->path, -1, 0, true);
    dwfl_report_end(e->dwfl, NULL, NULL);
    if (!e->mod) {
        hc_warn("warning: cannot read %s: %s; its frames are not symbolized", e->path,
                dwfl_errmsg(-1));
        return;
    }
    dwfl_module_info(e->mod, NULL, &e->lo, &e->hi, NULL, NULL, NULL, NULL);
    const unsigned char *bits;
    GElf_Addr vaddr;
    int len = dwfl_module_build_id(e->mod, &bits, &vaddr);
    if (len > 0) {
        free(e->build_id);
        e->build_id = xmalloc((size_t)len * 2 + 1);
        for (int i = 0; i < len; i++)
            snprintf(e->build_id + 2 * i, 3, "%02x", bits[i]);
    }
}

static struct modentry *module_entry(struct symbolizer *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->mods[i].path, path) == 0)
            return &s->mods[i];
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->mods = xrealloc(s->mods, s->cap, sizeof *s->mods);
    }
    struct modentry *e = &s->mods[s->n++];
    memset(e, 0, sizeof *e);
    e->path = xstrdup(path);
    if (s->enabled)
        open_module(e);
    return e;
}

static const char *module_path(const struct hc_dump *d, const struct hc_module *m)
{
    /* The main program may be listed with an empty name, as dl_iterate_phdr gives it. */
    return m->path[0] ? m->path : d->exe;
}

/* The module of D holding ADDR: one whose file's extent covers it, else (files we
 * could not read) the one with the highest base at or below it. */
static const struct hc_module *find_module(struct symbolizer *s, const struct hc_dump *d,
                                           uint64_t addr, struct modentry **entry)
{
    const struct hc_module *guess = NULL;
    struct modentry *guess_entry = NULL;
    for (size_t i = 0; i < d->nmodules; i++) {
        const struct hc_module *m = &d->modules[i];
        if (m->base > addr)
            continue;
        struct modentry *e = module_entry(s, module_path(d, m));
        uint64_t fa = addr - m->base;
        if (e->mod) {
            if (fa >= e->lo && fa < e->hi) {
                *entry = e;
                return m;
            }
        } else if (!guess || m->base > guess->base) {
            guess = m;
            guess_entry = e;
        }
    }
    *entry = guess_entry;
    return guess;
}

static bool build_id_matches(struct modentry *e, const struct hc_module *m)
{
    if (!m->build_id[0] || !e->build_id[0] || strcasecmp(m->build_id, e->build_id) == 0)
        return true;
    if (!e->warned_build_id) {
        hc_warn("warning: %s has changed since the program ran (build ID %s, the dump "
                "says %s); its frames are not symbolized",
                e->path, e->build_id, m->build_id);
        e->warned_build_id = true;
    }
    return false;
}

/* A function's name from DWARF: its linkage name demangled (C++: the qualified name),
 * else DW_AT_name. */
static const char *die_name(struct symbolizer *s, Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (linkage)
        return demangled(s, linkage);
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    return name ? name : "??";
}

static bool is_function(Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
           tag == DW_TAG_entry_point;
}

static struct sym_frame *push(struct framebuf *b, const struct sym_frame *proto)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->f = xrealloc(b->f, b->cap, sizeof *b->f);
    }
    b->f[b->n] = *proto;
    return &b->f[b->n++];
}

/* The call site of an inlined subroutine: where its caller's code is. */
static void call_site(Dwarf_Die *inl, struct sym_frame *out)
{
    Dwarf_Attribute attr;
    Dwarf_Word v;
    Dwarf_Die cu;
    Dwarf_Files *files;
    size_t nfiles;
    out->file = NULL;
    out->line = out->column = 0;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &attr), &v) == 0 &&
        dwarf_diecu(inl, &cu, NULL, NULL) &&
        dwarf_getsrcfiles(&cu, &files, &nfiles) == 0 && v < nfiles)
        out->file = dwarf_filesrc(files, v, NULL, NULL);
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &attr), &v) == 0)
        out->line = (int)v;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_column, &attr), &v) == 0)
        out->column = (int)v;
}

/* Symbolize the file address PC of module E; FRAME has addr, index, module, offset set.
 * Pushes the inlined frames (innermost first) and then the real one. */
static void lookup(struct symbolizer *s, struct modentry *e, Dwarf_Addr pc,
                   struct sym_frame frame, struct framebuf *out)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(e->mod, pc, &bias);
    Dwarf_Attribute attr;
    const char *comp_dir = cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr)) : NULL;

    frame.function = symbol_name(s, dwfl_module_addrname(e->mod, pc));
    Dwfl_Line *line = dwfl_module_getsrc(e->mod, pc);
    if (line)
        frame.file = full_path(
            s, dwfl_lineinfo(line, NULL, &frame.line, &frame.column, NULL, NULL), comp_dir);
    Dwarf_Die *scopes = NULL, *chain = NULL;
    int nchain = 0;
    if (cu) {
        int nscopes = dwarf_getscopes(cu, pc - bias, &scopes);
        /* dwarf_getscopes follows an inlined instance to its abstract definition;
         * the DIE's own parents give the chain of callers it was inlined into. */
        if (nscopes > 0)
            nchain = dwarf_getscopes_die(&scopes[0], &chain);
    }
    /* chain[i] for the functions only, innermost first, up to the first real one. */
    struct sym_frame cur = frame;   /* its location: the line table's, then call sites */
    int emitted = 0;
    for (int i = 0; i < nchain; i++) {
        Dwarf_Die *die = &chain[i];
        if (!is_function(die))
            continue;
        if (dwarf_tag(die) != DW_TAG_inlined_subroutine) {
            /* The real function: DWARF's name (a clone's symbol is
             * "copy_name.constprop.0"; C++'s linkage name is demangled), else the
             * symbol table's. */
            const char *name = die_name(s, die);
            cur.function = strcmp(name, "??") != 0 ? name : frame.function;
            cur.inlined = false;
            push(out, &cur);
            emitted++;
            break;
        }
        cur.function = die_name(s, die);
        cur.inlined = true;
        push(out, &cur);
        emitted++;
        /* Its caller's location is this instance's call site. */
        call_site(die, &cur);
        cur.file = full_path(s, cur.file, comp_dir);
    }
    if (!emitted) {
        push(out, &frame);
    } else if (out->f[out->n - 1].inlined) {
        /* No enclosing subprogram found (odd DWARF): close with the symbol name. */
        cur.function = frame.function;
        cur.inlined = false;
        push(out, &cur);
    }
    free(scopes);
    free(chain);
}

static size_t memo_slot(const struct symbolizer *s, size_t mod, Dwarf_Addr pc)
{
    size_t h = (mod * 0x9e3779b97f4a7c15u) ^ (pc * 0xff51afd7ed558ccdu);
    size_t j = (h ^ (h >> 29)) & (s->memocap - 1);
    while (s->memo[j].mod != SIZE_MAX && (s->memo[j].mod != mod || s->memo[j].pc != pc))
        j = (j + 1) & (s->memocap - 1);
    return j;
}

static void memo_grow(struct symbolizer *s)
{
    struct memo *old = s->memo;
    size_t oldcap = s->memocap;
    s->memocap = oldcap ? 2 * oldcap : 1024;
    s->memo = xcalloc(s->memocap, sizeof *s->memo);
    for (size_t i = 0; i < s->memocap; i++)
        s->memo[i].mod = SIZE_MAX;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].mod != SIZE_MAX)
            s->memo[memo_slot(s, old[i].mod, old[i].pc)] = old[i];
    free(old);
}

/* lookup(), remembering the answer per module and address: stacks share most frames. */
static void cached_lookup(struct symbolizer *s, struct modentry *e, Dwarf_Addr pc,
                          const struct sym_frame *frame, struct framebuf *out)
{
    size_t mod = (size_t)(e - s->mods);
    if (2 * (s->nmemo + 1) > s->memocap)
        memo_grow(s);
    size_t j = memo_slot(s, mod, pc);
    if (s->memo[j].mod == SIZE_MAX) {
        struct framebuf tmp = {0};
        lookup(s, e, pc, *frame, &tmp);
        s->memo[j] = (struct memo){mod, pc, s->memo_frames.n, tmp.n};
        s->nmemo++;
        for (size_t i = 0; i < tmp.n; i++)
            push(&s->memo_frames, &tmp.f[i]);
        free(tmp.f);
    }
    for (size_t i = 0; i < s->memo[j].n; i++) {
        struct sym_frame f = s->memo_frames.f[s->memo[j].first + i];
        f.addr = frame->addr;
        f.index = frame->index;
        f.module = frame->module;
        f.offset = frame->offset;
        push(out, &f);
    }
}

static bool in_heapcheck_library(const char *path)
{
    if (!path)
        return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strncmp(base, "libheapcheck.", 13) == 0 || strncmp(base, "libheapcheck-", 13) == 0;
}

void sym_stack(struct symbolizer *s, const struct hc_dump *d, const struct hc_stack *stack,
               struct sym_stack *out)
{
    struct framebuf b = {0};
    bool leading = true;
    unsigned index = 0;
    for (size_t i = 0; stack && i < stack->nframes; i++) {
        uint64_t addr = stack->frames[i];
        struct modentry *e = NULL;
        const struct hc_module *m = find_module(s, d, addr, &e);
        const char *path = m ? module_path(d, m) : NULL;
        if (leading && in_heapcheck_library(path))
            continue;
        leading = false;
        struct sym_frame f = {.addr = addr, .index = index};
        index++;
        if (m) {
            f.module = path;
            f.offset = addr - m->base;
        }
        /* A return address: the call is the instruction before it. */
        if (m && e && e->mod && addr > m->base && build_id_matches(e, m))
            cached_lookup(s, e, f.offset - 1, &f, &b);
        else
            push(&b, &f);
    }
    /* Numbered in turn, inlined frames included, as ASan and the library number them. */
    for (size_t i = 0; i < b.n; i++)
        b.f[i].index = (unsigned)i;
    out->n = b.n;
    out->f = b.f;
}

void sym_module_address(struct symbolizer *s, const char *path, uint64_t pc, struct sym_stack *out)
{
    struct framebuf b = {0};
    struct modentry *e = module_entry(s, path);
    struct sym_frame f = {.addr = pc, .module = e->path, .offset = pc};
    if (e->mod && pc > 0 && pc - 1 >= e->lo && pc - 1 < e->hi)
        cached_lookup(s, e, pc - 1, &f, &b);
    else
        push(&b, &f);
    out->n = b.n;
    out->f = b.f;
}

void sym_stack_free(struct sym_stack *st)
{
    free(st->f);
    st->f = NULL;
    st->n = 0;
}
