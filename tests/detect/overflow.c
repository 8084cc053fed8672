/* Heap-buffer-overflow: allocate SIZE bytes, write BYTES bytes starting right at the
 * end (the first one at offset SIZE), then free.  Usage: overflow SIZE BYTES [keep]
 * With "keep" the block is never freed: the exit-time heap check must find it. */
#include "alloc.h"
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    size_t size = strtoul(argv[1], NULL, 0), bytes = strtoul(argv[2], NULL, 0);
    char *volatile p = malloc(size);
    for (size_t i = 0; i < bytes; i++)
        p[size + i] = 0; /* a NUL, as a string copy's off-by-one writes */
    if (argc > 3)
        return 0;
    free(p);
    return 0;
}
