/* HEAPCHECK_OPTIONS parsing (see options.h).  key=value entries separated by ':' or
 * ','.  Strings are copied into static storage; nothing allocates, nothing crashes. */
#define _GNU_SOURCE
#include "internal.h"
#include "options.h"
#include "fmt.h"
#include "os.h"
#include "optvalue.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct options options;

#define PATH_MAX_LEN 1024

enum opt_type { T_SIZE, T_UINT, T_BOOL, T_PATH, T_PRESET, T_LEVEL, T_KINDS, T_LIST };

static const struct opt_desc {
    const char *name;
    enum opt_type type;
    const char *def;
    size_t offset;
} table[] = {
#define OPT(name, type, def, help) {#name, T_##type, def, offsetof(struct options, name)},
#include "options.def"
#undef OPT
};
#define NOPTS (sizeof table / sizeof table[0])

static char path_store[NOPTS][PATH_MAX_LEN]; /* one for each option, used by PATH and LIST */

static void *field(size_t i)
{
    return (char *)&options + table[i].offset;
}

static bool eq(const char *a, size_t n, const char *b)
{
    return strlen(b) == n && memcmp(a, b, n) == 0;
}

static bool parse_uint(const char *s, size_t n, unsigned long long *out, bool suffixes)
{
    if (n == 0)
        return false;
    unsigned long long v = 0;
    size_t i = 0;
    bool hex = n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (hex)
        i = 2;
    for (; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        unsigned long long next = v * (hex ? 16 : 10) + d;
        if (next / (hex ? 16 : 10) != v)
            return false; /* overflow */
        v = next;
    }
    if (i == (hex ? 2 : 0))
        return false;
    if (i < n) {
        if (!suffixes || i + 1 != n)
            return false;
        unsigned shift;
        switch (s[i] | 0x20) {
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        default: return false;
        }
        if (v > (~0ULL >> shift))
            return false;
        v <<= shift;
    }
    *out = v;
    return true;
}

static bool set(size_t i, const char *v, size_t n)
{
    void *dst = field(i);
    unsigned long long u;
    switch (table[i].type) {
    case T_SIZE:
        if (!parse_uint(v, n, &u, true) || u > SIZE_MAX / 2)
            return false;
        *(size_t *)dst = (size_t)u;
        return true;
    case T_UINT:
        if (!parse_uint(v, n, &u, false) || u > 0xffffffffULL)
            return false;
        *(unsigned long *)dst = (unsigned long)u;
        return true;
    case T_BOOL: /* the words of optvalue.h, as the tool's flags take them */
        return hc_bool_parse(v, n, (bool *)dst);
    case T_PATH:
    case T_LIST:
        if (n >= PATH_MAX_LEN)
            return false;
        memcpy(path_store[i], v, n);
        path_store[i][n] = '\0';
        *(const char **)dst = path_store[i];
        return true;
    case T_LEVEL: {
        int level;
        if (!hc_level_parse(v, n, &level))
            return false;
        *(enum level *)dst = (enum level)level;
        return true;
    }
    case T_KINDS:
        return hc_kinds_parse(v, n, (unsigned *)dst);
    case T_PRESET:
        if (eq(v, n, "full"))
            *(enum preset *)dst = PRESET_FULL;
        else if (eq(v, n, "hardened"))
            *(enum preset *)dst = PRESET_HARDENED;
        else if (eq(v, n, "none"))
            *(enum preset *)dst = PRESET_NONE;
        else
            return false;
        return true;
    }
    return false;
}

static void set_defaults(void)
{
    for (size_t i = 0; i < NOPTS; i++) {
        bool ok = set(i, table[i].def, strlen(table[i].def));
        HC_ASSERT(ok);
    }
}

static const char *type_word(enum opt_type t)
{
    static const char *const words[] = {"a size (like 64k or 16m)", "a whole number", "0 or 1",
                                        "a path", "full, hardened or none", "off, summary or full",
                                        "leak kinds separated by , or + (definite, indirect, possible, reachable, all, none)",
                                        "patterns separated by ,"};
    return words[t];
}

static void complain(options_warn_fn *warn, const char *what, const char *s, size_t n,
                     const struct opt_desc *d)
{
    if (!warn)
        return;
    char buf[512];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    fmt_printf(&f, "heapcheck: warning: HEAPCHECK_OPTIONS: %s '", what);
    for (size_t i = 0; i < n && i < 80; i++)
        fmt_printf(&f, "%c", (s[i] >= 32 && s[i] < 127) ? s[i] : '?');
    if (d)
        fmt_printf(&f, "': %s wants %s; using the default %s\n", d->name, type_word(d->type),
                   d->def[0] ? d->def : "(empty)");
    else
        fmt_printf(&f, "' (ignored)\n");
    warn(fmt_text(&f));
}

