/* Header forging with a leaked canary word (issue 21, item 3): the attack that
 * recovered heapcheck's keys from what a program can read, replayed.
 *
 * It reads what the attack read: the rear-canary word of small blocks (the bytes an
 * unterminated string leaks: never NUL) and their 16-byte headers with the core's
 * head word.  Then it runs the old algebra: a canary was mix(key1 ^ address) with
 * each byte's top bit set, and mix is invertible, so the canary word gives about a
 * thousand candidates for key1 (each byte's top bit, and 0xfe that may have been
 * 0xff), of which only the true key reproduces the canary of another block.  With
 * key1, the 32-bit checksum gave key0 by a 2^32 search.  With both, it rewrites a
 * header (another allocation stack) with a valid checksum and frees the block.
 *
 * Prints what each step found.  Against keyed SipHash tags no candidate reproduces
 * another block's canary (the search is skipped), the header is forged with the best
 * guess, and free() must report it.  Run preloaded under preset=hardened or full; the
 * test script (keys_header_forge.sh) checks the lines and the report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIX_C 0xd6e8feb86659fd93ULL
#define ROUND_G 0x9e3779b97f4a7c15ULL
#define BLOCKS 4

static uint64_t inverse(uint64_t a) /* mod 2^64, a odd: Newton's iteration */
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

/* The old secret_mix and its inverse. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= MIX_C;
    x ^= x >> 32;
    x *= MIX_C;
    return x ^ (x >> 32);
}

static uint64_t unmix(uint64_t x)
{
    uint64_t ci = inverse(MIX_C);
    x ^= x >> 32;
    x *= ci;
    x ^= x >> 32;
    x *= ci;
    return x ^ (x >> 32);
}

/* The old checksum's round and its inverse given v. */
static uint64_t round_(uint64_t h, uint64_t v)
{
    h = (h ^ v) * ROUND_G;
    return h ^ (h >> 29);
}

static uint64_t unround(uint64_t y, uint64_t v, uint64_t gi)
{
    y ^= (y >> 29) ^ (y >> 58);
    return (y * gi) ^ v;
}

static uint64_t old_canary(uint64_t key1, uint64_t where)
{
    uint64_t w = mix(key1 ^ where) | 0x8080808080808080ULL;
    for (int i = 0; i < 8; i++)
        if (((w >> (8 * i)) & 0xff) == 0xff)
            w ^= (uint64_t)1 << (8 * i);
    return w;
}

static uint32_t old_checksum(uint64_t key0, uint64_t key1, uint64_t where, uint64_t a, uint64_t b)
{
    uint64_t h = key0 ^ where;
    h = round_(h, a);
    h = round_(h, b + key1);
    h = mix(h);
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

struct seen {
    unsigned char *u, *hdr;
    uint64_t canary, head, a;
    uint32_t checksum;
};

/* The compiler must not know which object u points into: the reads around it are the
 * attack. */
static unsigned char *launder(unsigned char *u)
{
    __asm__("" : "+r"(u));
    return u;
}

static void observe(struct seen *s, unsigned char *u)
{
    s->u = u;
    u = launder(u);
    s->hdr = u - 16;
    memcpy(&s->canary, u + 8, 8); /* what strlen past 8 bytes of text reads */
    memcpy(&s->head, u - 24, 8);  /* the core's head word */
    uint32_t stack, info;
    memcpy(&s->checksum, s->hdr, 4);
    memcpy(&stack, s->hdr + 4, 4);
    memcpy(&info, s->hdr + 8, 4);
    s->a = (uint64_t)stack << 32 | info;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct seen blk[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        unsigned char *u = malloc(8);
        memcpy(u, "ABCDEFGH", 8); /* 8 bytes of text, no NUL: the canary follows */
        observe(&blk[i], u);
    }
    /* Step 1: candidates for key1 from block 0's canary word. */
    unsigned long candidates = 0, reproduce = 0;
    uint64_t key1 = 0;
    int unknown[16], nunknown = 0; /* bit positions: each byte's top bit, 0xfe's low bit */
    for (int i = 0; i < 8; i++) {
        unknown[nunknown++] = 8 * i + 7;
        if (((blk[0].canary >> (8 * i)) & 0xff) == 0xfe)
            unknown[nunknown++] = 8 * i;
    }
    for (unsigned long m = 0; m < (1ul << nunknown); m++) {
        uint64_t x = blk[0].canary;
        for (int j = 0; j < nunknown; j++) {
            uint64_t bit = (uint64_t)1 << unknown[j];
            if (unknown[j] % 8 == 7)
                x = (m >> j & 1) ? x | bit : x & ~bit;
            else
                x = (m >> j & 1) ? x | bit : x; /* 0xfe that was 0xff */
        }
        candidates++;
        uint64_t k = unmix(x) ^ ((uint64_t)(uintptr_t)blk[0].hdr + 1);
        int ok = 1;
        for (int b = 1; b < BLOCKS && ok; b++)
            ok = old_canary(k, (uint64_t)(uintptr_t)blk[b].hdr + 1) == blk[b].canary;
        if (ok) {
            reproduce++;
            key1 = k;
        }
    }
    printf("canary inversion: %lu candidates for key1, %lu reproduce the canaries of %d other blocks\n",
           candidates, reproduce, BLOCKS - 1);

    /* Step 2: key0 by the 2^32 search of block 0's checksum (only with key1). */
    uint64_t key0 = 0;
    int have_key0 = 0;
    if (reproduce) {
        uint64_t gi = inverse(ROUND_G);
        time_t start = time(NULL);
        for (uint64_t lo = 0; lo < ((uint64_t)1 << 32) && !have_key0; lo++) {
            uint64_t out = ((uint64_t)(blk[0].checksum ^ (uint32_t)lo) << 32) | lo;
            uint64_t r1 = unround(unmix(out), blk[0].head + key1, gi);
            uint64_t k0 = unround(r1, blk[0].a, gi) ^ (uint64_t)(uintptr_t)blk[0].hdr;
            int ok = 1;
            for (int b = 1; b < BLOCKS && ok; b++)
                ok = old_checksum(k0, key1, (uint64_t)(uintptr_t)blk[b].hdr, blk[b].a, blk[b].head) ==
                     blk[b].checksum;
            if (ok) {
                key0 = k0;
                have_key0 = 1;
            }
        }
        printf("checksum search: key0 %s in %ld s\n", have_key0 ? "found" : "not found",
               (long)(time(NULL) - start));
    } else {
        printf("checksum search: skipped (no key1)\n");
    }
    printf("key recovered: %s\n", have_key0 ? "yes" : "no");

    /* Step 3: forge block 1's header (another allocation stack) with the keys found
     * (or the best guess), then free it. */
    struct seen *v = &blk[1];
    v->hdr = launder(v->hdr);
    uint64_t a = v->a ^ ((uint64_t)0x1234 << 32);
    uint32_t stack = (uint32_t)(a >> 32), sum = old_checksum(key0, key1, (uint64_t)(uintptr_t)v->hdr, a, v->head);
    memcpy(v->hdr + 4, &stack, 4);
    memcpy(v->hdr, &sum, 4);
    printf("forged header: freeing it\n");
    free(v->u);
    printf("forged header accepted by free()\n");
    return 0;
}
