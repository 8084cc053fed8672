/* The exported entry points: the hc_ API and, as aliases of the same functions, the
 * standard names that replace the system allocator.  Aliases (not wrappers) keep the
 * standard name the outermost allocator frame.  Argument checks live here; the work
 * is the heap front's (heap.h). */
#define _GNU_SOURCE
#include "internal.h"
#include "heap.h"
#include "report.h"
#include "heapcheck.h"

#include <errno.h>
#include <unistd.h>

#define CALLER __builtin_frame_address(0)
#define STANDARD(name, hc) extern __typeof__(hc) name __attribute__((alias(#hc), visibility("default")))

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

HC_EXPORT void *hc_malloc(size_t size)
{
    return heap_alloc(size, 16, KIND_MALLOC, false, CALLER);
}

HC_EXPORT void hc_free(void *ptr)
{
    heap_free(ptr, KIND_MALLOC, CALLER);
}

HC_EXPORT void *hc_calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return heap_alloc(total, 16, KIND_MALLOC, true, CALLER);
}

HC_EXPORT void *hc_realloc(void *ptr, size_t size)
{
    return heap_realloc(ptr, size, CALLER);
}

HC_EXPORT void *hc_reallocarray(void *ptr, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return heap_realloc(ptr, total, CALLER);
}

/* memalign's rule, as glibc's: a small alignment means 16, one that is not a power of
 * two is rounded up to the next. */
static void *aligned(size_t alignment, size_t size, void *frame)
{
    if (alignment > ((size_t)1 << 62)) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = 16;
    while (a < alignment)
        a <<= 1;
    return heap_alloc(size, a, KIND_MALLOC, false, frame);
}

HC_EXPORT int hc_posix_memalign(void **out, size_t alignment, size_t size)
{
    if (!HC_IS_POW2(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    int saved = errno;
    void *p = aligned(alignment, size, CALLER);
    if (!p) {
        int err = errno;
        errno = saved;
        return err;
    }
    *out = p;
    return 0;
}

HC_EXPORT void *hc_aligned_alloc(size_t alignment, size_t size)
{
    if (!HC_IS_POW2(alignment)) {
        errno = EINVAL;
        return NULL;
    }
    return aligned(alignment, size, CALLER);
}

HC_EXPORT void *hc_memalign(size_t alignment, size_t size)
{
    return aligned(alignment, size, CALLER);
}

HC_EXPORT void *hc_valloc(size_t size)
{
    return aligned(page_size(), size, CALLER);
}

HC_EXPORT void *hc_pvalloc(size_t size)
{
    size_t page = page_size();
    size_t rounded = HC_ALIGN_UP(size, page);
    if (rounded < size) {
        errno = ENOMEM;
        return NULL;
    }
    return aligned(page, rounded ? rounded : page, CALLER);
}

HC_EXPORT size_t hc_malloc_usable_size(void *ptr)
{
    return heap_usable(ptr, CALLER);
}

HC_EXPORT size_t hc_check_heap(void)
{
    size_t bad = heap_check();
    if (bad)
        report_finish_error();
    return bad;
}

HC_EXPORT size_t hc_leak_report(void)
{
    return heap_leak_report();
}

HC_EXPORT void hc_stats(struct hc_stats *stats)
{
    heap_stats(stats);
}

/* The internal library (for unit tests) leaves the system allocator in place. */
#ifndef HC_NO_STANDARD_NAMES
STANDARD(malloc, hc_malloc);
STANDARD(free, hc_free);
STANDARD(calloc, hc_calloc);
STANDARD(realloc, hc_realloc);
STANDARD(reallocarray, hc_reallocarray);
STANDARD(posix_memalign, hc_posix_memalign);
STANDARD(aligned_alloc, hc_aligned_alloc);
STANDARD(memalign, hc_memalign);
STANDARD(valloc, hc_valloc);
STANDARD(pvalloc, hc_pvalloc);
STANDARD(malloc_usable_size, hc_malloc_usable_size);
#endif
