/* Heap regions (see region.h).  Owns the region table, which is static: it never
 * lives in the heap it describes.  Called with the current arena's lock held; never allocates.
 * The table is kept sorted by address, so finding the region of an address (on every
 * free that merges) is a binary search, however many regions a heap that cannot use
 * sbrk has (under Valgrind, whose break is small, a 3 GiB heap had 700). */
#include "internal.h"
#include "region.h"
#include "core.h"
#include "os.h"
#include "vg.h"
#include "arena.h"

#define RG (arena_cur->rg)
#define MAPPED_REGION_MIN ((size_t)4 << 20)


/* A new entry for a region at base, in address order; NULL when the table is full.
 * Entries after it move up one place, the brk region's pointer with them. */
static region_t *add_region(unsigned char *base)
{
    if (RG.nregions == MAX_REGIONS)
        return NULL;
    size_t i = RG.nregions;
    while (i > 0 && RG.regions[i - 1].base > base) {
        RG.regions[i] = RG.regions[i - 1];
        if (RG.brk_region == &RG.regions[i - 1])
            RG.brk_region = &RG.regions[i];
        i--;
    }
    RG.nregions++;
    RG.regions[i].base = base;
    return &RG.regions[i];
}

static void frame(unsigned char *base, unsigned char *end)
{
    *(size_t *)base = BLK_INUSE;                       /* prologue foot */
    *(size_t *)(end - sizeof(size_t)) = BLK_INUSE;     /* epilogue head */
}

static block_t *grow_brk(size_t size, size_t page)
{
    unsigned char *now = os_brk_now();
    if (RG.brk_region && now == RG.brk_region->end) {
        /* Contiguous: the old epilogue becomes the head of the new block. */
        size_t len = HC_ALIGN_UP(size + core_config.top_pad, page);
        if (!os_sbrk((intptr_t)len))
            return NULL;
        block_t *b = RG.brk_region->end - sizeof(size_t);
        RG.brk_region->end += len;
        frame(RG.brk_region->base, RG.brk_region->end);
        blk_set(b, len, 0);
        vg_noaccess(b + sizeof(size_t), len);
        return b;
    }
    if (RG.nregions == MAX_REGIONS)
        return NULL;
    /* A new sbrk region: align the break first. */
    size_t pad = (size_t)(-(uintptr_t)now & 15);
    size_t len = HC_ALIGN_UP(size + 2 * sizeof(size_t) + core_config.top_pad, page);
    unsigned char *base = os_sbrk((intptr_t)(pad + len));
    if (!base)
        return NULL;
    base += pad;
    region_t *r = add_region(base);
    r->end = base + len;
    r->from_sbrk = true;
    RG.brk_region = r;
    frame(r->base, r->end);
    block_t *b = base + sizeof(size_t);
    blk_set(b, len - 2 * sizeof(size_t), 0);
    vg_noaccess(r->base, len); /* heap memory is the program's only inside live blocks */
    return b;
}

/* len bytes for a region of the current arena (len rounded up as needed).  Arena 0's
 * may lie anywhere; another arena's is aligned to whole granules and recorded in the
 * granule map (arena.h), so a free from any thread finds its arena. */
static unsigned char *map_region(size_t *len)
{
    unsigned id = arena_cur->id;
    if (id == 0)
        return os_map(*len);
    size_t want = HC_ALIGN_UP(*len, ARENA_GRANULE);
    if (want < *len)
        return NULL;
    unsigned char *raw = os_map(want + ARENA_GRANULE);
    if (!raw)
        return NULL;
    unsigned char *base = (unsigned char *)HC_ALIGN_UP((uintptr_t)raw, ARENA_GRANULE);
    if (base > raw)
        os_unmap(raw, (size_t)(base - raw));
    if (raw + want + ARENA_GRANULE > base + want)
        os_unmap(base + want, (size_t)(raw + want + ARENA_GRANULE - (base + want)));
    if (!arena_map_set(base, want, id)) {
        os_unmap(base, want);
        return NULL;
    }
    *len = want;
    return base;
}

static void unmap_region(unsigned char *base, size_t len)
{
    if (arena_cur->id != 0)
        arena_map_set(base, len, 0); /* forgotten before the address can be reused */
    os_unmap(base, len);
}

