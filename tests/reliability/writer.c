/* A program with something to report: N blocks (default 3) leaked, so the leak
 * report has several records and the dump some content.  Usage: writer [N] */
#include <stdlib.h>

static void *(*volatile do_malloc)(size_t) = malloc;

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    for (int i = 0; i < n; i++) {
        void *volatile p = do_malloc(100 + (size_t)i * 16);
        p = NULL;
        (void)p;
    }
    return 0;
}
