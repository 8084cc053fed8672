/* Unsafe unlink: a forged back link in a freed block makes the unlink that takes it
 * out of its list write a value of the attacker's choosing (what) at an address of
 * the attacker's choosing (where), and leaves the block in the list to be handed out
 * twice. */
#include "sec.h"

static void *where[2] __attribute__((aligned(16)));
static void *what[2] __attribute__((aligned(16)));

int main(void)
{
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
