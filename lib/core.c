/* The core allocator (see core.h): allocate with exact best fit and split; free with
 * immediate coalescing of both neighbours; resize in place; walk and check.
 * Invariants it owns: blocks tile each region; every head equals its foot (a free
 * head also carries its tag, block.h); no two free blocks are adjacent; the free index
 * holds exactly the free blocks.  It follows no link and trusts no size read from a
 * free block that has not been verified: every free block it splits, merges or grows
 * into came out of the index (freeidx_take, freeidx_remove), which verifies it whole
 * first.  A damaged one is set aside there and recorded for core_take_damage. */
#include "internal.h"
#include "arena.h"
#include "core.h"
#include "freeidx.h"
#include "large.h"
#include "region.h"

struct core_config core_config = {
    .mmap_threshold = (size_t)128 << 10,
    .trim_threshold = (size_t)128 << 10,
    .top_pad = (size_t)128 << 10,
    .use_sbrk = true,
};


/* Make b (in use, of size >= want) exactly want bytes when the rest can be a block. */
static void split(block_t *b, size_t want, size_t flags)
{
    size_t size = blk_size(b);
    if (size - want >= BLK_MIN) {
        blk_set(b, want, flags);
        block_t *rest = b + want;
        blk_set(rest, size - want, 0);
        /* The block after the remainder is in use: b was free or in use, and free
         * blocks never touch; an in-use b may have had a free right neighbour, which
         * the caller merged beforehand. */
        freeidx_insert(rest);
    } else {
        blk_set(b, size, flags);
    }
}

/* Merge a free, unindexed block with its free neighbours; returns the merged block.
 * Only a block the index holds and verifies whole is merged (freeidx_remove): not a
 * forged free head, not a free block whose size or links the program changed.  The
 * foot before b gives the previous block only if that block's verified size agrees. */
static block_t *coalesce(block_t *b)
{
    size_t size = blk_size(b);
    block_t *next = b + size;
    if (!blk_inuse(next) && freeidx_remove(next)) {
        size += blk_size(next);
        *(size_t *)next = 0; /* no stale tagged head inside a block (freeidx.c) */
    }
    size_t prev_foot = blk_prev_foot(b);
    if (!(prev_foot & BLK_INUSE)) {
        const region_t *r = region_find(b);
        block_t *prev = b - prev_foot;
        if (prev_foot >= BLK_MIN && prev_foot % BLK_GRAIN == 0 &&
            prev_foot <= (size_t)(b - r->base) - sizeof(size_t) && blk_size(prev) == prev_foot &&
            freeidx_remove(prev)) {
            size += blk_size(prev);
            *(size_t *)b = 0; /* b's head was untagged; cleared all the same */
            b = prev;
        }
    }
    blk_set(b, size, 0);
    return b;
}

/* Put a free, unindexed block back: coalesce, maybe return memory, index the rest. */
static void release(block_t *b)
{
    b = coalesce(b);
    /* Only a block that ends its region can go back to the OS: the epilogue (size 0,
     * in use) follows it.  Anything else is indexed at once. */
    if (blk_head(b + blk_size(b)) == BLK_INUSE)
        b = region_give_back(b);
    if (b)
        freeidx_insert(b);
}

static block_t *take(size_t size)
{
    block_t *b = freeidx_take(size);
    if (b)
        return b;
    b = region_grow(size);
    if (!b)
        return NULL;
    b = coalesce(b);
    if (blk_size(b) < size) { /* cannot happen: the new block alone is large enough */
        freeidx_insert(b);
        return NULL;
    }
    return b;
}

