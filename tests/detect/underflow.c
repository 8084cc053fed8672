/* Heap-buffer-underflow: write one byte BYTES bytes before a 32-byte block, then free.
 * Usage: underflow BYTES */
#include "alloc.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    long bytes = strtol(argv[1], NULL, 0);
    char *volatile p = malloc(32);
    p[-bytes] = 0; /* never a canary byte, so the write always changes one */
    free(p);
    return 0;
}
