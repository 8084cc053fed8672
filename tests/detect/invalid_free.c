/* Invalid frees: of an interior pointer (p + OFFSET), a stack address, a global, or
 * an address that is not mapped.  Usage: invalid_free interior OFFSET | stack |
 * global | unmapped */
#include <stdint.h>
#include "alloc.h"
#include <string.h>

static long global_object[4];

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char *volatile p = malloc(40);
    long local_object[4];
    void *volatile target;
    if (strcmp(argv[1], "interior") == 0)
        target = p + atoi(argv[2]);
    else if (strcmp(argv[1], "stack") == 0)
        target = local_object;
    else if (strcmp(argv[1], "global") == 0)
        target = global_object;
    else
        target = (void *)(uintptr_t)0x10000ff0; /* below any mapping of a PIE program */
    free(target);
    free(p);
    return 0;
}
