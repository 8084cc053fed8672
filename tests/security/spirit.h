/* House of spirit (shared by spirit_stack.c, spirit_bss.c, spirit_heap.c): a fake
 * block laid out as heapcheck's (a 64-byte in-use head and foot, a guard header) is
 * freed; if the allocator takes it, a later malloc of its size returns it. */
#include "sec.h"

/* glibc's (tcache house of spirit): a size word 0x41 before the fake pointer. */
static int glibc_variant(struct fake_block *fake)
{
    free(malloc(1)); /* the thread cache exists from the first malloc */
    fake->link[1] = (void *)(uintptr_t)0x41;       /* the size word at u - 8 */
    void *u = &fake->rest[0];                        /* 16-aligned */
    *(size_t *)(fake->rest + 0x38) = 0x21;           /* a sane next size */
    free(u);
    if (malloc(0x38) == u)
        worked("malloc returned the fake block");
    failed();
}

static int spirit_main(struct fake_block *fake)
{
    if (allocator() != ON_HEAPCHECK)
        return glibc_variant(fake);
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
