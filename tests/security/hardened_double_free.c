/* Double free, a-a and a-b-a (issue 21, item 4): under the hardened preset (no
 * quarantine) the second free of a was reported as "invalid-free of a wild pointer".
 * Usage: hardened_double_free aa|aba|aXa
 *   aa   free(a); free(a)
 *   aba  free(a); free(b); free(a)
 *   aXa  free(a); 200 other mallocs and frees; free(a): a has left the hold */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "aa";
    char *volatile a = malloc(40);
    char *volatile b = malloc(40);
    free(a);
    if (strcmp(mode, "aba") == 0) {
        free(b);
    } else if (strcmp(mode, "aXa") == 0) {
        for (int i = 0; i < 200; i++)
            free(malloc(100 + (size_t)i));
    } else if (strcmp(mode, "aa") != 0) {
        fprintf(stderr, "usage: hardened_double_free aa|aba|aXa\n");
        return 2;
    }
    free(a);
    printf("the second free of a returned\n");
    return 0;
}
