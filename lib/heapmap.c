/* The heap map (see heapmap.h).  The core walks its blocks region by region in
 * address order; each block becomes up to three segments (overhead, live payload,
 * overhead: the core's head and foot, the guard header and canaries, the slack) or
 * one (free, quarantined, damaged), and a painter streams the segments into cells,
 * giving each finished cell the state that holds most of its bytes.  O(blocks +
 * cells), no memory beyond the caller's cells. */
#include "internal.h"
#include "arena.h"
#include "heapmap.h"
#include "block.h"
#include "core.h"
#include "fmt.h"
#include "guard.h"
#include "os.h"
#include "ptrset.h"
#include "region.h"
#include "slots.h"

#include <string.h>

static const char letters[MAP_STATES] = {'l', 'o', 'f', 'q', 'd', 'g', 'c', 'u'};
static const char *const state_names[MAP_STATES] = {"live", "overhead", "free", "quarantined",
                                                     "damaged", "guarded", "closed", "unused"};

struct painter {
    struct heapmap *m;
    heapmap_live_fn *on_live;
    void *arg;
    size_t cur;        /* the region being painted */
    struct heapmap_region *reg; /* m->r[cur], or the slots strip */
    uintptr_t pos;     /* painted up to here */
    size_t done;       /* finished cells of the current region */
    size_t acc[MAP_STATES];
};

static void finish_cell(struct painter *p)
{
    struct heapmap_region *r = p->reg;
    int best = 0;
    for (int s = 1; s < MAP_STATES; s++)
        if (p->acc[s] > p->acc[best])
            best = s;
    if (p->done < r->ncells)
        r->cells[p->done++] = letters[best];
    memset(p->acc, 0, sizeof p->acc);
}

/* [lo, hi) of the current region is in state s; segments arrive in address order. */
static void paint(struct painter *p, uintptr_t lo, uintptr_t hi, enum map_state s)
{
    struct heapmap_region *r = p->reg;
    uintptr_t end = r->base + r->size;
    if (hi > end)
        hi = end;
    if (lo < p->pos)
        lo = p->pos;
    if (lo > p->pos)
        paint(p, p->pos, lo, MAP_OVERHEAD); /* a gap: the prologue, say */
    while (lo < hi && p->done < r->ncells) {
        uintptr_t cell_end = r->base + (p->done + 1) * r->cell;
        uintptr_t stop = hi < cell_end ? hi : cell_end;
        p->acc[s] += stop - lo;
        r->bytes[s] += stop - lo;
        lo = stop;
        if (lo == cell_end) {
            finish_cell(p);
            size_t whole = (hi - lo) / r->cell;
            if (whole > r->ncells - p->done)
                whole = r->ncells - p->done;
            memset(r->cells + p->done, letters[s], whole);
            p->done += whole;
            r->bytes[s] += whole * r->cell;
            lo += whole * r->cell;
        }
    }
    p->pos = hi > p->pos ? hi : p->pos;
}

static void finish_region(struct painter *p)
{
    struct heapmap_region *r = p->reg;
    paint(p, p->pos, r->base + r->size, MAP_OVERHEAD); /* the epilogue */
    if (p->done < r->ncells)
        finish_cell(p);
    while (p->done < r->ncells)
        r->cells[p->done++] = letters[MAP_OVERHEAD];
}

static void start_region(struct painter *p, struct heapmap_region *r)
{
    p->reg = r;
    p->pos = r->base;
    p->done = 0;
    memset(p->acc, 0, sizeof p->acc);
}

