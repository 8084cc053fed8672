/* Free-size overlap (shared by size_overlap_indexed.c and size_overlap_copy.c): the
 * free block B after a live block A gets a larger size, one that also covers the live
 * block C after it; then a malloc of B's size splits B and the rest, C's memory, is
 * handed out while C is live.  ENLARGE(a, b_head, new_size) is the write. */
#include "sec.h"

/* glibc's: b (0x500 bytes, past the tcache) freed to the unsorted bin, its size then
 * enlarged over c; a malloc of b's size splits or returns it. */
static int glibc_variant(void (*enlarge)(void *a, size_t *b_head, size_t size))
{
    char *a = malloc(0x18), *b = malloc(0x4f8), *c = malloc(0x18), *d = malloc(0x18);
    if (b < a || b - a > 0x100)
        not_applicable("blocks of different sizes are not neighbours (size-class regions)");
    free(b);
    enlarge(a, (size_t *)(b - 8), (0x500 + 0x20) | 1);
    for (int i = 0; i < 16; i++) {
        char *p = malloc(0x4f8), *q = malloc(0x18);
        if (p <= c && c < p + 0x4f8)
            worked("malloc overlaps the live block c");
        if (q == c)
            worked("malloc(24) returned the live block c");
    }
    launder(d);
    failed();
}

static int overlap_main(void (*enlarge)(void *a, size_t *b_head, size_t size))
{
    if (allocator() != ON_HEAPCHECK)
        return glibc_variant(enlarge);
    groom();
    flush_prepare();
    void *a = malloc(24), *b = malloc(200), *c = malloc(24), *d = malloc(24);
    size_t bsize = size_of(b), csize = size_of(c);
    free(b);
    flush_quarantine();
    if (head_of(b) != next_head(a) || (*head_of(b) & 1))
        setup_error("b is not a free block right after a");
    enlarge(a, head_of(b), bsize + csize);
    for (int i = 0; i < 16; i++) {
        char *p = malloc(200), *q = malloc(24);
        if ((char *)p <= (char *)c && (char *)c < p + 200)
            worked("malloc(200) overlaps the live block c");
        if (q == c)
            worked("malloc(24) returned the live block c");
    }
    launder(d);
    failed();
}
