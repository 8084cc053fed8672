/* Double free a-b-a: another free in between hides the repeat from a check of the
 * last block freed; two later mallocs return a twice. */
#include "sec.h"

int main(void)
{
    groom();
    flush_prepare();
    void *a = malloc(24), *sep = malloc(24), *b = malloc(24), *after = malloc(24);
    free(a);
    free(b);
    free(launder(a));
    flush_quarantine();
    void *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = malloc(24);
        for (int j = 0; j < i; j++)
            if (p[j] == p[i])
                worked("the same block handed out twice");
    }
    launder(sep);
    launder(after);
    failed();
}
