/* A stray memset that runs from one block over the next block's header; the damage
 * is found when the second block is freed. */
#include "alloc.h"
#include <string.h>

int main(void)
{
    char *volatile a = malloc(40);
    char *volatile b = malloc(40);
    /* 48 bytes too many: over a's canary and b's header.  Zeros, which no canary byte
     * is, so every byte written over one changes it. */
    memset(a, 0, 40 + 48);
    free(b);
    free(a);
    return 0;
}
