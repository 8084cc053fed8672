/* Allocates two blocks from each of 2^DEPTH distinct call stacks (more than 8192, the
 * size the dump writer's set of written stacks once had) and keeps one of each pair:
 * every stack is named by two leak records, a definite leak and a reachable block, so
 * a set that forgets stacks writes them twice.  level() walks down DEPTH calls, each
 * through via_a or via_b as the path's bits say, so every path is a different chain
 * of return addresses.  tests/tool/many_stacks.sh checks the exit dump. */
/* -O0 (CFLAGS come after the Makefile's): an optimizer would fold the recursion. */
#if defined(__clang__)
#pragma clang optimize off
#elif defined(__GNUC__)
#pragma GCC optimize("O0")
#endif

#include <stdlib.h>

#define DEPTH 14

static void *kept[1u << DEPTH];

static void level(int depth, unsigned path, unsigned id);

static __attribute__((noinline)) void via_a(int depth, unsigned path, unsigned id) { level(depth, path, id); }
static __attribute__((noinline)) void via_b(int depth, unsigned path, unsigned id) { level(depth, path, id); }

static __attribute__((noinline)) void level(int depth, unsigned path, unsigned id)
{
    if (depth > 0) {
        if (path & 1)
            via_a(depth - 1, path >> 1, id);
        else
            via_b(depth - 1, path >> 1, id);
        return;
    }
    for (int i = 0; i < 2; i++) { /* one call site: both blocks get the same stack */
        volatile char *x = malloc(16);
        x[0] = 1;
        if (i == 0)
            kept[id] = (void *)x; /* reachable from a global */
        /* the second is dropped: a definite leak */
    }
}

int main(void)
{
    for (unsigned p = 0; p < 1u << DEPTH; p++)
        level(DEPTH, p, p);
    return kept[0] ? 0 : 1;
}
