/* The free index alone, against a brute-force model: every take() must return the
 * smallest block that fits, the lowest address among equals. */
#include "unit.h"
#include "freeidx.h"

#include <stdint.h>
#include <sys/mman.h>

#define NBLOCKS 4000

static unsigned char *arena;
static block_t *blocks[NBLOCKS];
static bool present[NBLOCKS];

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Blocks of assorted sizes laid out apart from each other in a private buffer. */
static void setup(void)
{
    freeidx_reset();
    size_t len = (size_t)NBLOCKS * 8192;
    arena = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(arena, MAP_FAILED);
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
        blocks[i] = arena + slot * 8192 + 8;
        blk_set(blocks[i], size, 0);
        present[i] = false;
    }
}

static int model_best(size_t size)
{
    int best = -1;
    for (int i = 0; i < NBLOCKS; i++) {
        if (!present[i] || blk_size(blocks[i]) < size)
            continue;
        if (best < 0 || blk_size(blocks[i]) < blk_size(blocks[best]) ||
            (blk_size(blocks[i]) == blk_size(blocks[best]) && blocks[i] < blocks[best]))
            best = i;
    }
    return best;
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
            size_t want = 32 + 16 * (next_rand() % 500);
            int expect = model_best(want);
            block_t *got = freeidx_take(want);
            if (expect < 0) {
                ck_assert_ptr_null(got);
            } else {
                ck_assert_msg(got == blocks[expect],
                              "op %d: take(%zu) gave size %zu at %p, best is size %zu at %p", op,
                              want, got ? blk_size(got) : 0, (void *)got,
                              blk_size(blocks[expect]), (void *)blocks[expect]);
                present[expect] = false;
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

START_TEST(walk_notices_broken_links)
{
    setup();
    for (int i = 0; i < 100; i++)
        freeidx_insert(blocks[i]);
    size_t bad = 0;
    freeidx_walk(NULL, NULL, &bad);
    ck_assert_uint_eq(bad, 0);
    /* A write after free over a free block's links makes a cycle: caught, no hang. */
    block_t **links = blk_payload(blocks[7]);
    block_t *saved0 = links[0], *saved1 = links[1];
    links[0] = (block_t *)blk_payload(blocks[7]);
    links[1] = (block_t *)blk_payload(blocks[7]);
    freeidx_walk(NULL, NULL, &bad);
    ck_assert_uint_gt(bad, 0);
    links[0] = saved0;
    links[1] = saved1;
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

/* Many equal sizes: the tree grows several levels and every take must still come out
 * in address order, then shrink back to nothing. */
START_TEST(equal_sizes_come_out_in_address_order)
{
    setup();
    enum { N = 3000 };
    unsigned char *area = mmap(NULL, (size_t)N * 64, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(area, MAP_FAILED);
    for (int i = 0; i < N; i++) {
        block_t *b = area + (size_t)((i * 1237) % N) * 64 + 8;
        blk_set(b, 48, 0);
        freeidx_insert(b);
    }
    for (int i = 0; i < N; i++)
        ck_assert_ptr_eq(freeidx_take(48), area + (size_t)i * 64 + 8);
    ck_assert_ptr_null(freeidx_take(32));
    size_t bad = 0;
    ck_assert_uint_eq(freeidx_walk(NULL, NULL, &bad), 0);
    ck_assert_uint_eq(bad, 0);
    munmap(area, (size_t)N * 64);
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
    tcase_add_test(tc, equal_sizes_come_out_in_address_order);
    tcase_add_test(tc, empty_index_gives_nothing);
    suite_add_tcase(s, tc);
    return s;
}
