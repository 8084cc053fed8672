/* The exported entry points: the hc_ API and, as aliases of the same functions, the
 * standard names that replace the system allocator.  Aliases (not wrappers) keep the
 * standard name the outermost allocator frame.  Argument checks live here; the work
 * is the heap front's (heap.h). */
#define _GNU_SOURCE
#include "internal.h"
#include "heap.h"
#include "report.h"
#include "snapshot.h"
#include "vg.h"
#include "heapcheck.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define CALLER __builtin_frame_address(0)
#define STANDARD(name, hc) extern __typeof__(hc) name __attribute__((alias(#hc), visibility("default")))

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* Inlined into each entry point, so memcheck's client requests are issued from the
 * outermost allocator frame (memcheck records its stacks from there). */
#define INLINE static inline __attribute__((always_inline))

INLINE void *do_alloc_kind(size_t size, size_t align, bool zero, enum alloc_kind kind, void *frame)
{
    void *p = heap_alloc(size, align, kind, zero, frame);
    vg_malloclike(p, size, zero);
    return p;
}

INLINE void *do_alloc(size_t size, size_t align, bool zero, void *frame)
{
    void *p = heap_alloc(size, align, KIND_MALLOC, zero, frame);
    vg_malloclike(p, size, zero);
    return p;
}

INLINE void do_free(void *p, void *frame)
{
    heap_free(p, KIND_MALLOC, frame);
    /* For a pointer heapcheck refused, this makes memcheck say "Invalid free()". */
    vg_freelike(p);
}

INLINE void *do_realloc(void *p, size_t size, void *frame)
{
    size_t old;
    int done = heap_resize(p, size, &old, frame);
    if (done > 0) {
        vg_resize(p, old, size);
        return p;
    }
    if (done < 0) {
        vg_freelike(p);
        errno = EINVAL;
        return NULL; /* p is not a block: there is nothing to copy */
    }
    void *q = do_alloc_kind(size, 0, false, KIND_REALLOC, frame);
    if (!q)
        return NULL; /* p stays valid, as the standard says */
    /* In preset none old is the block's whole capacity, past what memcheck knows the
     * program asked for: copying that tail is heapcheck's read, not the program's. */
    vg_enter();
    memcpy(q, p, old < size ? old : size);
    vg_leave();
    do_free(p, frame);
    return q;
}

HC_EXPORT void *hc_malloc(size_t size)
{
    return do_alloc(size, 0, false, CALLER);
}

HC_EXPORT void hc_free(void *ptr)
{
    do_free(ptr, CALLER);
}

HC_EXPORT void *hc_calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return do_alloc(total, 0, true, CALLER);
}

HC_EXPORT void *hc_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return do_alloc_kind(size, 0, false, KIND_REALLOC, CALLER);
    if (size == 0) { /* as glibc: free and return NULL */
        do_free(ptr, CALLER);
        return NULL;
    }
    return do_realloc(ptr, size, CALLER);
}

/* Under Valgrind, whether the tool replaced heapcheck's allocator (memcheck does by
 * default, in every shared object; not with --soname-synonyms=somalloc=
 * nouserintercepts).  It replaces malloc, free, calloc, realloc, memalign,
 * posix_memalign, aligned_alloc, valloc, malloc_usable_size and the C++ operators,
 * but (3.19) not reallocarray or pvalloc: those must then be served by the tool's
 * functions too, or the program frees with memcheck a block heapcheck made
 * ("Mismatched free()").  Found once: our own malloc_usable_size(NULL), called
 * through its address (which the tool redirects), either runs or does not. */
static bool vg_probe_ran;

static __attribute__((unused)) bool vg_replaced(void)
{
    static int state; /* 0 not asked, 1 replaced, 2 ours */
    if (!state) {
        size_t (*volatile probe)(void *) = hc_malloc_usable_size;
        vg_probe_ran = false;
        (void)probe(NULL);
        state = vg_probe_ran ? 2 : 1;
    }
    return state == 1;
}

HC_EXPORT void *hc_reallocarray(void *ptr, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (HC_UNLIKELY(vg_active) && vg_replaced()) {
        void *(*volatile tools_realloc)(void *, size_t) = hc_realloc; /* redirected */
        return tools_realloc(ptr, total);
    }
    if (!ptr)
        return do_alloc(total, 0, false, CALLER);
    if (total == 0) {
        do_free(ptr, CALLER);
        return NULL;
    }
    return do_realloc(ptr, total, CALLER);
}

/* memalign's rule, as glibc's (2.36): a small alignment means 16, one that is not a
 * power of two is rounded up to the next; past half the address space it is invalid
 * (EINVAL), and an alignment of 2^63 is valid but never satisfiable (ENOMEM). */
INLINE void *aligned(size_t alignment, size_t size, void *frame)
{
    if (alignment > ((size_t)1 << 63)) {
        errno = EINVAL;
        return NULL;
    }
    if (alignment > ((size_t)1 << 62)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t a = 16;
    while (a < alignment)
        a <<= 1;
    return do_alloc(size, a, false, frame);
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

/* glibc 2.36's aligned_alloc is memalign: any alignment (0 and 3 included) is served. */
HC_EXPORT void *hc_aligned_alloc(size_t alignment, size_t size)
{
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
    if (HC_UNLIKELY(vg_active) && vg_replaced()) {
        void *(*volatile tools_memalign)(size_t, size_t) = hc_memalign; /* redirected */
        return tools_memalign(page, rounded ? rounded : page);
    }
    return aligned(page, rounded ? rounded : page, CALLER);
}

HC_EXPORT size_t hc_malloc_usable_size(void *ptr)
{
    if (HC_UNLIKELY(!ptr))
        vg_probe_ran = true; /* vg_replaced's question */
    return heap_usable(ptr, CALLER);
}

HC_EXPORT size_t hc_check_heap(void)
{
    size_t bad = heap_check();
    if (bad)
        heap_finish_error();
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

HC_EXPORT int hc_dump_now(void)
{
    return snapshot_api();
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
