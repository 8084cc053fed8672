/* The core's block layout (boundary tags).  A block starts with a head word and ends
 * with a foot word, both holding size | flags, so either neighbour is found in O(1):
 *
 *     b-8: foot of the previous block        b: head (size | flags)
 *     b+8: payload, 16-byte aligned ...      b+size-8: foot (same as head)
 *
 * Blocks start at 8 mod 16, sizes are multiples of 16, so every payload is 16-aligned
 * and the overhead is 16 bytes.  A free block keeps its free-index links in its payload.
 * A region is framed by a prologue foot and an epilogue head, both "in use, size 0",
 * so coalescing never looks past the region's ends.
 *
 * A free block's head also carries a tag in its top BLK_TAG_BITS bits: a keyed hash of
 * the block's address, size and free-index links (freeidx.c).  The program can write
 * those words (a write after free, an overrun from the block before), so the core
 * trusts a free block's size and links only once its tag verifies.  Sizes stay below
 * 2^47 (the user address space), so the size bits never reach the tag; an in-use head
 * and every foot have no tag. */
#ifndef HC_BLOCK_H
#define HC_BLOCK_H

#include "internal.h"

#define BLK_INUSE ((size_t)1)
#define BLK_MAPPED ((size_t)2)   /* a large block in a mapping of its own */
#define BLK_FLAGS ((size_t)15)
#define BLK_OVERHEAD ((size_t)16)
#define BLK_MIN ((size_t)32)      /* room for two free-index links */
#define BLK_GRAIN ((size_t)16)
#define BLK_TAG_SHIFT 47
#define BLK_TAG_BITS (64 - BLK_TAG_SHIFT)
#define BLK_SIZE_MASK ((((size_t)1 << BLK_TAG_SHIFT) - 1) & ~BLK_FLAGS)

typedef unsigned char block_t;

static inline size_t blk_head(const block_t *b) { return *(const size_t *)b; }
static inline size_t blk_size(const block_t *b) { return blk_head(b) & BLK_SIZE_MASK; }
static inline bool blk_inuse(const block_t *b) { return (blk_head(b) & BLK_INUSE) != 0; }
static inline size_t *blk_foot(const block_t *b)
{
    return (size_t *)(b + blk_size(b) - sizeof(size_t));
}
static inline void *blk_payload(block_t *b) { return b + sizeof(size_t); }
static inline block_t *blk_of_payload(void *p) { return (block_t *)p - sizeof(size_t); }
static inline block_t *blk_next(block_t *b) { return b + blk_size(b); }
/* Foot word of the block before b (or the prologue). */
static inline size_t blk_prev_foot(const block_t *b) { return *(const size_t *)(b - sizeof(size_t)); }
static inline block_t *blk_prev(block_t *b) { return b - (blk_prev_foot(b) & BLK_SIZE_MASK); }

static inline void blk_set(block_t *b, size_t size, size_t flags)
{
    *(size_t *)b = size | flags;
    *(size_t *)(b + size - sizeof(size_t)) = size | flags;
}

/* Smallest block that holds n payload bytes, or 0 when n is absurdly large. */
static inline size_t blk_size_for(size_t n)
{
    if (n > ((size_t)1 << (BLK_TAG_SHIFT - 1)))
        return 0; /* no address space holds it; and the size must not reach the tag */
    size_t s = HC_ALIGN_UP(n + BLK_OVERHEAD, BLK_GRAIN);
    return s < BLK_MIN ? BLK_MIN : s;
}

#endif
