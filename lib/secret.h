/* The per-process secrets and the keyed values made from them: header checksums,
 * canary words, and any other tag a module needs over words the program can write.
 *
 * Every value is a SipHash-1-3 tag (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012; written here from the paper's description): a keyed
 * pseudo-random function with a 128-bit key.  Unlike the multiply-xorshift mix it
 * replaced, it cannot be inverted: an attacker who reads any number of tags (a
 * canary through an unterminated string, a header) learns nothing that computes
 * another tag, short of a 2^128 search of the key (docs/design.md, "Keys").
 *
 * Each use has a key of its own, all from getrandom() at start-up: reading canaries
 * tells nothing about header checksums and the other way round.  A fork child keeps
 * its parent's keys (its blocks were made with them).
 *
 * The API for a new tag: pick (or add) a key id and call secret_tag64_1/2/3 with the
 * words to cover, the address they are kept at among them (so a copy elsewhere does
 * not verify).  Truncate the 64-bit result to the field's width. */
#ifndef HC_SECRET_H
#define HC_SECRET_H

#include "internal.h"

enum secret_key_id {
    SECRET_CANARY,     /* canary words (guard.c, slots.c), the slots' sampling seed */
    SECRET_HEADER,     /* guard headers' checksums and front canaries */
    SECRET_FREE_BLOCK, /* the core's free-block tags (freeidx.c tag_of) */
    SECRET_RANDOM,     /* seeds of reuse-order randomization (quarantine.c) */
    SECRET_KEYS
};

struct secret_key {
    uint64_t k0, k1;
};
extern struct secret_key secret_keys[SECRET_KEYS];

void secret_init(void);
/* A fresh key for id (a fork child's random order must not repeat its parent's). */
void secret_renew(enum secret_key_id id);

/* SipHash-c-d of len bytes under the key (k0, k1) as the paper defines it (the key's
 * bytes are k0 then k1, little-endian): for the test vectors and any byte string. */
uint64_t secret_siphash(unsigned c, unsigned d, uint64_t k0, uint64_t k1, const void *msg, size_t len);

#define SECRET_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* The state and one SipRound, as the paper's figure 2. */
struct sip {
    uint64_t v0, v1, v2, v3;
};

static inline void secret_sipround(struct sip *s)
{
    s->v0 += s->v1;
    s->v1 = SECRET_ROTL(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = SECRET_ROTL(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = SECRET_ROTL(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = SECRET_ROTL(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = SECRET_ROTL(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = SECRET_ROTL(s->v2, 32);
}

static inline struct sip secret_sip_start(const struct secret_key *k)
{
    /* "somepseudorandomlygeneratedbytes" */
    return (struct sip){k->k0 ^ 0x736f6d6570736575ULL, k->k1 ^ 0x646f72616e646f6dULL,
                        k->k0 ^ 0x6c7967656e657261ULL, k->k1 ^ 0x7465646279746573ULL};
}

/* One message word through c = 1 compression round. */
static inline void secret_sip_word(struct sip *s, uint64_t m)
{
    s->v3 ^= m;
    secret_sipround(s);
    s->v0 ^= m;
}

/* The last block of a message of nwords whole words (its length byte, no tail), then
 * d = 3 finalization rounds. */
static inline uint64_t secret_sip_finish(struct sip *s, unsigned nwords)
{
    secret_sip_word(s, (uint64_t)(nwords * 8 & 0xff) << 56);
    s->v2 ^= 0xff;
    secret_sipround(s);
    secret_sipround(s);
    secret_sipround(s);
    return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* SipHash-1-3 of the little-endian bytes of 1, 2 or 3 words under key id: the same
 * value as secret_siphash(1, 3, ...) of those bytes (tests/unit/check_secret.c). */
static inline uint64_t secret_tag64_1(enum secret_key_id id, uint64_t a)
{
    struct sip s = secret_sip_start(&secret_keys[id]);
    secret_sip_word(&s, a);
    return secret_sip_finish(&s, 1);
}

static inline uint64_t secret_tag64_2(enum secret_key_id id, uint64_t a, uint64_t b)
{
    struct sip s = secret_sip_start(&secret_keys[id]);
    secret_sip_word(&s, a);
    secret_sip_word(&s, b);
    return secret_sip_finish(&s, 2);
}

static inline uint64_t secret_tag64_3(enum secret_key_id id, uint64_t a, uint64_t b, uint64_t c)
{
    struct sip s = secret_sip_start(&secret_keys[id]);
    secret_sip_word(&s, a);
    secret_sip_word(&s, b);
    secret_sip_word(&s, c);
    return secret_sip_finish(&s, 3);
}

/* A word made a canary: every byte in 0x80..0xfe.  So a byte an overrun writes most
 * often, a NUL or any ASCII character (a string's terminator or text) or 0xff (-1),
 * always changes it; a random byte matches one in 127 times.  (A random canary byte
 * matched an 'x' written one past the end one time in 255: a flaky test, a missed
 * bug.)  Each byte keeps 7 bits of the tag, less the 1/128 of 0xff folded onto 0xfe. */
static inline uint64_t secret_canary_bytes(uint64_t w)
{
    const uint64_t high = 0x8080808080808080ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
    w |= high;
    /* 0x80 in each byte of w that is 0xff (a zero byte of ~w, found exactly). */
    uint64_t x = ~w, all_ones = ~(((x & low7) + low7) | x | low7);
    return w ^ (all_ones >> 7); /* 0xff becomes 0xfe */
}

/* The canary word for the block at where: one SipHash per block, under the canary
 * key, of the address alone (so it never changes while the block lives). */
static inline uint64_t secret_canary(const void *where)
{
    return secret_canary_bytes(secret_tag64_1(SECRET_CANARY, (uint64_t)(uintptr_t)where));
}

#endif
