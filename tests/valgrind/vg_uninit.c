/* A branch on uninitialized heap memory: malloc's block is never written before the
 * test.  Memcheck must say "Conditional jump or move depends on uninitialised
 * value(s)" at the marked line: heapcheck's fill pattern makes the bytes predictable
 * but memcheck must still know them as undefined.  The branch leads to a call that
 * does not return, so that no compiler can turn it into arithmetic, which memcheck
 * would not report. */
#include <stdlib.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

int main(void)
{
    int *volatile p = do_malloc(8 * sizeof(int));
    if (!p)
        return 2;
    p[0] = 1; /* the rest stays uninitialized */
    if (p[5] == 0x5eed) /* BUG: never written; memcheck.sh: error here */
        abort();
    do_free(p);
    return 0;
}
