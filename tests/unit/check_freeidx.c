/* The free index alone, against a brute-force model: every take() must return a
 * block of the smallest size that fits (any of the blocks of that size). */
#include "unit.h"
#include "core.h"
#include "freeidx.h"
#include "region.h"

#include <stdint.h>

#define NBLOCKS 4000

static unsigned char *arena;
static block_t *blocks[NBLOCKS];
static bool present[NBLOCKS];
static int index_of_slot[NBLOCKS];

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A heap region of its own: the index follows only links that point into one. */
static unsigned char *region_of(size_t len)
{
    core_config.use_sbrk = false; /* the test framework's malloc owns the break */
    unsigned char *b = region_grow(len);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_ge(blk_size(b), len);
    return b;
}

/* Blocks of assorted sizes laid out apart from each other in a region. */
static void setup(void)
{
    freeidx_reset();
    region_reset();
    arena = region_of((size_t)NBLOCKS * 8192 + 64);
    for (int i = 0; i < NBLOCKS; i++) {
        size_t size;
        switch (next_rand() % 4) {
        case 0: size = 32 + 16 * (next_rand() % 8); break;          /* many equal sizes */
        case 1: size = 32 + 16 * (next_rand() % 62); break;         /* small bins */
        case 2: size = 1024 + 16 * (next_rand() % 200); break;      /* large bins */
        default: size = 16 * (64 + next_rand() % 400); break;
        }
        /* Shuffle addresses so address order differs from creation order. */
        size_t slot = (size_t)(i * 7919 % NBLOCKS);
        blocks[i] = arena + slot * 8192;
        index_of_slot[slot] = i;
        blk_set(blocks[i], size, 0);
        present[i] = false;
    }
}

/* The smallest size of a present block that holds size bytes, or 0. */
static size_t model_best(size_t size)
{
    size_t best = 0;
    for (int i = 0; i < NBLOCKS; i++) {
        if (present[i] && blk_size(blocks[i]) >= size &&
            (!best || blk_size(blocks[i]) < best))
            best = blk_size(blocks[i]);
    }
    return best;
}

/* The test's index of a block handed out by the index (which must be one of ours). */
static int index_of(block_t *b)
{
    size_t off = (size_t)(b - arena);
    ck_assert_msg(b >= arena && off % 8192 == 0 && off / 8192 < NBLOCKS,
                  "take gave %p, not one of the test's blocks", (void *)b);
    return index_of_slot[off / 8192];
}

START_TEST(take_is_exact_best_fit_against_model)
{
    setup();
    size_t live = 0;
    for (int op = 0; op < 60000; op++) {
        int i = (int)(next_rand() % NBLOCKS);
        unsigned what = (unsigned)(next_rand() % 3);
        if (what == 0 && !present[i]) {
            freeidx_insert(blocks[i]);
            present[i] = true;
            live++;
        } else if (what == 1 && present[i]) {
            ck_assert(freeidx_remove(blocks[i]));
            present[i] = false;
            live--;
        } else {
            /* Sizes of every kind, unaligned ones included. */
            size_t want = next_rand() % 4 ? 32 + 16 * (next_rand() % 500)
                                          : 1 + next_rand() % 8000;
            size_t expect = model_best(want);
            block_t *got = freeidx_take(want);
            if (!expect) {
                ck_assert_ptr_null(got);
            } else {
                ck_assert_msg(got && blk_size(got) == expect,
                              "op %d: take(%zu) gave size %zu at %p, best size is %zu", op,
                              want, got ? blk_size(got) : 0, (void *)got, expect);
                int taken = index_of(got);
                ck_assert_msg(present[taken], "op %d: take gave a block it did not hold", op);
                present[taken] = false;
                live--;
            }
        }
        if (op % 5000 == 0) {
            size_t bad = 0;
            ck_assert_uint_eq(freeidx_walk(NULL, NULL, &bad), live);
            ck_assert_uint_eq(bad, 0);
        }
    }
    for (int i = 0; i < NBLOCKS; i++)
        ck_assert(freeidx_contains(blocks[i]) == present[i]);
}
END_TEST

/* Overwrite block i's two links with a and b: the walk must notice, without a hang or a
 * fault, and contains() must no longer vouch for the block; then put them back. */
static void break_links(int i, void *a, void *b)
{
    void **links = blk_payload(blocks[i]);
    void *saved0 = links[0], *saved1 = links[1];
    links[0] = a;
    links[1] = b;
    size_t bad = 0;
    freeidx_walk(NULL, NULL, &bad);
    ck_assert_msg(bad > 0, "block %d (size %zu): links %p %p not noticed", i,
                  blk_size(blocks[i]), a, b);
    if (blk_size(blocks[i]) < 4096) /* a list node is held only if its links agree */
        ck_assert(!freeidx_contains(blocks[i]));
    links[0] = saved0;
    links[1] = saved1;
    bad = 0;
    freeidx_walk(NULL, NULL, &bad);
    ck_assert_uint_eq(bad, 0);
}

