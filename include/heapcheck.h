/* heapcheck: a debugging and hardened memory allocator for C.
 *
 * Linking libheapcheck (or preloading it) replaces malloc, free, calloc, realloc,
 * reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc and
 * malloc_usable_size for the whole program.  This header adds the same operations
 * under hc_ names, plus heap checks and statistics.  Options come from the
 * environment variable HEAPCHECK_OPTIONS; see heapcheck(1) and libheapcheck(3). */
#ifndef HEAPCHECK_H
#define HEAPCHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HC_VERSION_MAJOR 0
#define HC_VERSION_MINOR 1
#define HC_VERSION_PATCH 0

#if defined(HC_BUILDING_LIBRARY)
#define HC_EXPORT __attribute__((visibility("default")))
#else
#define HC_EXPORT
#endif

/* The standard operations, with the same semantics as glibc's. */
HC_EXPORT void *hc_malloc(size_t size);
HC_EXPORT void hc_free(void *ptr);
HC_EXPORT void *hc_calloc(size_t count, size_t size);
HC_EXPORT void *hc_realloc(void *ptr, size_t size);
HC_EXPORT void *hc_reallocarray(void *ptr, size_t count, size_t size);
HC_EXPORT int hc_posix_memalign(void **out, size_t alignment, size_t size);
HC_EXPORT void *hc_aligned_alloc(size_t alignment, size_t size);
HC_EXPORT void *hc_memalign(size_t alignment, size_t size);
HC_EXPORT void *hc_valloc(size_t size);
HC_EXPORT void *hc_pvalloc(size_t size);
HC_EXPORT size_t hc_malloc_usable_size(void *ptr);

/* Verify every invariant of the heap (block tiling, boundary tags, checksums,
 * canaries, quarantine poison, the free index and the pointer set).  Each problem is
 * reported as an error (and, by default, aborts); returns the number found. */
HC_EXPORT size_t hc_check_heap(void);

/* Run the leak check now and print its full report (as at exit).  Returns the bytes
 * lost in the kinds that count as errors (errors_for_leak_kinds). */
HC_EXPORT size_t hc_leak_report(void);

struct hc_stats {
    size_t live_bytes;        /* bytes requested by the program and not yet freed */
    size_t live_blocks;       /* blocks allocated and not yet freed */
    size_t heap_bytes;        /* memory heapcheck holds from the OS */
    size_t mapped_bytes;      /* of which large blocks mapped on their own */
    size_t free_bytes;        /* in free blocks, ready for reuse */
    size_t free_blocks;
    size_t largest_free;      /* the largest request a free block could serve */
    size_t quarantine_bytes;  /* freed blocks held back to catch writes after free */
    size_t quarantine_blocks;
    double fragmentation;     /* 1 - largest_free / free_bytes: 0 is one free block */
    size_t errors;            /* errors reported so far */
};
/* Fill *stats (each arena's share taken under its lock; consistent when no other thread allocates). */
HC_EXPORT void hc_stats(struct hc_stats *stats);

/* Write a snapshot of the live heap now: the live blocks grouped by allocation stack,
 * the statistics and the heap map, taken at one moment, to DUMP_PATH.PID.snap.SEQ.json
 * (dump_path, or "heapcheck" in the current directory).  Safe while other threads
 * allocate; not from a signal handler (see snapshot_signal).  0 on success, -1 with
 * errno set (ENOTSUP in preset none). */
HC_EXPORT int hc_dump_now(void);

/* Print what heapcheck knows of an address, in the words of its reports: the block it
 * is in (offset, size, live or freed, allocation and free stacks), a guarded slot's
 * guard page, free memory of the heap, heapcheck's own memory, a fill pattern, a
 * stack or a mapping, or that nothing is known.  Safe to call from a debugger at a
 * breakpoint or after a fault (gdb: `call hc_describe(p)`): it waits for no lock (what
 * a held lock guards is left out, with a line saying so) and allocates nothing.
 * Returns 1 when something is known, 0 when nothing is, -1 when a held lock kept it
 * from looking. */
HC_EXPORT int hc_describe(const void *addr);

#ifdef __cplusplus
}
#endif

#endif
