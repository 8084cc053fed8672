/* realloc of a pointer that is not a live block: one already freed, or an interior
 * pointer.  Usage: realloc_bad freed | interior */
#include "alloc.h"
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char *volatile p = malloc(48);
    if (strcmp(argv[1], "freed") == 0) {
        free(p);
        p = realloc(p, 100);
    } else {
        p = realloc(p + 8, 100);
    }
    return p != NULL;
}
