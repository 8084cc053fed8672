/* Valgrind memcheck integration through client requests (docs/valgrind.md).
 *
 * Under memcheck, every byte of the heap is NOACCESS except live user payloads,
 * which memcheck knows as blocks (MALLOCLIKE/FREELIKE/RESIZEINPLACE, issued from the
 * outermost allocator functions so memcheck's stacks start at the program's call).
 * heapcheck's own reads and writes of its metadata happen with memcheck's error
 * reporting disabled for the thread, so memcheck never reports the allocator itself.
 * Without valgrind/memcheck.h, or when not running under Valgrind, each of these is
 * a test of one flag or nothing at all. */
#ifndef HC_VG_H
#define HC_VG_H

#include "internal.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>

extern bool vg_active; /* set once at start-up: RUNNING_ON_VALGRIND */

static inline void vg_init(void) { vg_active = RUNNING_ON_VALGRIND != 0; }
static inline void vg_enter(void) { if (HC_UNLIKELY(vg_active)) VALGRIND_DISABLE_ERROR_REPORTING; }
static inline void vg_leave(void) { if (HC_UNLIKELY(vg_active)) VALGRIND_ENABLE_ERROR_REPORTING; }
static inline void vg_noaccess(const void *p, size_t n)
{
    if (HC_UNLIKELY(vg_active))
        (void)VALGRIND_MAKE_MEM_NOACCESS(p, n);
}
static inline void vg_malloclike(const void *p, size_t n, bool zeroed)
{
    if (HC_UNLIKELY(vg_active) && p)
        VALGRIND_MALLOCLIKE_BLOCK(p, n, 0, zeroed);
}
static inline void vg_freelike(const void *p)
{
    if (HC_UNLIKELY(vg_active) && p)
        VALGRIND_FREELIKE_BLOCK(p, 0);
}
static inline void vg_resize(const void *p, size_t old, size_t n)
{
    if (HC_UNLIKELY(vg_active))
        VALGRIND_RESIZEINPLACE_BLOCK(p, old, n, 0);
}
#else
#define vg_active false
static inline void vg_init(void) {}
static inline void vg_enter(void) {}
static inline void vg_leave(void) {}
static inline void vg_noaccess(const void *p, size_t n) { (void)p, (void)n; }
static inline void vg_malloclike(const void *p, size_t n, bool zeroed) { (void)p, (void)n, (void)zeroed; }
static inline void vg_freelike(const void *p) { (void)p; }
static inline void vg_resize(const void *p, size_t old, size_t n) { (void)p, (void)old, (void)n; }
#endif

#endif
