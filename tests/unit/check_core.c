/* The core allocator on its own: best fit by size over a known pattern of holes (any
 * hole of the best size may come first), splitting, coalescing, alignment, large blocks and the check. */
#include "unit.h"
#include "core.h"
#include "block.h"

#include <string.h>

static void fresh_core(void)
{
    core_reset();
    core_config.use_sbrk = false; /* the test framework's malloc owns the break */
    core_config.mmap_threshold = (size_t)1 << 20;
}

static size_t block_of(void *p) { return blk_size(blk_of_payload(p)); }

/* Allocate blocks of the given sizes, each followed by a small separator, then free
 * the holes: the free index then holds exactly those holes and the region's tail. */
static void make_holes(const size_t *payloads, void **holes, int n)
{
    for (int i = 0; i < n; i++) {
        holes[i] = core_alloc(payloads[i], 16, 0);
        ck_assert_ptr_nonnull(holes[i]);
        ck_assert_ptr_nonnull(core_alloc(16, 16, 0)); /* separator, kept */
    }
    for (int i = 0; i < n; i++)
        core_free(holes[i]);
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
}

START_TEST(best_fit_takes_smallest_hole)
{
    fresh_core();
    /* Block sizes: 96, 64, 160, 64, 128, 2064, 2048, 2048 */
    const size_t payload[] = {80, 48, 144, 48, 112, 2048, 2032, 2032};
    void *h[8];
    make_holes(payload, h, 8);

    /* 64: one of the two, then the other. */
    void *first = core_alloc(48, 16, 0);
    ck_assert(first == h[1] || first == h[3]);
    ck_assert_ptr_eq(core_alloc(40, 16, 0), first == h[1] ? h[3] : h[1]);
    ck_assert_ptr_eq(core_alloc(100, 16, 0), h[4]);  /* 128, not 160 */
    ck_assert_ptr_eq(core_alloc(70, 16, 0), h[0]);   /* 96 */
    /* 2048: one of the two, not 2064 */
    first = core_alloc(2032, 16, 0);
    ck_assert(first == h[6] || first == h[7]);
    void *other = first == h[6] ? h[7] : h[6];
    /* 2016 fits the other 2048 best, splitting off a 32-byte remainder. */
    void *p = core_alloc(2000, 16, 0);
    ck_assert_ptr_eq(p, other);
    ck_assert_uint_eq(block_of(p), 2016);
    ck_assert_ptr_eq(core_alloc(130, 16, 0), h[2]);  /* 160 */
    ck_assert_ptr_eq(core_alloc(2048, 16, 0), h[5]); /* 2064 */
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
}
END_TEST

START_TEST(free_coalesces_both_neighbours)
{
    fresh_core();
    void *a = core_alloc(100, 16, 0), *b = core_alloc(100, 16, 0), *c = core_alloc(100, 16, 0);
    void *guard = core_alloc(16, 16, 0);
    (void)guard;
    size_t before = 0;
    struct core_stats s;
    core_get_stats(&s);
    before = s.free_blocks;
    core_free(a);
    core_free(c);
    core_get_stats(&s);
    ck_assert_uint_eq(s.free_blocks, before + 2);
    core_free(b); /* joins a and c into one */
    core_get_stats(&s);
    ck_assert_uint_eq(s.free_blocks, before + 1);
    ck_assert_ptr_eq(core_alloc(3 * 112 + 32, 16, 0), a); /* the merged block fits exactly */
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
}
END_TEST

START_TEST(alignment_and_offset_hold)
{
    fresh_core();
    for (size_t align = 16; align <= 65536; align <<= 1) {
        for (size_t off = 0; off < align && off <= 64; off += 16) {
            unsigned char *p = core_alloc(37, align, off);
            ck_assert_ptr_nonnull(p);
            ck_assert_uint_eq(((uintptr_t)p + off) % align, 0);
            ck_assert_uint_ge(core_usable(p), 37);
            memset(p, 0xab, 37);
        }
    }
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
}
END_TEST

