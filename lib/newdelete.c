/* C++ operator new and delete (plain, array, sized, aligned and nothrow forms),
 * written in C under their mangled names so the library needs no C++ runtime and
 * preloads into C programs too.  Each records its family, so new freed with free,
 * malloc'd memory deleted, or new[] released with delete is reported. */
#include "internal.h"
#include "heap.h"
#include "vg.h"

#include <stdlib.h>
#include <unistd.h>

#define CALLER __builtin_frame_address(0)
#define EXPORT __attribute__((visibility("default")))

/* Present when the program has a C++ runtime; std::bad_alloc comes from there. */
extern void _ZSt17__throw_bad_allocv(void) __attribute__((weak, noreturn));

static HC_COLD void *out_of_memory(void)
{
    if (_ZSt17__throw_bad_allocv)
        _ZSt17__throw_bad_allocv();
    static const char msg[] = "heapcheck: operator new: out of memory and no C++ runtime to throw std::bad_alloc\n";
    (void)!write(2, msg, sizeof msg - 1);
    abort();
}

static inline size_t align_of(size_t a) { return a < 16 ? 16 : a; }

/* Inlined, so memcheck's client requests come from the operator itself. */
static inline __attribute__((always_inline)) void *new_block(size_t n, size_t align, enum alloc_kind kind,
                                                             void *frame)
{
    void *p = heap_alloc(n, align, kind, false, frame);
    vg_malloclike(p, n, false);
    return p;
}

static inline __attribute__((always_inline)) void delete_block(void *p, enum alloc_kind kind, void *frame)
{
    heap_free(p, kind, frame);
    vg_freelike(p);
}

#define NEW_FORMS(name, kind)                                                                   \
    EXPORT void *name(size_t n)                                                                 \
    {                                                                                           \
        void *p = new_block(n, 0, kind, CALLER);                                               \
        return p ? p : out_of_memory();                                                         \
    }

/* operator new(size_t), operator new[](size_t) */
EXPORT void *_Znwm(size_t n);
EXPORT void *_Znam(size_t n);
NEW_FORMS(_Znwm, KIND_NEW)
NEW_FORMS(_Znam, KIND_NEW_ARRAY)

/* nothrow: operator new(size_t, const std::nothrow_t&) and the array form */
EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, const void *tag);
EXPORT void *_ZnamRKSt9nothrow_t(size_t n, const void *tag);
EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, const void *tag)
{
    (void)tag;
    return new_block(n, 0, KIND_NEW, CALLER);
}
EXPORT void *_ZnamRKSt9nothrow_t(size_t n, const void *tag)
{
    (void)tag;
    return new_block(n, 0, KIND_NEW_ARRAY, CALLER);
}

/* aligned: operator new(size_t, std::align_val_t), with and without nothrow */
EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t a);
EXPORT void *_ZnamSt11align_val_t(size_t n, size_t a);
EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, const void *tag);
EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, const void *tag);
EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t a)
{
    void *p = HC_IS_POW2(a) ? new_block(n, align_of(a), KIND_NEW, CALLER) : NULL;
    return p ? p : out_of_memory();
}
EXPORT void *_ZnamSt11align_val_t(size_t n, size_t a)
{
    void *p = HC_IS_POW2(a) ? new_block(n, align_of(a), KIND_NEW_ARRAY, CALLER) : NULL;
    return p ? p : out_of_memory();
}
EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, const void *tag)
{
    (void)tag;
    return HC_IS_POW2(a) ? new_block(n, align_of(a), KIND_NEW, CALLER) : NULL;
}
EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, const void *tag)
{
    (void)tag;
    return HC_IS_POW2(a) ? new_block(n, align_of(a), KIND_NEW_ARRAY, CALLER) : NULL;
}

/* Every delete form: plain, sized, aligned, sized+aligned, nothrow, aligned+nothrow.
 * The size and alignment arguments are not needed: the block knows its own. */
#define DELETE_FORMS(kind, plain, sized, al, sized_al, nothrow, al_nothrow)                     \
    EXPORT void plain(void *p);                                                                 \
    EXPORT void sized(void *p, size_t n);                                                       \
    EXPORT void al(void *p, size_t a);                                                          \
    EXPORT void sized_al(void *p, size_t n, size_t a);                                          \
    EXPORT void nothrow(void *p, const void *t);                                                \
    EXPORT void al_nothrow(void *p, size_t a, const void *t);                                   \
    EXPORT void plain(void *p) { delete_block(p, kind, CALLER); }                                  \
    EXPORT void sized(void *p, size_t n) { (void)n; delete_block(p, kind, CALLER); }               \
    EXPORT void al(void *p, size_t a) { (void)a; delete_block(p, kind, CALLER); }                  \
    EXPORT void sized_al(void *p, size_t n, size_t a)                                           \
    {                                                                                           \
        (void)n, (void)a;                                                                       \
        delete_block(p, kind, CALLER);                                                             \
    }                                                                                           \
    EXPORT void nothrow(void *p, const void *t) { (void)t; delete_block(p, kind, CALLER); }        \
    EXPORT void al_nothrow(void *p, size_t a, const void *t)                                    \
    {                                                                                           \
        (void)a, (void)t;                                                                       \
        delete_block(p, kind, CALLER);                                                             \
    }

DELETE_FORMS(KIND_NEW, _ZdlPv, _ZdlPvm, _ZdlPvSt11align_val_t, _ZdlPvmSt11align_val_t,
             _ZdlPvRKSt9nothrow_t, _ZdlPvSt11align_val_tRKSt9nothrow_t)
DELETE_FORMS(KIND_NEW_ARRAY, _ZdaPv, _ZdaPvm, _ZdaPvSt11align_val_t, _ZdaPvmSt11align_val_t,
             _ZdaPvRKSt9nothrow_t, _ZdaPvSt11align_val_tRKSt9nothrow_t)