static block_t *grow_mapped(size_t size, size_t page)
{
    if (RG.nregions == MAX_REGIONS)
        return NULL;
    size_t len = size + 2 * sizeof(size_t);
    if (len < size)
        return NULL;
    /* Regions grow with the heap (half of what is mapped already), so a heap of many
     * gigabytes takes tens of regions, not thousands of 4 MiB ones. */
    size_t want = RG.mapped_total / 2 > MAPPED_REGION_MIN ? RG.mapped_total / 2 : MAPPED_REGION_MIN;
    if (len < want)
        len = want;
    len = HC_ALIGN_UP(len, page);
    unsigned char *base = map_region(&len);
    if (!base && len > size + 2 * sizeof(size_t)) {
        /* Short of address space: no more than the request. */
        len = HC_ALIGN_UP(size + 2 * sizeof(size_t), page);
        base = map_region(&len);
    }
    if (!base)
        return NULL;
    region_t *r = add_region(base);
    r->end = base + len;
    r->from_sbrk = false;
    RG.mapped_total += len;
    frame(r->base, r->end);
    block_t *b = base + sizeof(size_t);
    blk_set(b, len - 2 * sizeof(size_t), 0);
    vg_noaccess(r->base, len); /* heap memory is the program's only inside live blocks */
    return b;
}

block_t *region_grow(size_t size)
{
    size_t page = os_page_size();
    if (size > ((size_t)1 << 56))
        return NULL;
    /* Only arena 0 uses sbrk: one break, one owner. */
    block_t *b = core_config.use_sbrk && arena_cur->id == 0 ? grow_brk(size, page) : NULL;
    return b ? b : grow_mapped(size, page);
}

static void drop_region(region_t *r)
{
    if (r == RG.brk_region)
        RG.brk_region = NULL;
    if (!r->from_sbrk)
        RG.mapped_total -= (size_t)(r->end - r->base);
    /* Close the gap, keeping the order. */
    for (size_t i = (size_t)(r - RG.regions); i + 1 < RG.nregions; i++) {
        RG.regions[i] = RG.regions[i + 1];
        if (RG.brk_region == &RG.regions[i + 1])
            RG.brk_region = &RG.regions[i];
    }
    RG.nregions--;
}

block_t *region_give_back(block_t *b)
{
    unsigned char *start = b, *stop = b + blk_size(b);
    region_t *r = (region_t *)region_find(b);
    HC_ASSERT(r != NULL);
    bool whole = start == r->base + sizeof(size_t) && stop == r->end - sizeof(size_t);
    if (whole && !r->from_sbrk) {
        unmap_region(r->base, (size_t)(r->end - r->base));
        drop_region(r);
        return NULL;
    }
    size_t keep = HC_ALIGN_UP(core_config.top_pad, BLK_GRAIN);
    if (keep < BLK_MIN)
        keep = BLK_MIN;
    /* Trim when the free top exceeds what we keep by trim_threshold, not by a page:
     * else a heap shrinking block by block would call sbrk on every free. */
    if (r == RG.brk_region && stop == r->end - sizeof(size_t) &&
        blk_size(b) >= keep + core_config.trim_threshold && os_brk_now() == r->end) {
        size_t page = os_page_size();
        size_t give = (blk_size(b) - keep) & ~(page - 1);
        if (give == 0 || !os_sbrk(-(intptr_t)give))
            return b;
        r->end -= give;
        frame(r->base, r->end);
        blk_set(b, blk_size(b) - give, 0);
    }
    return b;
}

/* The free index asks for the region of every block it verifies (and of every link
 * before it follows it), nearly always the one it asked for last: that one is tried
 * first.  The index is only a hint: entries move when regions come and go. */
const region_t *region_find(const void *p)
{
    const unsigned char *a = p;
    const region_t *hint = &RG.regions[RG.last];
    if (RG.last < RG.nregions && hint->base <= a && a < hint->end)
        return hint;
    size_t lo = 0, hi = RG.nregions; /* the last region starting at or below a is below hi */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (RG.regions[mid].base <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const region_t *r = &RG.regions[lo - 1];
    if (a >= r->end)
        return NULL;
    RG.last = lo - 1;
    return r;
}

size_t region_count(void) { return RG.nregions; }
const region_t *region_at(size_t i) { return i < RG.nregions ? &RG.regions[i] : NULL; }

void region_reset(void)
{
    RG.last = 0;
    RG.nregions = 0;
    RG.brk_region = NULL;
    RG.mapped_total = 0;
}
