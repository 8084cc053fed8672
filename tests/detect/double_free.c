/* Double free: free a block twice, at once or after OTHER allocations and frees.
 * Usage: double_free OTHERS */
#include "alloc.h"

int main(int argc, char **argv)
{
    int others = argc > 1 ? atoi(argv[1]) : 0;
    char *volatile p = malloc(24);
    free(p);
    for (int i = 0; i < others; i++)
        free(malloc((size_t)(16 + i % 200)));
    free(p);
    return 0;
}
