/* Cross-cutting definitions for every module of libheapcheck: symbol visibility,
 * branch hints and the three tiers of assertions.  Nothing here allocates. */
#ifndef HC_INTERNAL_H
#define HC_INTERNAL_H

#include "config.h"
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define HC_LIKELY(x) __builtin_expect(!!(x), 1)
#define HC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HC_NOINLINE __attribute__((noinline))
#define HC_COLD __attribute__((cold, noinline))

/* Cheap invariant, always on: a broken allocator must stop, not spread damage.
 * It prints through the no-allocation path and aborts (see fatal.c). */
#define HC_ASSERT(c) \
    do { if (HC_UNLIKELY(!(c))) hc_assert_fail(#c, __FILE__, __LINE__); } while (0)

/* Checks too costly for release builds; on with ./configure --enable-debug. */
#ifdef HC_DEBUG
#define HC_DEBUG_ASSERT(c) HC_ASSERT(c)
#else
#define HC_DEBUG_ASSERT(c) ((void)0)
#endif

void hc_assert_fail(const char *cond, const char *file, int line)
    __attribute__((noreturn, cold));

#define HC_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((size_t)(a) - 1))
#define HC_IS_POW2(x) ((x) != 0 && ((x) & ((x) - 1)) == 0)

#endif
