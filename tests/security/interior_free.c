/* Interior free: a pointer 32 bytes inside a live block is freed; if the allocator
 * takes it, the next malloc returns memory inside the live block. */
#include "sec.h"

int main(void)
{
    groom();
    flush_prepare();
    char *a = malloc(200);
    free(a + 32);
    flush_quarantine();
    for (int i = 0; i < 64; i++) {
        char *p = malloc(100);
        if (p >= a && p < a + 200)
            worked("malloc returned memory inside a live block");
    }
    failed();
}
