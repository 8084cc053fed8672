/* The per-process secrets (see secret.h) and SipHash over a byte string. */
#include "internal.h"
#include "secret.h"
#include "os.h"

struct secret_key secret_keys[SECRET_KEYS];

void secret_init(void)
{
    os_random(secret_keys, sizeof secret_keys);
}

void secret_renew(enum secret_key_id id)
{
    os_random(&secret_keys[id], sizeof secret_keys[id]);
}

static uint64_t load_le(const unsigned char *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

uint64_t secret_siphash(unsigned c, unsigned d, uint64_t k0, uint64_t k1, const void *msg, size_t len)
{
    struct secret_key k = {k0, k1};
    struct sip s = secret_sip_start(&k);
    const unsigned char *in = msg;
    size_t whole = len / 8;
    /* Each 8-byte block, then the last: the remaining bytes with len mod 256 on top. */
    for (size_t i = 0; i <= whole; i++) {
        uint64_t m = i < whole ? load_le(in + 8 * i, 8)
                               : load_le(in + 8 * i, len % 8) | (uint64_t)(len & 0xff) << 56;
        s.v3 ^= m;
        for (unsigned r = 0; r < c; r++)
            secret_sipround(&s);
        s.v0 ^= m;
    }
    s.v2 ^= 0xff;
    for (unsigned r = 0; r < d; r++)
        secret_sipround(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
