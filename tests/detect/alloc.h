/* The allocator, called through volatile function pointers: a compiler may delete a
 * malloc/free pair it can see through (and with it the bug under test). */
#ifndef DETECT_ALLOC_H
#define DETECT_ALLOC_H

#include <stdlib.h>

static void *(*volatile do_malloc)(size_t) = malloc;
static void *(*volatile do_realloc)(void *, size_t) = realloc;
static void (*volatile do_free)(void *) = free;
#define malloc(n) do_malloc(n)
#define realloc(p, n) do_realloc(p, n)
#define free(p) do_free(p)

#endif