static void visit(void *payload, size_t usable, bool inuse, void *arg)
{
    struct painter *p = arg;
    struct heapmap *m = p->m;
    uintptr_t lo = (uintptr_t)payload - sizeof(size_t);
    uintptr_t hi = (uintptr_t)payload + usable + sizeof(size_t);
    enum map_state s = MAP_FREE;
    size_t live = 0;
    unsigned char *user = (unsigned char *)payload + GUARD_PREFIX;
    if (inuse) {
        switch (ptrset_get(user)) {
        case PTR_LIVE: {
            uint32_t stack;
            s = MAP_LIVE;
            if (!guard_block_info(user, &live, &stack))
                s = MAP_DAMAGED;
            else if (p->on_live)
                p->on_live(stack, live, p->arg);
            break;
        }
        case PTR_QUARANTINED:
        case PTR_HELD: s = MAP_QUARANTINED; break;
        case PTR_DAMAGED: s = MAP_DAMAGED; break;
        default: s = MAP_OVERHEAD; break; /* not a block the program holds */
        }
    }
    if (core_is_mapped(payload)) {
        m->large_blocks[s]++;
        m->large_bytes[s] += s == MAP_LIVE ? live : hi - lo;
        return;
    }
    while (p->cur < m->nregions && lo >= m->r[p->cur].base + m->r[p->cur].size) {
        finish_region(p);
        if (++p->cur < m->nregions)
            start_region(p, &m->r[p->cur]);
    }
    if (p->cur >= m->nregions || lo < m->r[p->cur].base)
        return; /* a region past those drawn */
    if (s == MAP_LIVE) {
        paint(p, lo, (uintptr_t)user, MAP_OVERHEAD);
        paint(p, (uintptr_t)user, (uintptr_t)user + live, MAP_LIVE);
        paint(p, (uintptr_t)user + live, hi, MAP_OVERHEAD);
    } else {
        paint(p, lo, hi, s);
    }
}

/* A live block in a guarded slot (slots.c): counted as guarded with its requested
 * bytes; the slots strip draws the slot itself. */
static void visit_slot(const void *u, size_t size, uint32_t stack, void *arg)
{
    (void)u;
    struct painter *p = arg;
    p->m->large_blocks[MAP_GUARDED]++;
    p->m->large_bytes[MAP_GUARDED] += size;
    if (p->on_live)
        p->on_live(stack, size, p->arg);
}

/* The regions of every arena in address order: a merge of the arenas' sorted tables.
 * Sets arena_cur to the region's arena. */
struct region_merge {
    size_t at[ARENAS_MAX];
};

static const region_t *next_region(struct region_merge *g)
{
    const region_t *best = NULL;
    unsigned owner = 0;
    for (unsigned a = 0; a < arena_count; a++) {
        const struct region_state *rs = &arenas[a].rg;
        if (g->at[a] < rs->nregions && (!best || rs->regions[g->at[a]].base < best->base)) {
            best = &rs->regions[g->at[a]];
            owner = a;
        }
    }
    if (best) {
        g->at[owner]++;
        arena_cur = &arenas[owner];
    }
    return best;
}

static void ignore_problem(const char *what, const void *where, void *arg)
{
    (void)what, (void)where, (void)arg;
}

/* One slot of the pool (or the never-used rest): its guard page, then its data. */
static void paint_slot(uintptr_t lo, uintptr_t hi, enum slot_view v, void *arg)
{
    struct painter *p = arg;
    if (v == SLOT_VIEW_UNUSED) {
        paint(p, lo, hi, MAP_UNUSED);
        return;
    }
    uintptr_t data = lo + os_page_size();
    paint(p, lo, data, MAP_OVERHEAD);
    paint(p, data, hi, v == SLOT_VIEW_LIVE ? MAP_GUARDED : MAP_CLOSED);
}

static void setup_strip(struct heapmap_region *r, uintptr_t base, size_t size, char *cells)
{
    r->base = base;
    r->size = size;
    r->cell = HC_ALIGN_UP((r->size + HEAPMAP_CELLS - 1) / HEAPMAP_CELLS, BLK_GRAIN);
    r->ncells = (r->size + r->cell - 1) / r->cell;
    r->cells = cells;
}

