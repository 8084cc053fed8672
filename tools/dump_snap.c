/* The parts of a dump that format version 2 added (docs/dump-format.md): the kind
 * (exit or snapshot), a snapshot's trigger, sequence number and time, its live blocks
 * grouped by stack, the heap statistics and the heap map.  Optional in an exit dump
 * (a version 1 dump has none); each is checked as strictly as the rest, with a
 * message naming the file and the key. */
#include "config.h"

#include "dump.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct v2 {
    struct hc_dump *d;
    char *err;
    size_t errlen;
};

static bool fail(struct v2 *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(struct v2 *c, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dump_error(c->err, c->errlen, c->d->file, where, fmt, ap);
    va_end(ap);
    return false;
}

/* A whole number >= 0 at OBJ.KEY (WHERE names OBJ); absent is an error. */
static bool count(struct v2 *c, json_t *obj, const char *where, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    char at[160];
    snprintf(at, sizeof at, "%s%s%s", where, *where ? "." : "", key);
    if (!v)
        return fail(c, at, "missing");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return fail(c, at, "expected a whole number of at least 0");
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static bool parse_addr(const char *s, uint64_t *out)
{
    if (s[0] != '0' || s[1] != 'x' || !s[2] || strlen(s) > 18)
        return false;
    char *end;
    *out = strtoull(s + 2, &end, 16);
    return *end == '\0';
}

static bool load_live(struct v2 *c, json_t *arr)
{
    struct hc_dump *d = c->d;
    if (!json_is_array(arr))
        return fail(c, "live", "expected an array");
    d->nlive = json_array_size(arr);
    d->live = xcalloc(d->nlive, sizeof *d->live);
    for (size_t i = 0; i < d->nlive; i++) {
        char at[64];
        snprintf(at, sizeof at, "live[%zu]", i);
        json_t *e = json_array_get(arr, i);
        struct hc_live *l = &d->live[i];
        if (!json_is_object(e))
            return fail(c, at, "expected an object");
        if (!count(c, e, at, "stack", &l->stack) || !count(c, e, at, "blocks", &l->blocks) ||
            !count(c, e, at, "bytes", &l->bytes))
            return false;
        if (l->stack && !dump_stack(d, l->stack))
            return fail(c, at, "stack %" PRIu64 " is not in \"stacks\"", l->stack);
    }
    return true;
}

static bool load_stats(struct v2 *c, json_t *o)
{
    struct hc_stats_rec *s = &c->d->stats;
    if (!json_is_object(o))
        return fail(c, "stats", "expected an object");
    c->d->has_stats = true;
    return count(c, o, "stats", "live_bytes", &s->live_bytes) &&
           count(c, o, "stats", "live_blocks", &s->live_blocks) &&
           count(c, o, "stats", "heap_bytes", &s->heap_bytes) &&
           count(c, o, "stats", "mapped_bytes", &s->mapped_bytes) &&
           count(c, o, "stats", "free_bytes", &s->free_bytes) &&
           count(c, o, "stats", "free_blocks", &s->free_blocks) &&
           count(c, o, "stats", "largest_free", &s->largest_free) &&
           count(c, o, "stats", "quarantine_bytes", &s->quarantine_bytes) &&
           count(c, o, "stats", "quarantine_blocks", &s->quarantine_blocks);
}

/* "12l3fq": runs of state letters, a count before a letter repeating it. */
static bool expand_cells(struct v2 *c, const char *at, const char *rle, struct hc_map_region *r)
{
    r->cells = xmalloc(r->ncells + 1);
    size_t n = 0;
    for (const char *p = rle; *p;) {
        uint64_t run = 1;
        if (*p >= '0' && *p <= '9') {
            run = 0;
            while (*p >= '0' && *p <= '9' && run <= r->ncells)
                run = run * 10 + (uint64_t)(*p++ - '0');
        }
        if (!*p || !strchr(HC_MAP_STATES, *p))
            return fail(c, at, "\"cells\" holds something other than runs of the letters %s",
                        HC_MAP_STATES);
        if (run > r->ncells - n)
            return fail(c, at, "\"cells\" has more cells than size / cell (%zu)", r->ncells);
        memset(r->cells + n, *p++, run);
        n += run;
    }
    if (n != r->ncells)
        return fail(c, at, "\"cells\" has %zu cells, size / cell says %zu", n, r->ncells);
    r->cells[n] = '\0';
    return true;
}

static bool load_map(struct v2 *c, json_t *o)
{
    struct hc_dump *d = c->d;
    static const char *const names[6] = {"live", "overhead", "free", "quarantined", "damaged",
                                         "guarded"};
    if (!json_is_object(o))
        return fail(c, "heap_map", "expected an object");
    json_t *regions = json_object_get(o, "regions");
    if (!json_is_array(regions))
        return fail(c, "heap_map.regions", "expected an array");
    d->has_map = true;
    d->nregions = json_array_size(regions);
    d->regions = xcalloc(d->nregions, sizeof *d->regions);
    for (size_t i = 0; i < d->nregions; i++) {
        char at[64];
        snprintf(at, sizeof at, "heap_map.regions[%zu]", i);
        json_t *e = json_array_get(regions, i);
        struct hc_map_region *r = &d->regions[i];
        if (!json_is_object(e))
            return fail(c, at, "expected an object");
        json_t *base = json_object_get(e, "base"), *cells = json_object_get(e, "cells");
        json_t *kind = json_object_get(e, "kind"); /* absent: a heap region */
        if (kind && (!json_is_string(kind) || (strcmp(json_string_value(kind), "heap") != 0 &&
                                               strcmp(json_string_value(kind), "slots") != 0)))
            return fail(c, at, "\"kind\" must be \"heap\" or \"slots\"");
        r->slots = kind && strcmp(json_string_value(kind), "slots") == 0;
        if (!json_is_string(base) || !parse_addr(json_string_value(base), &r->base))
            return fail(c, at, "\"base\" is not an address like \"0x1234\"");
        if (!count(c, e, at, "size", &r->size) || !count(c, e, at, "cell", &r->cell))
            return false;
        if (r->cell == 0 || r->size == 0 || r->size / r->cell > (1u << 20))
            return fail(c, at, "\"size\" and \"cell\" must be positive, at most 2^20 cells");
        r->ncells = (size_t)((r->size + r->cell - 1) / r->cell);
        if (!json_is_string(cells))
            return fail(c, at, "\"cells\" is not a string");
        if (!expand_cells(c, at, json_string_value(cells), r))
            return false;
    }
    json_t *omitted = json_object_get(o, "omitted_regions");
    if (omitted && !count(c, o, "heap_map", "omitted_regions", &d->omitted_regions))
        return false;
    json_t *large = json_object_get(o, "large");
    if (large) {
        if (!json_is_object(large))
            return fail(c, "heap_map.large", "expected an object");
        for (int s = 0; s < 6; s++) {
            json_t *v = json_object_get(large, names[s]);
            char at[64];
            snprintf(at, sizeof at, "heap_map.large.%s", names[s]);
            if (v && (!json_is_object(v) || !count(c, v, at, "bytes", &d->large[s].bytes) ||
                      !count(c, v, at, "blocks", &d->large[s].blocks)))
                return json_is_object(v) ? false : fail(c, at, "expected an object");
        }
    }
    return true;
}

bool dump_load_v2(void *root_, struct hc_dump *d, char *err, size_t errlen)
{
    json_t *root = root_;
    struct v2 c = {d, err, errlen};
    json_t *kind = json_object_get(root, "kind");
    d->kind = DUMP_EXIT;
    if (kind) {
        if (!json_is_string(kind) || (strcmp(json_string_value(kind), "exit") != 0 &&
                                      strcmp(json_string_value(kind), "snapshot") != 0))
            return fail(&c, "kind", "expected \"exit\" or \"snapshot\"");
        if (strcmp(json_string_value(kind), "snapshot") == 0)
            d->kind = DUMP_SNAPSHOT;
    }
    if (d->kind == DUMP_SNAPSHOT) {
        json_t *trigger = json_object_get(root, "trigger");
        if (!json_is_string(trigger))
            return fail(&c, "trigger", "a snapshot needs a \"trigger\" string");
        d->trigger = xstrdup(json_string_value(trigger));
        for (char *p = d->trigger; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == '<' || *p == '&')
                *p = '?';
        if (!count(&c, root, "", "seq", &d->seq) || !count(&c, root, "", "time_ms", &d->time_ms))
            return false;
        json_t *live = json_object_get(root, "live");
        if (!live)
            return fail(&c, "live", "a snapshot needs its \"live\" blocks");
        if (!load_live(&c, live))
            return false;
    }
    json_t *stats = json_object_get(root, "stats");
    if (stats && !load_stats(&c, stats))
        return false;
    json_t *map = json_object_get(root, "heap_map");
    return !map || load_map(&c, map);
}

void dump_free_v2(struct hc_dump *d)
{
    for (size_t i = 0; i < d->nregions; i++)
        free(d->regions[i].cells);
    free(d->regions);
    free(d->live);
    free(d->trigger);
}