void *core_alloc(size_t size, size_t align, size_t offset)
{
    HC_DEBUG_ASSERT(HC_IS_POW2(align) && align >= BLK_GRAIN && offset % BLK_GRAIN == 0);
    size_t bsize = blk_size_for(size);
    if (!bsize)
        return NULL;
    bool aligned = align > BLK_GRAIN; /* any offset is a multiple of 16 */
    if (bsize >= core_config.mmap_threshold) {
        block_t *b = large_alloc(bsize - BLK_OVERHEAD, align, offset);
        if (b) {
            arena_cur->inuse_blocks++;
            return blk_payload(b);
        }
        /* No new mapping to be had: the heap's free blocks may still hold it. */
    }
    if (!aligned) {
        block_t *b = take(bsize);
        if (!b)
            return NULL;
        split(b, bsize, BLK_INUSE);
        arena_cur->inuse_blocks++;
        return blk_payload(b);
    }
    /* Over-allocate, then free the lead so the payload lands on the boundary.  The lead
     * is either empty or a whole minimum block. */
    size_t room = bsize + align + BLK_MIN;
    if (room < bsize)
        return NULL;
    block_t *b = take(room);
    if (!b)
        return NULL;
    uintptr_t p = (uintptr_t)blk_payload(b);
    uintptr_t q = ((p + offset + align - 1) & ~(uintptr_t)(align - 1)) - offset;
    while (q != p && q - p < BLK_MIN)
        q += align;
    size_t lead = (size_t)(q - p);
    if (lead) {
        size_t total = blk_size(b);
        blk_set(b, lead, 0);
        freeidx_insert(b); /* its left neighbour is in use: b came from the index */
        b += lead;
        blk_set(b, total - lead, BLK_INUSE);
    }
    split(b, bsize, BLK_INUSE);
    arena_cur->inuse_blocks++;
    return blk_payload(b);
}

void core_free(void *payload)
{
    block_t *b = blk_of_payload(payload);
    HC_ASSERT(blk_inuse(b) && *blk_foot(b) == blk_head(b));
    arena_cur->inuse_blocks--;
    if (blk_head(b) & BLK_MAPPED) {
        large_free(b);
        return;
    }
    blk_set(b, blk_size(b), 0);
    release(b);
}

size_t core_usable(const void *payload)
{
    return blk_size(blk_of_payload((void *)payload)) - BLK_OVERHEAD;
}

bool core_is_mapped(const void *payload)
{
    return (blk_head(blk_of_payload((void *)payload)) & BLK_MAPPED) != 0;
}

size_t core_growth_room(size_t size)
{
    size_t room = size / 8 & ~(BLK_GRAIN - 1);
    size_t limit = core_config.mmap_threshold;
    limit = limit > CORE_LARGE_MARGIN ? limit - CORE_LARGE_MARGIN : 0;
    return size < limit && room < limit - size ? room : 0;
}

bool core_resize(void *payload, size_t size)
{
    block_t *b = blk_of_payload(payload);
    size_t want = blk_size_for(size);
    if (!want)
        return false;
    if (blk_head(b) & BLK_MAPPED) {
        /* In place only (a move would change the payload's address): shrinking gives
         * whole pages back; growing works when the pages after the mapping are free. */
        return large_resize(b, want - BLK_OVERHEAD, false) != NULL;
    }
    size_t have = blk_size(b), room = core_growth_room(size);
    if (want > have) {
        block_t *next = b + have;
        if (blk_inuse(next) || have + blk_size(next) < want || !freeidx_remove(next))
            return false;
        size_t grown = have + blk_size(next);
        *(size_t *)next = 0; /* no stale tagged head inside a block (freeidx.c) */
        blk_set(b, grown, BLK_INUSE);
        /* Take the room too when the neighbour has it: the next growth is free. */
        if (blk_size(b) - want >= room + BLK_MIN)
            want += room;
    } else if (have - want <= room) {
        return true; /* within the room a growing block keeps */
    } else if (have - want >= BLK_MIN) {
        /* Shrinking: the cut-off tail may touch a free block; merge them. */
        blk_set(b, want, BLK_INUSE);
        block_t *tail = b + want;
        blk_set(tail, have - want, 0);
        release(tail);
        return true;
    }
    split(b, want, BLK_INUSE);
    return true;
}

struct walk_args {
    core_walk_fn *fn;
    void *arg;
};

static void walk_large(block_t *b, void *arg)
{
    struct walk_args *w = arg;
    w->fn(blk_payload(b), blk_size(b) - BLK_OVERHEAD, true, w->arg);
}

void core_walk_region(const region_t *r, core_walk_fn *fn, void *arg)
{
    block_t *stop = r->end - sizeof(size_t);
    for (block_t *b = r->base + sizeof(size_t); b < stop;) {
        block_t *next = blk_next(b); /* fn may change b */
        fn(blk_payload(b), blk_size(b) - BLK_OVERHEAD, blk_inuse(b), arg);
        b = next;
    }
}

void core_walk_large(core_walk_fn *fn, void *arg)
{
    struct walk_args w = {fn, arg};
    large_walk(walk_large, &w);
}

void core_walk(core_walk_fn *fn, void *arg)
{
    for (size_t i = 0; i < region_count(); i++)
        core_walk_region(region_at(i), fn, arg);
    core_walk_large(fn, arg);
}

