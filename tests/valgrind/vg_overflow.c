/* A heap-buffer-overflow by one byte: a NUL written just past a 13-byte block, as a
 * string copy that forgot the room for its terminator.  Under memcheck with heapcheck
 * underneath, memcheck must report the write at the marked line, "0 bytes after a
 * block of size 13", from the block heapcheck described to it. */
#include <stdlib.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

int main(void)
{
    char *volatile p = do_malloc(13);
    if (!p)
        return 2;
    for (int i = 0; i < 13; i++)
        p[i] = 'x';
    p[13] = '\0'; /* BUG: one byte past the end; memcheck.sh: error here */
    do_free(p);
    return 0;
}