/* Ranges of numeric options (options.def's OPT_RANGE). */
static const struct opt_range {
    const char *name;
    unsigned long long min, max;
} ranges[] = {
#define OPT(name, type, def, help)
#define OPT_RANGE(name, lo, hi) {#name, lo, hi},
#include "options.def"
#undef OPT_RANGE
#undef OPT
};

/* Option i's value against its range: NULL when fine (or no range), else the range. */
static const struct opt_range *out_of_range(size_t i)
{
    unsigned long long v = table[i].type == T_SIZE ? *(size_t *)field(i)
                         : table[i].type == T_UINT ? *(unsigned long *)field(i) : 0;
    if (table[i].type != T_SIZE && table[i].type != T_UINT)
        return NULL;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        if (strcmp(ranges[r].name, table[i].name) == 0)
            return v < ranges[r].min || v > ranges[r].max ? &ranges[r] : NULL;
    return NULL;
}

static void complain_range(options_warn_fn *warn, const char *v, size_t n, const struct opt_desc *d,
                           const struct opt_range *r)
{
    if (!warn)
        return;
    char buf[512];
    struct fmt f;
    fmt_init(&f, buf, sizeof buf);
    fmt_printf(&f, "heapcheck: warning: HEAPCHECK_OPTIONS: %s=", d->name);
    for (size_t i = 0; i < n && i < 80; i++)
        fmt_printf(&f, "%c", (v[i] >= 32 && v[i] < 127) ? v[i] : '?');
    fmt_printf(&f, " is out of range: %s wants %llu to %llu; using the default %s\n", d->name, r->min, r->max,
               d->def);
    warn(fmt_text(&f));
}

/* An entry without '=' after a list option (KINDS, LIST) is the list's next item, as
 * ',' separates both entries and items: show_leak_kinds=definite,indirect. */
static bool continue_list(size_t i, const char *v, size_t n)
{
    if (table[i].type == T_KINDS) {
        unsigned more;
        if (!hc_kinds_parse(v, n, &more))
            return false;
        *(unsigned *)field(i) |= more;
        return true;
    }
    size_t have = strlen(path_store[i]);
    if (have + 1 + n >= PATH_MAX_LEN)
        return false;
    path_store[i][have] = ',';
    memcpy(path_store[i] + have + 1, v, n);
    path_store[i][have + 1 + n] = '\0';
    *(const char **)field(i) = path_store[i];
    return true;
}

int options_parse(const char *text, options_warn_fn *warn)
{
    int bad = 0;
    const char *p = text;
    size_t list = NOPTS; /* the list option an entry without '=' continues, if any */
    while (p && *p) {
        size_t len = strcspn(p, ":,");
        const char *eqs = memchr(p, '=', len);
        if (len == 0) {
            p++;
            continue;
        }
        if (!eqs && list < NOPTS && p > text && p[-1] == ',') {
            if (!continue_list(list, p, len)) {
                set(list, table[list].def, strlen(table[list].def));
                complain(warn, "bad value", p, len, &table[list]);
                bad++;
                list = NOPTS;
            }
            p += len;
            if (*p)
                p++;
            continue;
        }
        list = NOPTS;
        size_t klen = eqs ? (size_t)(eqs - p) : len;
        size_t i = 0;
        while (i < NOPTS && !eq(p, klen, table[i].name))
            i++;
        if (i == NOPTS) {
            complain(warn, "unknown option", p, klen, NULL);
            bad++;
        } else if (!eqs) {
            complain(warn, "no value for option", p, len, NULL);
            bad++;
        } else {
            const char *v = eqs + 1;
            size_t vlen = len - klen - 1;
            const struct opt_range *r = NULL;
            if (!set(i, v, vlen)) {
                set(i, table[i].def, strlen(table[i].def));
                complain(warn, "bad value", v, vlen, &table[i]);
                bad++;
            } else if ((r = out_of_range(i))) {
                set(i, table[i].def, strlen(table[i].def));
                complain_range(warn, v, vlen, &table[i], r);
                bad++;
            } else if (table[i].type == T_KINDS || table[i].type == T_LIST) {
                list = i;
            }
        }
        p += len;
        if (*p)
            p++;
    }
    return bad;
}

void options_load(options_warn_fn *warn)
{
    set_defaults();
    /* Secure: a setuid program must not let its user pick where logs go.  The first
     * malloc may come from ld.so before libc has set environ (a program with many
     * libraries, a sanitizer runtime's early start); os_secure_getenv covers that. */
    bool too_long;
    const char *text = os_secure_getenv("HEAPCHECK_OPTIONS", &too_long);
    if (too_long)
        warn("HEAPCHECK_OPTIONS is longer than 4095 bytes at start-up; ignored");
    options_parse(text, warn);
}
