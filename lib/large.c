/* Large blocks in mappings of their own (see large.h).
 *
 *   mapping: | link header (32 B) | pad | foot word = pad | block head ... | tail |
 *
 * The word before the head would be the previous block's foot; here it holds the pad
 * (with the in-use bit, so nothing tries to coalesce backwards) from which the
 * mapping's start is found.  The list links live in the mapping, not in the heap. */
#define _GNU_SOURCE
#include "internal.h"
#include "large.h"
#include "os.h"
#include "vg.h"
#include "arena.h"

#include <sys/mman.h>

#define LG (arena_cur->lg)

typedef struct large_mapping {
    struct large_mapping *next, *prev;
    size_t len;
    size_t pad;
} mapping_t;


static mapping_t *mapping_of(block_t *b)
{
    size_t pad = blk_prev_foot(b) & ~BLK_FLAGS;
    return (mapping_t *)(b - sizeof(size_t) - pad - sizeof(mapping_t));
}

static void link_in(mapping_t *m)
{
    m->prev = NULL;
    m->next = LG.head;
    if (LG.head)
        LG.head->prev = m;
    LG.head = m;
    LG.mapped_bytes += m->len;
    LG.count++;
}

static void link_out(mapping_t *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else
        LG.head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    LG.mapped_bytes -= m->len;
    LG.count--;
}

/* Lay out a block in a mapping of len bytes with pad bytes before the foot word. */
static block_t *place(mapping_t *m, size_t len, size_t pad)
{
    m->len = len;
    m->pad = pad;
    unsigned char *foot = (unsigned char *)(m + 1) + pad;
    *(size_t *)foot = pad | BLK_INUSE;
    block_t *b = foot + sizeof(size_t);
    size_t size = (len - sizeof(mapping_t) - pad - sizeof(size_t)) & ~(BLK_GRAIN - 1);
    blk_set(b, size, BLK_INUSE | BLK_MAPPED);
    return b;
}

block_t *large_alloc(size_t size, size_t align, size_t offset)
{
    size_t page = os_page_size();
    size_t need = sizeof(mapping_t) + sizeof(size_t) + BLK_OVERHEAD + size + align;
    if (size > ((size_t)1 << 56) || need < size)
        return NULL;
    size_t len = HC_ALIGN_UP(need, page);
    mapping_t *m = os_map(len);
    if (!m)
        return NULL;
    /* Payload = m + 32 + pad + 16 must satisfy (payload + offset) % align == 0. */
    uintptr_t payload0 = (uintptr_t)(m + 1) + 2 * sizeof(size_t);
    size_t pad = (size_t)(-(payload0 + offset) & (align - 1));
    block_t *b = place(m, len, pad);
    link_in(m);
    vg_noaccess(m, len);
    return b;
}

void large_free(block_t *b)
{
    mapping_t *m = mapping_of(b);
    link_out(m);
    os_unmap(m, m->len);
}

block_t *large_resize(block_t *b, size_t size, bool may_move)
{
    mapping_t *m = mapping_of(b);
    size_t page = os_page_size();
    size_t need = sizeof(mapping_t) + m->pad + sizeof(size_t) + BLK_OVERHEAD + size;
    if (size > ((size_t)1 << 56))
        return NULL;
    size_t len = HC_ALIGN_UP(need, page);
    if (len == m->len)
        return b;
    size_t old_len = m->len;
    link_out(m);
    /* The pad keeps its meaning after a move: offsets within a mapping are preserved,
     * and mmap returns page-aligned addresses, so the payload's alignment holds. */
    mapping_t *n = mremap(m, m->len, len, may_move ? MREMAP_MAYMOVE : 0);
    if (n == MAP_FAILED) {
        link_in(m);
        return NULL;
    }
    block_t *nb = place(n, len, n->pad);
    link_in(n);
    /* Pages added to the mapping are heapcheck's until the block's resize request
     * (from the entry point) gives the program its part of them. */
    if (len > old_len)
        vg_noaccess((unsigned char *)n + old_len, len - old_len);
    return nb;
}

void large_walk(large_walk_fn *fn, void *arg)
{
    for (mapping_t *m = LG.head; m;) {
        mapping_t *next = m->next; /* fn may free the block */
        fn((unsigned char *)(m + 1) + m->pad + sizeof(size_t), arg);
        m = next;
    }
}

block_t *large_containing(const void *p)
{
    for (mapping_t *m = LG.head; m; m = m->next)
        if ((const unsigned char *)p >= (const unsigned char *)m &&
            (const unsigned char *)p < (const unsigned char *)m + m->len)
            return (unsigned char *)(m + 1) + m->pad + sizeof(size_t);
    return NULL;
}

size_t large_mapped_bytes(void) { return LG.mapped_bytes; }
size_t large_count(void) { return LG.count; }
void large_reset(void)
{
    LG.head = NULL;
    LG.mapped_bytes = LG.count = 0;
}
