/* Poison null byte: one NUL written past a block's end, onto the low byte of the next
 * free block's size word (0x110 becomes 0x100).  The allocator then splits a block it
 * believes smaller than the request: the remainder's size wraps around and covers
 * everything after it, live blocks included. */
#include "sec.h"

int main(void)
{
    if (allocator() != ON_HEAPCHECK)
        not_applicable("not ported to glibc's layout");
    groom();
    flush_prepare();
    void *a = malloc(24), *b = malloc(0x110 - 40), *c = malloc(24), *d = malloc(24);
    free(b);
    flush_quarantine();
    if (size_of(b) != 0x110 || head_of(b) != next_head(a))
        setup_error("b is not a free 0x110-byte block right after a");
    *(unsigned char *)launder(head_of(b)) = 0; /* the off-by-one NUL, aimed at the size */
    char *p = malloc(0x110 - 40);
    for (int i = 0; i < 16; i++) {
        char *q = malloc(60000);
        if (q && q <= (char *)c && (char *)c < q + 60000)
            worked("a new block overlaps the live block c");
    }
    launder(p);
    launder(d);
    failed();
}
