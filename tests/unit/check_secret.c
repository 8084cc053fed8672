/* The keyed tags of secret.h: SipHash-2-4 against the published test vectors,
 * SipHash-1-3 (what heapcheck uses) against vectors of the reference implementation,
 * the word-wise inline tags against the byte-string function, and the canary bytes. */
#include "unit.h"
#include "secret.h"

#include <string.h>

/* SipHash-2-4, key 00 01 .. 0f, message 00 01 .. n-1 for n = 0..63: the vectors of
 * the authors' reference implementation (vectors.h); number 15 is the paper's
 * appendix A example, a129ca6149be45e5. */
static const uint64_t vectors24[64] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
    0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
    0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
    0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
    0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
    0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
    0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
    0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
    0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
    0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
    0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
    0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
    0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

/* SipHash-1-3, key all zero, message 00 01 .. n-1 for n = 0..23: computed with the
 * reference implementation's c=1, d=3 build (as published in OCaml's test suite,
 * testsuite/tests/hash/sip13; n = 0 also in Rust's). Not from the paper, which gives
 * vectors for 2-4 only: these check that the same code with c=1, d=3 is SipHash-1-3. */
static const uint64_t vectors13[24] = {
    0xd1fba762150c532cULL, 0x68a914128e01e473ULL, 0x010bac45c41e3669ULL, 0x4d4c9a4a8ef6e0adULL,
    0x7cc43f98813e4dbdULL, 0x5abe2169dff36275ULL, 0xe3c25f87624f1cdbULL, 0x2f098ab0c751325aULL,
    0xead411e67ebe2eeaULL, 0x75927f9d95124362ULL, 0xaf9f77a65ab51a1dULL, 0xfe64ce8b6617fcffULL,
    0xa6baf4fb0f9fe1c2ULL, 0xa0cf3211850f8e0dULL, 0x7f86049379fbfe67ULL, 0xf30eb725bb91c9eaULL,
    0x8972188433a5c5b7ULL, 0x4883c49a2c009c1dULL, 0xadc2c0b63044067dULL, 0x091f4a3329f87d19ULL,
    0x639e355ae68c0100ULL, 0xb17bef2cb5213239ULL, 0xf8aeb1066236ccfeULL, 0x37332b1389daa4ffULL,
};

static const uint64_t ref_k0 = 0x0706050403020100ULL, ref_k1 = 0x0f0e0d0c0b0a0908ULL;

START_TEST(siphash24_reference_vectors)
{
    unsigned char msg[64];
    for (int i = 0; i < 64; i++)
        msg[i] = (unsigned char)i;
    for (size_t n = 0; n < 64; n++)
        ck_assert_msg(secret_siphash(2, 4, ref_k0, ref_k1, msg, n) == vectors24[n], "length %zu", n);
}
END_TEST

START_TEST(siphash13_reference_vectors)
{
    unsigned char msg[24];
    for (int i = 0; i < 24; i++)
        msg[i] = (unsigned char)i;
    for (size_t n = 0; n < 24; n++)
        ck_assert_msg(secret_siphash(1, 3, 0, 0, msg, n) == vectors13[n], "length %zu", n);
}
END_TEST

/* The inline word-wise tags are SipHash-1-3 of the words' little-endian bytes, under
 * the key of their id. */
START_TEST(word_tags_are_siphash13)
{
    secret_init();
    const uint64_t w[3] = {0x0123456789abcdefULL, 0x7fffffffe010ULL, 0x31ULL};
    for (int id = 0; id < SECRET_KEYS; id++) {
        const struct secret_key *k = &secret_keys[id];
        ck_assert(secret_tag64_1(id, w[0]) == secret_siphash(1, 3, k->k0, k->k1, w, 8));
        ck_assert(secret_tag64_2(id, w[0], w[1]) == secret_siphash(1, 3, k->k0, k->k1, w, 16));
        ck_assert(secret_tag64_3(id, w[0], w[1], w[2]) == secret_siphash(1, 3, k->k0, k->k1, w, 24));
    }
    /* The same key is not reused: the canary and header keys differ (2^-128 to fail). */
    ck_assert(memcmp(&secret_keys[SECRET_CANARY], &secret_keys[SECRET_HEADER], sizeof(struct secret_key)) != 0);
}
END_TEST

/* The reference vectors again, through the inline path with the reference key. */
START_TEST(word_tag_matches_vector)
{
    secret_keys[SECRET_CANARY] = (struct secret_key){ref_k0, ref_k1};
    uint64_t m = 0x0706050403020100ULL; /* bytes 00..07 */
    ck_assert(secret_tag64_1(SECRET_CANARY, m) == secret_siphash(1, 3, ref_k0, ref_k1, &m, 8));
    unsigned char bytes[16];
    for (int i = 0; i < 16; i++)
        bytes[i] = (unsigned char)i;
    uint64_t a, b;
    memcpy(&a, bytes, 8);
    memcpy(&b, bytes + 8, 8);
    ck_assert(secret_tag64_2(SECRET_CANARY, a, b) == secret_siphash(1, 3, ref_k0, ref_k1, bytes, 16));
    secret_init();
}
END_TEST

START_TEST(canary_bytes_never_ascii_nul_or_ff)
{
    ck_assert(secret_canary_bytes(0) == 0x8080808080808080ULL);
    ck_assert(secret_canary_bytes(~(uint64_t)0) == 0xfefefefefefefefeULL);
    ck_assert(secret_canary_bytes(0x7f00ff80017e41feULL) == 0xfe80fe8081fec1feULL);
    secret_init();
    for (uintptr_t a = 0x10000; a < 0x10000 + 16 * 4096; a += 16) {
        uint64_t w = secret_canary((const void *)a);
        for (int i = 0; i < 8; i++) {
            unsigned byte = (unsigned)(w >> (8 * i)) & 0xff;
            ck_assert(byte >= 0x80 && byte <= 0xfe);
        }
    }
}
END_TEST

/* A tag differs when any input bit does (avalanche: about half the output bits flip). */
START_TEST(one_bit_changes_half_the_tag)
{
    secret_init();
    unsigned long flipped = 0, trials = 0;
    for (int bit = 0; bit < 64; bit++) {
        uint64_t a = 0x5555aaaa0000ffffULL, b = 0x00007fffdeadbee0ULL;
        uint64_t t = secret_tag64_2(SECRET_HEADER, a, b);
        flipped += (unsigned long)__builtin_popcountll(t ^ secret_tag64_2(SECRET_HEADER, a ^ ((uint64_t)1 << bit), b));
        flipped += (unsigned long)__builtin_popcountll(t ^ secret_tag64_2(SECRET_HEADER, a, b ^ ((uint64_t)1 << bit)));
        trials += 2;
    }
    double mean = (double)flipped / (double)trials;
    ck_assert_msg(mean > 28 && mean < 36, "mean bits flipped %.2f", mean);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("secret");
    TCase *tc = tcase_create("secret");
    tcase_add_test(tc, siphash24_reference_vectors);
    tcase_add_test(tc, siphash13_reference_vectors);
    tcase_add_test(tc, word_tags_are_siphash13);
    tcase_add_test(tc, word_tag_matches_vector);
    tcase_add_test(tc, canary_bytes_never_ascii_nul_or_ff);
    tcase_add_test(tc, one_bit_changes_half_the_tag);
    suite_add_tcase(s, tc);
    return s;
}
