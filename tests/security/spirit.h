/* House of spirit (shared by spirit_stack.c, spirit_bss.c, spirit_heap.c): a fake
 * block laid out as heapcheck's (a 64-byte in-use head and foot, a guard header) is
 * freed; if the allocator takes it, a later malloc of its size returns it. */
#include "sec.h"

static int spirit_main(struct fake_block *fake)
{
    groom();
    flush_prepare();
    fake_set(fake, 64, 1);
    void *u = fake_user(fake);
    free(u);
    flush_quarantine();
    for (int i = 0; i < 64; i++)
        if (malloc(24) == u)
            worked("malloc returned the fake block");
    failed();
}