START_TEST(walk_notices_broken_links)
{
    setup();
    for (int i = 0; i < 400; i++)
        freeidx_insert(blocks[i]);
    size_t bad = 0;
    freeidx_walk(NULL, NULL, &bad);
    ck_assert_uint_eq(bad, 0);
    /* A write after free over a free block's links: a cycle, a fill pattern, a pointer
     * outside the heap.  Blocks of list bins and of range bins alike. */
    int tested_list = 0, tested_tree = 0;
    for (int i = 0; i < 400 && (tested_list < 3 || tested_tree < 3); i++) {
        bool list = blk_size(blocks[i]) < 4096;
        if (list ? tested_list++ >= 3 : tested_tree++ >= 3)
            continue;
        void *self = blk_payload(blocks[i]);
        break_links(i, self, self);
        break_links(i, (void *)0xdddddddddddddddd, (void *)0xdddddddddddddddd);
        break_links(i, (void *)&bad, NULL);
    }
    ck_assert_int_ge(tested_list, 3);
    ck_assert_int_ge(tested_tree, 3);
}
END_TEST

/* A free head written over a block the index does not hold, with links that are a fill
 * pattern, stray pointers, or pointers to real free blocks that do not point back:
 * refused, never followed outside the heap, and nothing changes. */
START_TEST(forged_blocks_are_refused)
{
    setup();
    for (int i = 0; i < 200; i++)
        freeidx_insert(blocks[i]);
    for (int i = 200; i < 260; i++) {
        void **links = blk_payload(blocks[i]);
        block_t *real = blocks[i - 200];
        void *candidates[][2] = {
            {(void *)0xdddddddddddddddd, (void *)0xdddddddddddddddd},
            {NULL, NULL},
            {blk_payload(real), NULL},
            {NULL, blk_payload(real)},
            {(void *)&links, (void *)(uintptr_t)16},
        };
        for (size_t c = 0; c < sizeof candidates / sizeof candidates[0]; c++) {
            links[0] = candidates[c][0];
            links[1] = candidates[c][1];
            ck_assert(!freeidx_contains(blocks[i]));
            ck_assert(!freeidx_remove(blocks[i]));
        }
    }
    size_t bad = 0;
    ck_assert_uint_eq(freeidx_walk(NULL, NULL, &bad), 200);
    ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(remove_refuses_blocks_it_does_not_hold)
{
    setup();
    for (int i = 0; i < 50; i++)
        freeidx_insert(blocks[i]);
    /* Not inserted, and inserted but with a head claiming another size: both refused,
     * and the index is left as it was. */
    ck_assert(!freeidx_remove(blocks[60]));
    size_t saved = blk_head(blocks[3]);
    *(size_t *)blocks[3] = saved + 32;
    ck_assert(!freeidx_remove(blocks[3]));
    *(size_t *)blocks[3] = saved;
    size_t bad = 0;
    ck_assert_uint_eq(freeidx_walk(NULL, NULL, &bad), 50);
    ck_assert_uint_eq(bad, 0);
    ck_assert(freeidx_remove(blocks[3]));
    ck_assert(!freeidx_contains(blocks[3]));
}
END_TEST

/* Many equal sizes, removed from the middle of their list and taken: each block comes
 * out exactly once, and a removed one never. */
static void equal_sizes(size_t size)
{
    setup();
    enum { N = 3000 };
    size_t step = size + 16;
    unsigned char *area = region_of((size_t)N * step + 64);
    static bool out[N];
    for (int i = 0; i < N; i++) {
        blk_set(area + (size_t)i * step, size, 0);
        out[i] = false;
    }
    for (int i = 0; i < N; i++)
        freeidx_insert(area + (size_t)((i * 1237) % N) * step);
    for (int i = 0; i < N; i += 3) {
        ck_assert(freeidx_remove(area + (size_t)i * step));
        ck_assert(!freeidx_remove(area + (size_t)i * step));
        out[i] = true;
    }
    size_t bad = 0;
    ck_assert_uint_eq(freeidx_walk(NULL, NULL, &bad), N - (N + 2) / 3);
    ck_assert_uint_eq(bad, 0);
    for (int k = 0; k < N - (N + 2) / 3; k++) {
        block_t *b = freeidx_take(size);
        ck_assert_ptr_nonnull(b);
        size_t off = (size_t)(b - area);
        ck_assert_uint_eq(off % step, 0);
        ck_assert_msg(!out[off / step], "block %zu came out twice", off / step);
        out[off / step] = true;
    }
    ck_assert_ptr_null(freeidx_take(32));
    ck_assert_uint_eq(freeidx_walk(NULL, NULL, &bad), 0);
    ck_assert_uint_eq(bad, 0);
}

START_TEST(equal_sizes_come_out_once_each)
{
    equal_sizes(48);   /* a list bin */
    equal_sizes(4096); /* a range bin */
}
END_TEST

START_TEST(empty_index_gives_nothing)
{
    setup();
    ck_assert_ptr_null(freeidx_take(32));
    ck_assert_ptr_null(freeidx_take((size_t)1 << 40));
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("freeidx");
    TCase *tc = tcase_create("best fit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, take_is_exact_best_fit_against_model);
    tcase_add_test(tc, walk_notices_broken_links);
    tcase_add_test(tc, remove_refuses_blocks_it_does_not_hold);
    tcase_add_test(tc, forged_blocks_are_refused);
    tcase_add_test(tc, equal_sizes_come_out_once_each);
    tcase_add_test(tc, empty_index_gives_nothing);
    suite_add_tcase(s, tc);
    return s;
}
