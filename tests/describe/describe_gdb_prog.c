/* For describe_gdb.sh: a program to stop in gdb.  `here` is where it stops with a live
 * block (p, 40 bytes, in a guarded slot); then a 70000-byte block (too large for a
 * slot) is allocated, which stops it inside the allocator with its arena's lock held;
 * then it frees p and reads it (the slot is closed: the read faults), and gdb stops
 * at the SIGSEGV.  -O0, so gdb sees p. */
#if defined(__clang__)
#pragma clang optimize off
#elif defined(__GNUC__)
#pragma GCC optimize("O0")
#endif
#include <stdlib.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;

void here(char *p);
void __attribute__((noinline)) here(char *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

int main(void)
{
    char *p = do_malloc(40);
    here(p);
    char *big = do_malloc(70000);
    do_free(big);
    do_free(p);
    return *(volatile char *)p; /* a read after free: faults on the closed slot */
}
