/* A read after free: a 40-byte block is freed, then one of its bytes read.  Memcheck
 * must report "Invalid read" at the marked line, "inside a block of size 40 free'd",
 * with a free stack that leads to this file: heapcheck tells memcheck of the free and
 * keeps the block in its quarantine, so the address is not reused meanwhile. */
#include <stdlib.h>
#include <string.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

static volatile char sink;

int main(void)
{
    char *volatile p = do_malloc(40);
    if (!p)
        return 2;
    memset(p, 'r', 40);
    do_free(p); /* memcheck.sh: freed here */
    sink = p[17]; /* BUG: already freed; memcheck.sh: error here */
    return 0;
}