START_TEST(large_blocks_are_mapped_and_unmapped)
{
    fresh_core();
    struct core_stats s;
    void *p = core_alloc((size_t)3 << 20, 16, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert(core_is_mapped(p));
    core_get_stats(&s);
    ck_assert_uint_ge(s.mapped_bytes, (size_t)3 << 20);
    void *q = core_alloc((size_t)2 << 20, 4096, 32);
    ck_assert_uint_eq(((uintptr_t)q + 32) % 4096, 0);
    core_free(p);
    core_free(q);
    core_get_stats(&s);
    ck_assert_uint_eq(s.mapped_bytes, 0);
}
END_TEST

START_TEST(resize_grows_into_free_neighbour_and_shrinks)
{
    fresh_core();
    void *a = core_alloc(100, 16, 0), *b = core_alloc(200, 16, 0);
    void *guard = core_alloc(16, 16, 0);
    (void)guard;
    core_free(b);
    ck_assert(core_resize(a, 300));
    ck_assert_uint_ge(core_usable(a), 300);
    ck_assert(core_resize(a, 40));
    ck_assert_uint_lt(core_usable(a), 100);
    ck_assert(!core_resize(a, 100000)); /* the separator is in the way */
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
}
END_TEST

START_TEST(growth_room_is_taken_and_kept)
{
    fresh_core(); /* mmap threshold 1 MiB */
    ck_assert_uint_eq(core_growth_room(8), 0);
    ck_assert_uint_eq(core_growth_room(8192), 1024);
    ck_assert_uint_eq(core_growth_room(8000), 992); /* whole grains only */
    ck_assert_uint_eq(core_growth_room((size_t)1000 << 10), 0); /* would reach the threshold */
    ck_assert_uint_eq(core_growth_room((size_t)1 << 20), 0);
    /* A growth into a large free neighbour takes the room past the new size. */
    void *a = core_alloc(1000, 16, 0), *b = core_alloc(20000, 16, 0);
    void *wall = core_alloc(16, 16, 0);
    core_free(b);
    ck_assert(core_resize(a, 8000));
    ck_assert_uint_ge(core_usable(a), 8000 + 992);
    ck_assert_uint_lt(core_usable(a), 8000 + 992 + 64);
    size_t usable = core_usable(a);
    /* Growths and shrinks within the room keep the block as it is. */
    ck_assert(core_resize(a, 8900));
    ck_assert_uint_eq(core_usable(a), usable);
    ck_assert(core_resize(a, 8010));
    ck_assert_uint_eq(core_usable(a), usable);
    /* A shrink past the room gives the tail back, merged with the free block after. */
    ck_assert(core_resize(a, 4000));
    ck_assert_uint_lt(core_usable(a), 4000 + 64);
    /* A neighbour without room for it: the growth takes what it needs only. */
    void *c = core_alloc(100, 16, 0), *d = core_alloc(8100, 16, 0);
    void *wall2 = core_alloc(16, 16, 0);
    core_free(d);
    ck_assert(core_resize(c, 8000));
    ck_assert_uint_ge(core_usable(c), 8000);
    ck_assert_uint_lt(core_usable(c), 8000 + 64);
    (void)wall;
    (void)wall2;
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
}
END_TEST

START_TEST(check_finds_a_smashed_footer)
{
    fresh_core();
    unsigned char *p = core_alloc(64, 16, 0);
    core_alloc(64, 16, 0);
    size_t usable = core_usable(p);
    memset(p, 0x41, usable + 8); /* runs over the footer */
    ck_assert_uint_gt(core_check(NULL, NULL), 0);
}
END_TEST

/* Free-block damage (docs/design.md, "The core follows no link and trusts no size that
 * has not been verified"): each write below worked on the old core; now the block is
 * never handed out or merged, and core_take_damage names it and the word hit. */
static void expect_damage(const void *block, bool size_word)
{
    struct core_damage d;
    ck_assert_msg(core_take_damage(&d), "the damage at %p was not recorded", block);
    ck_assert_ptr_eq(d.block, block);
    ck_assert(d.size_word == size_word);
    ck_assert(!core_take_damage(&d)); /* reported once */
}

static bool overlaps(const unsigned char *p, size_t n, const unsigned char *q, size_t m)
{
    return p < q + m && q < p + n;
}

/* A, B (freed), C: B's size enlarged over C, as one write past A's end does. */
START_TEST(enlarged_free_size_is_not_split_over_a_live_block)
{
    fresh_core();
    unsigned char *a = core_alloc(40, 16, 0), *b = core_alloc(200, 16, 0), *c = core_alloc(40, 16, 0);
    core_alloc(40, 16, 0);
    size_t bsize = block_of(b), csize = block_of(c);
    core_free(b);
    size_t *head = (size_t *)blk_of_payload(b);
    *head = (*head & ~BLK_SIZE_MASK) | (bsize + csize); /* the tag kept, the size changed */
    for (int i = 0; i < 8; i++) {
        unsigned char *p = core_alloc(bsize - 16, 16, 0), *q = core_alloc(40, 16, 0);
        ck_assert(!overlaps(p, core_usable(p), c, csize) && !overlaps(q, core_usable(q), c, csize));
        ck_assert(p != b);
    }
    expect_damage(b, true);
    (void)a;
}
END_TEST

/* A use after free over a freed block's first link: the next allocation of its size
 * neither returns the link's target nor the block, and says which block. */
START_TEST(poisoned_list_link_is_not_followed)
{
    fresh_core();
    static struct { size_t pad, head; void *link[2]; unsigned char rest[64]; } __attribute__((aligned(16))) fake;
    void *before = core_alloc(40, 16, 0), *v = core_alloc(40, 16, 0);
    core_alloc(40, 16, 0);
    size_t size = block_of(v);
    core_free(v);
    fake.head = size;
    *(size_t *)((char *)&fake.head + size - 8) = size;
    *(void **)v = &fake.link[0];
    for (int i = 0; i < 4; i++) {
        void *p = core_alloc(40, 16, 0);
        ck_assert(p != (void *)&fake.link[0] && p != v);
    }
    expect_damage(v, false);
    (void)before;
}
END_TEST

/* The same in a range bin: a freed block's left child set to a fake node. */
START_TEST(poisoned_treap_child_is_not_followed)
{
    fresh_core();
    static struct { size_t pad, head; void *link[2]; unsigned char rest[8192]; } __attribute__((aligned(16))) fake;
    core_alloc(40, 16, 0);
    void *v = core_alloc(5000, 16, 0);
    core_alloc(40, 16, 0);
    size_t size = block_of(v);
    core_free(v);
    fake.head = size;
    *(size_t *)((char *)&fake.head + size - 8) = size;
    ((void **)v)[0] = &fake.link[0];
    for (int i = 0; i < 4; i++) {
        void *p = core_alloc(5000, 16, 0);
        ck_assert(p != (void *)&fake.link[0] && p != v);
    }
    expect_damage(v, false);
}
END_TEST

/* House of force: the free top's size enlarged.  A request that fits the top's bin
 * gets fresh memory instead, and the top is named. */
START_TEST(enlarged_top_is_not_trusted)
{
    fresh_core();
    core_config.mmap_threshold = (size_t)1 << 30; /* the top is taken, not a mapping */
    unsigned char *t = core_alloc(3000, 16, 0);
    block_t *top = blk_of_payload(t) + block_of(t);
    ck_assert(!blk_inuse(top));
    size_t top_size = blk_size(top);
    *(size_t *)top = (*(size_t *)top & ~BLK_SIZE_MASK) | ((size_t)1 << 40);
    unsigned char *p = core_alloc(top_size - 16, 16, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert(p != blk_payload(top));
    expect_damage(blk_payload(top), true);
}
END_TEST

/* A free neighbour with a forged back link is not merged (an unlink would write
 * through it), and freeing beside it records it. */
START_TEST(damaged_neighbour_is_not_merged)
{
    fresh_core();
    static void *where[2] __attribute__((aligned(16)));
    void *a = core_alloc(40, 16, 0), *b = core_alloc(40, 16, 0);
    core_alloc(40, 16, 0);
    core_free(b);
    ((void **)b)[1] = &where[0];
    core_free(a);
    ck_assert_ptr_null(where[0]);
    expect_damage(b, false);
    ck_assert_uint_gt(core_check(NULL, NULL), 0); /* the heap check sees it too */
}
END_TEST

/* realloc in place does not grow into a free neighbour whose size was enlarged (it
 * would swallow the live block after it), and names the neighbour. */
START_TEST(resize_does_not_grow_into_a_damaged_neighbour)
{
    fresh_core();
    unsigned char *a = core_alloc(40, 16, 0), *b = core_alloc(200, 16, 0), *c = core_alloc(40, 16, 0);
    core_alloc(40, 16, 0);
    size_t bsize = block_of(b), csize = block_of(c);
    core_free(b);
    size_t *head = (size_t *)blk_of_payload(b);
    *head = (*head & ~BLK_SIZE_MASK) | (bsize + csize);
    ck_assert(!core_resize(a, 40 + bsize + csize - 32));
    ck_assert(!overlaps(a, core_usable(a), c, csize));
    expect_damage(b, true);
}
END_TEST

START_TEST(empty_mapped_regions_are_returned)
{
    fresh_core();
    struct core_stats s;
    void *q = core_alloc(900000, 16, 0);
    void *r = core_alloc(1000, 16, 0);
    core_get_stats(&s);
    ck_assert_uint_eq(s.regions, 1);
    core_free(q);
    core_get_stats(&s);
    ck_assert_uint_eq(s.regions, 1); /* r still lives there */
    core_free(r);
    core_get_stats(&s);
    ck_assert_uint_eq(s.regions, 0);
    ck_assert_uint_eq(s.heap_bytes, 0);
}
END_TEST

/* Many mapped regions: every block is found in its own region (the table is searched
 * by address), regions grow with the heap, and all go back when emptied. */
START_TEST(many_regions_are_found_and_returned)
{
    fresh_core();
    enum { N = 40 };
    void *blocks[N];
    for (int i = 0; i < N; i++) {
        blocks[i] = core_alloc(900000, 16, 0); /* under mmap_threshold: region memory */
        ck_assert_ptr_nonnull(blocks[i]);
    }
    struct core_stats s;
    core_get_stats(&s);
    /* 36 MB in 4 MiB regions would take 9 or more; growing regions take fewer. */
    ck_assert_uint_ge(s.regions, 2);
    ck_assert_uint_lt(s.regions, 9);
    for (int i = 0; i < N; i++) {
        size_t usable = 0;
        ck_assert_ptr_eq(core_block_containing((char *)blocks[i] + 123456, &usable), blocks[i]);
        ck_assert_uint_ge(usable, 900000);
    }
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
    /* Free in an order that empties regions in the middle of the table first. */
    for (int i = 1; i < N; i += 2)
        core_free(blocks[i]);
    for (int i = 0; i < N; i += 2)
        core_free(blocks[i]);
    ck_assert_uint_eq(core_check(NULL, NULL), 0);
    core_get_stats(&s);
    ck_assert_uint_eq(s.regions, 0);
    ck_assert_uint_eq(s.heap_bytes, 0);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, best_fit_takes_smallest_hole);
    tcase_add_test(tc, free_coalesces_both_neighbours);
    tcase_add_test(tc, alignment_and_offset_hold);
    tcase_add_test(tc, large_blocks_are_mapped_and_unmapped);
    tcase_add_test(tc, resize_grows_into_free_neighbour_and_shrinks);
    tcase_add_test(tc, growth_room_is_taken_and_kept);
    tcase_add_test(tc, check_finds_a_smashed_footer);
    tcase_add_test(tc, enlarged_free_size_is_not_split_over_a_live_block);
    tcase_add_test(tc, poisoned_list_link_is_not_followed);
    tcase_add_test(tc, poisoned_treap_child_is_not_followed);
    tcase_add_test(tc, enlarged_top_is_not_trusted);
    tcase_add_test(tc, damaged_neighbour_is_not_merged);
    tcase_add_test(tc, resize_does_not_grow_into_a_damaged_neighbour);
    tcase_add_test(tc, empty_mapped_regions_are_returned);
    tcase_add_test(tc, many_regions_are_found_and_returned);
    suite_add_tcase(s, tc);
    return s;
}
