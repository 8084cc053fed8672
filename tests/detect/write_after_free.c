/* Write after free: write one byte at OFFSET of a freed 64-byte block, then churn the
 * heap until the block leaves the quarantine (or call the heap check with "check").
 * Usage: write_after_free OFFSET [check] */
#include <heapcheck.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int offset = atoi(argv[1]);
    char *volatile p = malloc(64);
    free(p);
    p[offset] = 'w';
    if (argc > 2) {
        hc_check_heap();
        return 0;
    }
    for (int i = 0; i < 100000; i++)
        free(malloc(512));
    return 0;
}
