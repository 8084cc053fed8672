/* A bad pointer as the process's very first allocator call: it must be checked like
 * any other (before, heapcheck was not started yet and skipped every check).
 * Usage: first_call free | usable | realloc */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char static_buffer[64] = "a static buffer";
static void *(*volatile do_realloc)(void *, size_t) = realloc;
static void (*volatile do_free)(void *) = free;
static size_t (*volatile do_usable)(void *) = malloc_usable_size;

int main(int argc, char **argv)
{
    char local[32];
    if (argc < 2)
        return 2;
    if (strcmp(argv[1], "free") == 0)
        do_free((void *)(uintptr_t)1);
    else if (strcmp(argv[1], "usable") == 0)
        return do_usable(local + 8) == 0 ? 0 : 1; /* a stack address has no usable size */
    else
        do_realloc(static_buffer, 100);
    return 0;
}
