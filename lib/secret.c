/* The per-process secret (see secret.h). */
#include "internal.h"
#include "secret.h"
#include "os.h"

uint64_t secret_key[2];

void secret_init(void)
{
    os_random(secret_key, sizeof secret_key);
}
