/* Leaks through allocation wrappers, for the reports that skip them: gnulib's xmalloc
 * (a known wrapper) and a wrapper of the project's own, my_alloc (named with
 * --alloc-fn).  `wrapper_prog` leaks one block through each, allocated in
 * make_name (MARK:xmalloc_call) and make_table (MARK:my_alloc_call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No inlining or tail calls whatever CFLAGS say (make's -O2 comes after the
 * target's -O0): each wrapper keeps its frame, as in a debug build. */
#ifdef __clang__
#pragma clang optimize off
#else
#pragma GCC optimize("O0")
#endif

void *xmalloc(size_t n);
void *my_alloc(size_t n);

__attribute__((noinline)) void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        abort();
    return p;
}

__attribute__((noinline)) void *my_alloc(size_t n)
{
    return xmalloc(n);
}

static char *kept_name;
static int *kept_table;

__attribute__((noinline)) static char *make_name(void)
{
    char *s = xmalloc(40); /* MARK:xmalloc_call */
    strcpy(s, "a name");
    return s;
}

__attribute__((noinline)) static int *make_table(void)
{
    int *t = my_alloc(64 * sizeof *t); /* MARK:my_alloc_call */
    memset(t, 0, 64 * sizeof *t);
    return t;
}

int main(void)
{
    kept_name = make_name();
    kept_table = make_table();
    printf("%s %d\n", kept_name, kept_table[3]);
    kept_name = NULL; /* both now definitely lost */
    kept_table = NULL;
    return 0;
}
