/* vg_suite: every allocation entry point a C program reaches, the way gnulib's
 * x*alloc wrappers use them, for valgrind_suite.sh: memcheck, started by a test
 * suite while libheapcheck is preloaded in the environment, must see one allocator.
 *   vg_suite        allocate and free everything: no error, no leak
 *   vg_suite leak   the same, and a 77-byte block from reallocarray is leaked */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

static void *xreallocarray(void *p, size_t n, size_t s)
{
    void *q = reallocarray(p, n, s);
    if (!q && n && s) {
        fputs("memory exhausted\n", stderr);
        exit(2);
    }
    return q;
}

int main(int argc, char **argv)
{
    /* gnulib's growing array: reallocarray from NULL, grown, freed with free. */
    char *a = NULL;
    for (size_t n = 1; n <= 4096; n *= 2) {
        a = xreallocarray(a, n, 3);
        memset(a, 'a', n * 3);
    }
    free(a);
    char *r = realloc(NULL, 10);
    r = realloc(r, 100);
    memset(r, 'r', 100);
    free(r);
    void *p = aligned_alloc(64, 128);
    free(p);
    if (posix_memalign(&p, 128, 40) != 0)
        return 1;
    free(p);
    free(memalign(256, 10));
    free(valloc(10));
    char *pv = pvalloc(100);
    pv[0] = 'p';
    free(pv);
    int *c = calloc(10, sizeof *c);
    if (c[9] != 0)
        return 1;
    free(c);
    char *u = malloc(13);
    size_t usable = malloc_usable_size(u);
    memset(u, 'u', usable < 13 ? usable : 13);
    free(u);
    char *d = strdup("a string");
    free(d);
    /* realloc of a reallocarray block, reallocarray of a malloc block */
    char *m = reallocarray(malloc(8), 4, 8);
    m = realloc(m, 64);
    free(m);
    if (argc > 1 && !strcmp(argv[1], "leak")) {
        sink = xreallocarray(NULL, 7, 11); /* 77 bytes, never freed */
        sink = NULL;
    }
    puts("vg_suite: done");
    return 0;
}