void heapmap_collect(struct heapmap *m, char *cells, heapmap_live_fn *on_live, void *arg)
{
    memset(m, 0, sizeof *m);
    size_t n = 0;
    for (unsigned a = 0; a < arena_count; a++)
        n += arenas[a].rg.nregions;
    m->nregions = n < HEAPMAP_MAX_REGIONS ? n : HEAPMAP_MAX_REGIONS;
    m->omitted_regions = n - m->nregions;
    struct region_merge g = {{0}};
    for (size_t i = 0; i < m->nregions; i++) {
        const region_t *reg = next_region(&g);
        setup_strip(&m->r[i], (uintptr_t)reg->base, (size_t)(reg->end - reg->base),
                    cells + i * HEAPMAP_CELLS);
    }
    struct painter p = {m, on_live, arg, 0, NULL, 0, 0, {0}};
    if (m->nregions)
        start_region(&p, &m->r[0]);
    /* A damaged heap (the dump after an overrun of a block's header) is not walked:
     * a wrong size could lead the walk anywhere, or round forever.  Its regions stay
     * unpainted. */
    bool damaged = false;
    for (unsigned a = 0; a < arena_count && !damaged; a++) {
        arena_cur = &arenas[a];
        damaged = core_check(ignore_problem, NULL) != 0;
    }
    if (!damaged) {
        struct region_merge walk = {{0}};
        for (const region_t *reg; (reg = next_region(&walk));)
            core_walk_region(reg, visit, &p);
        arena_cur = &arenas[0]; /* every large block is arena 0's */
        core_walk_large(visit, &p);
    }
    slots_walk_live(visit_slot, &p);
    while (p.cur < m->nregions) {
        finish_region(&p);
        if (++p.cur < m->nregions)
            start_region(&p, &m->r[p.cur]);
    }
    if (slots_hi > slots_lo) {
        m->has_slots = true;
        setup_strip(&m->slots, slots_lo, slots_hi - slots_lo, cells + HEAPMAP_MAX_REGIONS * HEAPMAP_CELLS);
        start_region(&p, &m->slots);
        slots_walk_spans(paint_slot, &p);
        finish_region(&p);
    }
}

static void write_strip(const struct heapmap_region *r, const char *kind, struct fmt *out, void (*flush)(void))
{
    fmt_printf(out, "{\"kind\":\"%s\",\"base\":\"%p\",\"size\":%zu,\"cell\":%zu,\"bytes\":{", kind,
               (void *)r->base, r->size, r->cell);
    bool first = true;
    for (int s = 0; s < MAP_STATES; s++) {
        if (!r->bytes[s])
            continue;
        fmt_printf(out, "%s\"%s\":%zu", first ? "" : ",", state_names[s], r->bytes[s]);
        first = false;
    }
    fmt_printf(out, "},\"cells\":\"");
    for (size_t c = 0; c < r->ncells;) {
        size_t run = 1;
        while (c + run < r->ncells && r->cells[c + run] == r->cells[c])
            run++;
        if (run > 1)
            fmt_printf(out, "%zu", run);
        fmt_printf(out, "%c", r->cells[c]);
        c += run;
        flush();
    }
    fmt_printf(out, "\"}");
}

void heapmap_write(const struct heapmap *m, struct fmt *out, void (*flush)(void))
{
    fmt_printf(out, "{\"states\":\"");
    for (int s = 0; s < MAP_STATES; s++)
        fmt_printf(out, "%s%c=%s", s ? "," : "", letters[s], state_names[s]);
    fmt_printf(out, "\",\"regions\":[");
    for (size_t i = 0; i < m->nregions; i++) {
        fmt_printf(out, "%s\n", i ? "," : "");
        write_strip(&m->r[i], "heap", out, flush);
    }
    if (m->has_slots) {
        fmt_printf(out, "%s\n", m->nregions ? "," : "");
        write_strip(&m->slots, "slots", out, flush);
    }
    fmt_printf(out, "],\"omitted_regions\":%zu,\"large\":{", m->omitted_regions);
    for (int s = 0; s < MAP_LARGE_STATES; s++)
        fmt_printf(out, "%s\"%s\":{\"blocks\":%zu,\"bytes\":%zu}", s ? "," : "", state_names[s],
                   m->large_blocks[s], m->large_bytes[s]);
    fmt_printf(out, "}}");
}