void *core_block_containing(const void *p, size_t *usable)
{
    const region_t *r = region_find(p);
    block_t *found = NULL;
    if (r) {
        block_t *stop = r->end - sizeof(size_t);
        for (block_t *b = r->base + sizeof(size_t); b < stop; b = blk_next(b)) {
            size_t size = blk_size(b);
            if (size < BLK_MIN || size > (size_t)(stop - b))
                break; /* corrupted: stop rather than stray */
            if ((const unsigned char *)p < b + blk_size(b)) {
                /* p may lie in the prologue, before the first block. */
                found = blk_inuse(b) && (const unsigned char *)p >= b ? b : NULL;
                break;
            }
        }
    } else {
        found = large_containing(p);
    }
    if (found && usable)
        *usable = blk_size(found) - BLK_OVERHEAD;
    return found ? blk_payload(found) : NULL;
}

struct index_count {
    size_t bytes, largest;
};

static void count_free(block_t *b, void *arg)
{
    struct index_count *c = arg;
    c->bytes += blk_size(b);
    if (blk_size(b) > c->largest)
        c->largest = blk_size(b);
}

size_t core_check(core_problem_fn *problem, void *arg)
{
    size_t bad = 0, free_in_regions = 0;
#define PROBLEM(what, where) (bad++, problem ? problem(what, where, arg) : (void)0)
    for (size_t i = 0; i < region_count(); i++) {
        const region_t *r = region_at(i);
        block_t *stop = r->end - sizeof(size_t);
        if (*(size_t *)r->base != BLK_INUSE)
            PROBLEM("region prologue overwritten", r->base);
        if (*(size_t *)stop != BLK_INUSE)
            PROBLEM("region epilogue overwritten", stop);
        bool prev_free = false;
        block_t *b = r->base + sizeof(size_t);
        while (b < stop) {
            size_t size = blk_size(b);
            if (size < BLK_MIN || size % BLK_GRAIN || b + size > stop) {
                PROBLEM("block size out of range (blocks no longer tile the region)", b);
                break;
            }
            if (blk_inuse(b) && *blk_foot(b) != blk_head(b))
                PROBLEM("block footer disagrees with its header", b);
            if (blk_head(b) & BLK_MAPPED)
                PROBLEM("heap block marked as mapped", b);
            if (!blk_inuse(b)) {
                if (prev_free)
                    PROBLEM("two adjacent free blocks (missed coalescing)", b);
                if (!freeidx_verified(b))
                    PROBLEM("free block modified after it was freed (its size, foot or links)", b);
                else if (!freeidx_contains(b))
                    PROBLEM("free block missing from the free index", b);
                free_in_regions++;
            }
            prev_free = !blk_inuse(b);
            b += size;
        }
    }
    size_t index_bad = 0;
    size_t indexed = freeidx_walk(NULL, NULL, &index_bad);
    if (index_bad)
        PROBLEM("free index out of order or its links overwritten", NULL);
    if (indexed != free_in_regions)
        PROBLEM("free index and heap disagree on the number of free blocks", NULL);
    /* What the membership tests above met is reported here, not again by an operation. */
    struct freeidx_damage met = freeidx_take_damage();
    (void)met;
#undef PROBLEM
    return bad;
}

bool core_take_damage(struct core_damage *d)
{
    struct freeidx_damage fd = freeidx_take_damage();
    if (fd.kind == FREEIDX_DAMAGE_NONE)
        return false;
    d->block = blk_payload((block_t *)fd.block);
    d->size_word = fd.kind == FREEIDX_DAMAGE_SIZE;
    d->addr = d->size_word ? (const void *)fd.block : d->block;
    return true;
}

void core_get_stats(struct core_stats *s)
{
    struct index_count c = {0, 0};
    size_t bad = 0;
    s->free_blocks = freeidx_walk(count_free, &c, &bad);
    s->free_bytes = c.bytes;
    s->largest_free = c.largest > BLK_OVERHEAD ? c.largest - BLK_OVERHEAD : 0;
    s->mapped_bytes = large_mapped_bytes();
    s->heap_bytes = s->mapped_bytes;
    for (size_t i = 0; i < region_count(); i++)
        s->heap_bytes += (size_t)(region_at(i)->end - region_at(i)->base);
    s->inuse_blocks = arena_cur->inuse_blocks;
    s->regions = region_count();
}

void core_reset(void)
{
    freeidx_reset();
    region_reset();
    large_reset();
    arena_cur->inuse_blocks = 0;
}
