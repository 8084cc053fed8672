/* The dump loader: parse with jansson, then check each field the tool uses and copy it
 * into the structs of dump.h.  Unknown keys are ignored; a newer format version, a
 * missing or mistyped field, or a dangling stack id is an error naming its place. */
#include "config.h"

#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
    const char *name;
    char *err;
    size_t errlen;
};

static bool fail(struct ctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void dump_error(char *err, size_t errlen, const char *file, const char *where, const char *fmt,
                va_list ap)
{
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (where && *where)
        snprintf(err, errlen, "%s: at %s: %s", file, where, msg);
    else
        snprintf(err, errlen, "%s: %s", file, msg);
}

static bool fail(struct ctx *c, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dump_error(c->err, c->errlen, c->name, where, fmt, ap);
    va_end(ap);
    return false;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "a whole number";
    case JSON_REAL: return "a fractional number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

/* "errors[3]" + "kind" -> "errors[3].kind" */
static void join(char *out, size_t n, const char *prefix, const char *key)
{
    if (prefix && *prefix)
        snprintf(out, n, "%s.%s", prefix, key);
    else
        snprintf(out, n, "%s", key);
}

/* A copy with control characters replaced, so a hostile dump cannot drive the
 * terminal the report is printed on. */
static char *dup_clean(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return d;
}

static json_t *member(struct ctx *c, json_t *obj, const char *prefix, const char *key,
                      bool required, bool *ok)
{
    json_t *v = json_object_get(obj, key);
    if (!v && required) {
        char where[128];
        join(where, sizeof where, prefix, key);
        *ok = fail(c, NULL, "missing key \"%s\"", where);
    }
    return v;
}

static bool want_type(struct ctx *c, json_t *v, const char *prefix, const char *key,
                      json_type type, const char *what)
{
    if (json_typeof(v) == type)
        return true;
    char where[128];
    join(where, sizeof where, prefix, key);
    return fail(c, where, "expected %s, found %s", what, type_name(v));
}

static bool get_string(struct ctx *c, json_t *obj, const char *prefix, const char *key,
                       bool required, char **out)
{
    bool ok = true;
    json_t *v = member(c, obj, prefix, key, required, &ok);
    if (!v) {
        if (ok)
            *out = xstrdup("");
        return ok;
    }
    if (!want_type(c, v, prefix, key, JSON_STRING, "a string"))
        return false;
    *out = dup_clean(json_string_value(v));
    return true;
}

static bool get_int(struct ctx *c, json_t *obj, const char *prefix, const char *key,
                    bool required, int64_t min, int64_t *out)
{
    bool ok = true;
    json_t *v = member(c, obj, prefix, key, required, &ok);
    if (!v) {
        if (ok)
            *out = 0;
        return ok;
    }
    if (!want_type(c, v, prefix, key, JSON_INTEGER, "a whole number"))
        return false;
    json_int_t i = json_integer_value(v);
    if (i < min) {
        char where[128];
        join(where, sizeof where, prefix, key);
        return fail(c, where, "%lld is out of range (at least %" PRId64 ")", (long long)i,
                    min);
    }
    *out = (int64_t)i;
    return true;
}

static bool get_uint(struct ctx *c, json_t *obj, const char *prefix, const char *key,
                     bool required, uint64_t *out)
{
    int64_t v;
    if (!get_int(c, obj, prefix, key, required, 0, &v))
        return false;
    *out = (uint64_t)v;
    return true;
}

/* "0x" and 1 to 16 hex digits. */
static bool parse_addr(const char *s, uint64_t *out)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return false;
    uint64_t v = 0;
    size_t n = 0;
    for (const char *p = s + 2; *p; p++, n++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return false;
        if (n >= 16)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return true;
}

static bool addr_value(struct ctx *c, json_t *v, const char *where, uint64_t *out)
{
    if (!json_is_string(v))
        return fail(c, where, "expected an address string like \"0x1234\", found %s",
                    type_name(v));
    if (!parse_addr(json_string_value(v), out))
        return fail(c, where, "\"%.40s\" is not an address like \"0x1234\"",
                    json_string_value(v));
    return true;
}

/* An address, or null when NULLABLE (then *has is set to false). */
static bool get_addr(struct ctx *c, json_t *obj, const char *prefix, const char *key,
                     bool nullable, bool *has, uint64_t *out)
{
    bool ok = true;
    json_t *v = member(c, obj, prefix, key, !nullable, &ok);
    *out = 0;
    if (has)
        *has = false;
    if (!ok)
        return false;
    if (!v || (nullable && json_is_null(v)))
        return true;
    char where[128];
    join(where, sizeof where, prefix, key);
    if (!addr_value(c, v, where, out))
        return false;
    if (has)
        *has = true;
    return true;
}

static bool load_modules(struct ctx *c, json_t *arr, struct hc_dump *d)
{
    d->nmodules = json_array_size(arr);
    d->modules = xcalloc(d->nmodules, sizeof *d->modules);
    for (size_t i = 0; i < d->nmodules; i++) {
        char at[64];
        snprintf(at, sizeof at, "modules[%zu]", i);
        json_t *m = json_array_get(arr, i);
        struct hc_module *mod = &d->modules[i];
        if (!json_is_object(m))
            return fail(c, at, "expected an object, found %s", type_name(m));
        if (!get_string(c, m, at, "path", true, &mod->path) ||
            !get_addr(c, m, at, "base", false, NULL, &mod->base) ||
            !get_string(c, m, at, "build_id", false, &mod->build_id))
            return false;
    }
    return true;
}

static int cmp_stack(const void *a, const void *b)
{
    const struct hc_stack *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static bool load_stacks(struct ctx *c, json_t *obj, struct hc_dump *d)
{
    d->nstacks = json_object_size(obj);
    d->stacks = xcalloc(d->nstacks, sizeof *d->stacks);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char at[64];
        snprintf(at, sizeof at, "stacks[\"%.20s\"]", key);
        struct hc_stack *s = &d->stacks[i++];
        uint64_t id = 0;
        if (!*key)
            return fail(c, at, "a stack id must be a decimal number");
        for (const char *p = key; *p; p++) {
            if (*p < '0' || *p > '9')
                return fail(c, at, "a stack id must be a decimal number");
            uint64_t digit = (uint64_t)(*p - '0');
            if (id > (UINT64_MAX - digit) / 10)
                return fail(c, at, "stack id too large");
            id = id * 10 + digit;
        }
        s->id = id;
        if (!json_is_array(v))
            return fail(c, at, "expected an array of addresses, found %s", type_name(v));
        s->nframes = json_array_size(v);
        s->frames = xcalloc(s->nframes, sizeof *s->frames);
        for (size_t f = 0; f < s->nframes; f++) {
            char where[96];
            snprintf(where, sizeof where, "%s[%zu]", at, f);
            if (!addr_value(c, json_array_get(v, f), where, &s->frames[f]))
                return false;
        }
    }
    qsort(d->stacks, d->nstacks, sizeof *d->stacks, cmp_stack);
    for (i = 1; i < d->nstacks; i++)
        if (d->stacks[i].id == d->stacks[i - 1].id)
            return fail(c, "stacks", "stack id %" PRIu64 " appears twice", d->stacks[i].id);
    return true;
}

const struct hc_stack *dump_stack(const struct hc_dump *d, uint64_t id)
{
    if (id == 0)
        return NULL;
    size_t lo = 0, hi = d->nstacks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->stacks[mid].id == id)
            return &d->stacks[mid];
        if (d->stacks[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool check_stack_ref(struct ctx *c, const struct hc_dump *d, const char *at,
                            const char *key, uint64_t id)
{
    if (id == 0 || dump_stack(d, id))
        return true;
    char where[128];
    join(where, sizeof where, at, key);
    return fail(c, where, "stack %" PRIu64 " is not in \"stacks\"", id);
}

/* An optional true/false. */
static bool get_bool(struct ctx *c, json_t *obj, const char *prefix, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    *out = false;
    if (!v)
        return true;
    if (!want_type(c, v, prefix, key, json_is_true(v) ? JSON_TRUE : JSON_FALSE, "true or false"))
        return false;
    *out = json_is_true(v);
    return true;
}

/* Version 3's fields of one error, all optional (docs/dump-format.md). */
static bool load_error_v3(struct ctx *c, json_t *e, const char *at, struct hc_dump *d,
                          struct hc_error *r)
{
    json_t *cause = json_object_get(e, "cause");
    int64_t th[3];
    if (!get_string(c, e, at, "alloc_family", false, &r->alloc_family) ||
        !get_string(c, e, at, "release_family", false, &r->release_family) ||
        !get_bool(c, e, at, "freed", &r->freed) ||
        (cause && !json_is_null(cause) && !get_string(c, e, at, "cause", false, &r->cause)) ||
        !get_int(c, e, at, "op_thread", false, -1, &th[0]) ||
        !get_int(c, e, at, "alloc_thread", false, -1, &th[1]) ||
        !get_int(c, e, at, "free_thread", false, -1, &th[2]) ||
        !get_string(c, e, at, "op_thread_name", false, &r->op_thread_name) ||
        !get_string(c, e, at, "alloc_thread_name", false, &r->alloc_thread_name) ||
        !get_string(c, e, at, "free_thread_name", false, &r->free_thread_name))
        return false;
    if (!json_object_get(e, "freed")) /* versions 1 and 2: a free stack says it */
        r->freed = r->free_stack != 0;
    /* Absent (older dumps): unknown. */
    r->op_thread = json_object_get(e, "op_thread") && th[0] <= INT32_MAX ? (int)th[0] : -1;
    r->alloc_thread = json_object_get(e, "alloc_thread") && th[1] <= INT32_MAX ? (int)th[1] : -1;
    r->free_thread = json_object_get(e, "free_thread") && th[2] <= INT32_MAX ? (int)th[2] : -1;
    json_t *prev = json_object_get(e, "prev");
    if (!prev || json_is_null(prev))
        return true;
    char where[96];
    snprintf(where, sizeof where, "%s.prev", at);
    if (!want_type(c, prev, at, "prev", JSON_OBJECT, "an object or null"))
        return false;
    r->has_prev = true;
    return get_addr(c, prev, where, "block", false, NULL, &r->prev_block) &&
           get_uint(c, prev, where, "size", true, &r->prev_size) &&
           get_uint(c, prev, where, "changed", false, &r->prev_changed) &&
           get_uint(c, prev, where, "stack", true, &r->prev_stack) &&
           check_stack_ref(c, d, where, "stack", r->prev_stack);
}

static bool load_errors(struct ctx *c, json_t *arr, struct hc_dump *d)
{
    d->nerrors = json_array_size(arr);
    d->errors = xcalloc(d->nerrors, sizeof *d->errors);
    for (size_t i = 0; i < d->nerrors; i++) {
        char at[64];
        snprintf(at, sizeof at, "errors[%zu]", i);
        json_t *e = json_array_get(arr, i);
        struct hc_error *r = &d->errors[i];
        if (!json_is_object(e))
            return fail(c, at, "expected an object, found %s", type_name(e));
        int64_t size = 0;
        bool ok = true;
        json_t *sz = member(c, e, at, "size", false, &ok);
        if (!get_string(c, e, at, "kind", true, &r->kind) ||
            !get_addr(c, e, at, "address", false, NULL, &r->address) ||
            !get_addr(c, e, at, "block", true, &r->has_block, &r->block) ||
            (sz && !json_is_null(sz) && !get_int(c, e, at, "size", false, 0, &size)) ||
            !get_int(c, e, at, "offset", false, INT64_MIN, &r->offset) ||
            !get_uint(c, e, at, "changed", false, &r->changed) ||
            !get_string(c, e, at, "op", false, &r->op) ||
            !get_uint(c, e, at, "op_stack", true, &r->op_stack) ||
            !get_uint(c, e, at, "alloc_stack", true, &r->alloc_stack) ||
            !get_uint(c, e, at, "free_stack", true, &r->free_stack) ||
            !get_string(c, e, at, "detail", false, &r->detail))
            return false;
        r->has_size = sz && !json_is_null(sz);
        r->size = (uint64_t)size;
        if (!load_error_v3(c, e, at, d, r))
            return false;
        if (!check_stack_ref(c, d, at, "op_stack", r->op_stack) ||
            !check_stack_ref(c, d, at, "alloc_stack", r->alloc_stack) ||
            !check_stack_ref(c, d, at, "free_stack", r->free_stack))
            return false;
    }
    return true;
}

static bool load_leaks(struct ctx *c, json_t *arr, struct hc_dump *d)
{
    d->nleaks = json_array_size(arr);
    d->leaks = xcalloc(d->nleaks, sizeof *d->leaks);
    for (size_t i = 0; i < d->nleaks; i++) {
        char at[64];
        snprintf(at, sizeof at, "leaks[%zu]", i);
        json_t *e = json_array_get(arr, i);
        struct hc_leak *r = &d->leaks[i];
        if (!json_is_object(e))
            return fail(c, at, "expected an object, found %s", type_name(e));
        char *kind = NULL;
        if (!get_string(c, e, at, "kind", true, &kind))
            return false;
        int k = leak_kind_parse(kind, strlen(kind));
        if (k < 0 || strcmp(kind, leak_kind_dump_name((enum leak_kind)k)) != 0) {
            fail(c, at, "unknown leak kind \"%.40s\"", kind);
            free(kind);
            return false;
        }
        free(kind);
        r->kind = (enum leak_kind)k;
        if (!get_uint(c, e, at, "stack", true, &r->stack) ||
            !get_uint(c, e, at, "blocks", true, &r->blocks) ||
            !get_uint(c, e, at, "bytes", true, &r->bytes) ||
            !get_uint(c, e, at, "indirect_bytes", false, &r->indirect_bytes) ||
            !check_stack_ref(c, d, at, "stack", r->stack))
            return false;
    }
    return true;
}

static bool load_count(struct ctx *c, json_t *summary, const char *key, bool required,
                       struct hc_count *out)
{
    bool ok = true;
    json_t *v = member(c, summary, "summary", key, required, &ok);
    if (!v)
        return ok;
    char at[64];
    snprintf(at, sizeof at, "summary.%s", key);
    if (!json_is_object(v))
        return fail(c, at, "expected an object, found %s", type_name(v));
    return get_uint(c, v, at, "bytes", true, &out->bytes) &&
           get_uint(c, v, at, "blocks", true, &out->blocks);
}

static bool load_top(struct ctx *c, json_t *root, struct hc_dump *d)
{
    bool ok = true;
    if (!json_is_object(root))
        return fail(c, NULL, "not a heapcheck dump: the top level is %s, not an object",
                    type_name(root));
    json_t *fmt = json_object_get(root, "format");
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "heapcheck-dump") != 0)
        return fail(c, NULL, "not a heapcheck dump: \"format\" is not \"heapcheck-dump\"");
    json_t *ver = member(c, root, "", "version", true, &ok);
    if (!ver)
        return false;
    if (!json_is_integer(ver) || json_integer_value(ver) < 1)
        return fail(c, "version", "expected a version number (1 to 3), found %s",
                    json_is_integer(ver) ? "a number below 1" : type_name(ver));
    if (json_integer_value(ver) > HC_DUMP_VERSION)
        return fail(c, NULL,
                    "written by a newer heapcheck: dump format version %lld, this heapcheck "
                    "reads version %d; upgrade the heapcheck tool",
                    (long long)json_integer_value(ver), HC_DUMP_VERSION);

    int64_t pid, ppid;
    if (!get_int(c, root, "", "pid", true, 1, &pid) ||
        !get_int(c, root, "", "ppid", false, 0, &ppid) ||
        !get_string(c, root, "", "exe", true, &d->exe) ||
        !get_string(c, root, "", "leak_check", true, &d->leak_check) ||
        !get_string(c, root, "", "end", false, &d->end))
        return false;
    if (pid > INT32_MAX || ppid > INT32_MAX)
        return fail(c, pid > INT32_MAX ? "pid" : "ppid", "not a process id");
    d->pid = (long)pid;
    d->ppid = (long)ppid;
    if (strcmp(d->leak_check, "off") != 0 && strcmp(d->leak_check, "summary") != 0 &&
        strcmp(d->leak_check, "full") != 0)
        return fail(c, "leak_check", "expected \"off\", \"summary\" or \"full\", found \"%.40s\"",
                    d->leak_check);

    json_t *modules = member(c, root, "", "modules", true, &ok);
    json_t *stacks = ok ? member(c, root, "", "stacks", true, &ok) : NULL;
    json_t *errors = ok ? member(c, root, "", "errors", true, &ok) : NULL;
    json_t *leaks = ok ? member(c, root, "", "leaks", true, &ok) : NULL;
    json_t *summary = ok ? member(c, root, "", "summary", true, &ok) : NULL;
    if (!ok)
        return false;
    if (!want_type(c, modules, "", "modules", JSON_ARRAY, "an array") ||
        !want_type(c, stacks, "", "stacks", JSON_OBJECT, "an object") ||
        !want_type(c, errors, "", "errors", JSON_ARRAY, "an array") ||
        !want_type(c, leaks, "", "leaks", JSON_ARRAY, "an array") ||
        !want_type(c, summary, "", "summary", JSON_OBJECT, "an object"))
        return false;
    if (!load_modules(c, modules, d) || !load_stacks(c, stacks, d) ||
        !load_errors(c, errors, d) || !load_leaks(c, leaks, d))
        return false;

    json_t *total = json_object_get(root, "errors_total");
    if (total) {
        if (!get_uint(c, root, "", "errors_total", true, &d->errors_total))
            return false;
        if (d->errors_total < d->nerrors)
            return fail(c, "errors_total", "%" PRIu64 " is less than the %zu errors listed",
                        d->errors_total, d->nerrors);
    } else {
        d->errors_total = d->nerrors;
    }
    for (int k = 0; k < LK_COUNT; k++)
        if (!load_count(c, summary, leak_kind_dump_name((enum leak_kind)k), true,
                        &d->summary[k]))
            return false;
    return load_count(c, summary, "suppressed", false, &d->suppressed) &&
           dump_load_v2(root, d, c->err, c->errlen);
}

struct hc_dump *dump_load_buffer(const char *data, size_t len, const char *name, char *err,
                                 size_t errlen)
{
    struct ctx c = {name, err, errlen};
    if (len == 0) {
        fail(&c, NULL, "empty file (was the process killed while writing it?)");
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        bool at_end = je.position >= 0 && (size_t)je.position >= len;
        snprintf(err, errlen, "%s: line %d, column %d (byte %d): %s%s", name, je.line,
                 je.column, je.position, je.text,
                 at_end ? " (the dump is truncated: was the process killed while writing it?)"
                        : "");
        return NULL;
    }
    struct hc_dump *d = xcalloc(1, sizeof *d);
    d->file = xstrdup(name);
    bool ok = load_top(&c, root, d);
    json_decref(root);
    if (!ok) {
        dump_free(d);
        return NULL;
    }
    return d;
}

size_t dump_max_bytes = DUMP_MAX_DEFAULT;

struct hc_dump *dump_load_file(const char *file, char *err, size_t errlen)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", file, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    bool too_big = false;
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len > dump_max_bytes) {
            too_big = true;
            break;
        }
        if (len == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap, 1);
        }
    }
    bool bad = ferror(f);
    int e = errno;
    fclose(f);
    struct hc_dump *d = NULL;
    if (bad)
        snprintf(err, errlen, "%s: cannot read: %s", file, strerror(e));
    else if (too_big)
        snprintf(err, errlen, "%s: larger than the limit of %zu bytes; not a heapcheck dump? "
                 "(--max-dump-size=BYTES raises the limit)", file, dump_max_bytes);
    else
        d = dump_load_buffer(buf, len, file, err, errlen);
    free(buf);
    return d;
}

void dump_free(struct hc_dump *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nmodules; i++) {
        free(d->modules[i].path);
        free(d->modules[i].build_id);
    }
    for (size_t i = 0; i < d->nstacks; i++)
        free(d->stacks[i].frames);
    for (size_t i = 0; i < d->nerrors; i++) {
        free(d->errors[i].kind);
        free(d->errors[i].op);
        free(d->errors[i].detail);
        free(d->errors[i].alloc_family);
        free(d->errors[i].release_family);
        free(d->errors[i].cause);
        free(d->errors[i].op_thread_name);
        free(d->errors[i].alloc_thread_name);
        free(d->errors[i].free_thread_name);
    }
    free(d->modules);
    free(d->stacks);
    free(d->errors);
    free(d->leaks);
    free(d->file);
    free(d->exe);
    free(d->leak_check);
    free(d->end);
    dump_free_v2(d);
    free(d);
}
