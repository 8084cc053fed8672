/* A write after free into a block in the hardened preset's hold (issue 21, item 5):
 * the hold keeps a freed block in use in the core, so a dangling pointer's write to
 * its header must be caught before the core trusts that header (when the block
 * leaves the hold).  (A write to its payload or rear canary is not looked for: the
 * hardened preset has no poison, docs/design.md "The hold".) */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *volatile a = malloc(40);
    free(a);
    unsigned char *p = (unsigned char *)a;
    __asm__("" : "+r"(p)); /* the dangling pointer */
    p[-11] ^= 1; /* the allocation stack field, 16 bytes before the payload */
    /* Enough frees that a leaves the hold (one in 32 each): 1 - (31/32)^400 > 0.999999. */
    for (int i = 0; i < 400; i++) {
        char *volatile t = malloc(40);
        free(t);
    }
    printf("no report\n");
    return 0;
}
