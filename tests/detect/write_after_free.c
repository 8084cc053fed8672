/* Write after free: write one byte at OFFSET of a freed 64-byte block, then churn the
 * heap until the block leaves the quarantine (or call the heap check with "check").
 * Usage: write_after_free OFFSET [check] */
/* hc_check_heap, looked up at run time: the plain program is not linked with us */
#include <dlfcn.h>
#include "alloc.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int offset = atoi(argv[1]);
    char *volatile p = malloc(64);
    free(p);
    p[offset] = 'w';
    if (argc > 2) {
        size_t (*check)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "hc_check_heap");
        return check ? (int)check() : 99;
    }
    for (int i = 0; i < 100000; i++)
        free(malloc(512));
    return 0;
}
