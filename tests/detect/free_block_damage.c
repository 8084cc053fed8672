/* A free block of the core damaged after it left the quarantine: its first link
 * overwritten (a write after free, 16 bytes before the freed pointer, where the core
 * keeps its links), or its size word enlarged (an overrun from the block before it).
 * The next malloc of its size meets it and must report it there.
 * Usage: free_block_damage links|size [bare]  (bare: preset none's layout, where the
 * links start at the freed pointer itself) */
#include <string.h>
#include "alloc.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *flush[48];
    for (int i = 0; i < 48; i++)
        flush[i] = malloc(60000);
    char *a = malloc(24), *b = malloc(200), *c = malloc(24);
    free(b);
    for (int i = 0; i < 48; i++) /* b leaves the quarantine, into the free index */
        free(flush[i]);
    int prefix = argc > 2 ? 0 : 16; /* the guard header's bytes before the pointer */
    if (strcmp(argv[1], "links") == 0)
        *(void **)(b - prefix) = a;             /* the first link */
    else
        *(size_t *)(b - prefix - 8) += 64;      /* b's size, as a write past a's end */
    char *p = malloc(200);
    return p == b || p == c; /* not reached: the malloc reports and aborts */
}
