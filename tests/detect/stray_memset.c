/* A stray memset that runs from one block over the next block's header; the damage
 * is found when the second block is freed. */
#include "alloc.h"
#include <string.h>

int main(void)
{
    char *volatile a = malloc(40);
    char *volatile b = malloc(40);
    memset(a, 'A', 40 + 48); /* 48 bytes too many: over a's canary and b's header */
    free(b);
    free(a);
    return 0;
}
