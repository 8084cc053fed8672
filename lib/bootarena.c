/* The start-up arena (see bootarena.h): a bump allocator over a static buffer, each
 * allocation preceded by its size so realloc can copy it out. */
#include "internal.h"
#include "bootarena.h"

#define ARENA_SIZE (64 * 1024)

static _Alignas(64) unsigned char arena[ARENA_SIZE];
static size_t used;

void *bootarena_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t start = HC_ALIGN_UP(used + sizeof(size_t), align);
    if (size > ARENA_SIZE || start + size > ARENA_SIZE)
        return NULL;
    *(size_t *)(arena + start - sizeof(size_t)) = size;
    used = start + size;
    return arena + start;
}

bool bootarena_owns(const void *p)
{
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + ARENA_SIZE;
}

size_t bootarena_usable(const void *p)
{
    return *(const size_t *)((const unsigned char *)p - sizeof(size_t));
}
