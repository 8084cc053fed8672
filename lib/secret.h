/* The per-process secret and the keyed values made from it: header checksums and
 * canary words.  The secret comes from getrandom() at start-up (and again in a fork
 * child is not needed: the child's blocks were made with the parent's secret). */
#ifndef HC_SECRET_H
#define HC_SECRET_H

#include "internal.h"

extern uint64_t secret_key[2];

void secret_init(void);

static inline uint64_t secret_mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

/* One round of the checksum: a keyed multiply-xorshift.  Each input word enters
 * through its own round, so no change to one word can be cancelled by a change to
 * another without knowing the key. */
static inline uint64_t secret_round(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* A 32-bit checksum of two words and the address they are kept at. */
static inline uint32_t secret_checksum(const void *where, uint64_t a, uint64_t b)
{
    uint64_t h = secret_key[0] ^ (uint64_t)(uintptr_t)where;
    h = secret_round(h, a);
    h = secret_round(h, b + secret_key[1]);
    h = secret_mix(h);
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* A canary word for the block at where: unpredictable, different per block, and
 * every byte in 0x80..0xfe.  So a byte an overrun writes most often, a NUL or any
 * ASCII character (a string's terminator or text) or 0xff (-1), always changes it;
 * a random byte matches one in 127 times.  (A random canary byte matched an 'x'
 * written one past the end one time in 255: a flaky test, a missed bug.) */
static inline uint64_t secret_canary(const void *where)
{
    const uint64_t high = 0x8080808080808080ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t w = secret_mix(secret_key[1] ^ (uint64_t)(uintptr_t)where) | high;
    /* 0x80 in each byte of w that is 0xff (a zero byte of ~w, found exactly). */
    uint64_t x = ~w, all_ones = ~(((x & low7) + low7) | x | low7);
    return w ^ (all_ones >> 7); /* 0xff becomes 0xfe */
}

#endif
