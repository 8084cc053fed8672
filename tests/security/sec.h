/* The exploitation suite's common part.  Each program tries one heap-exploitation
 * technique, aimed at heapcheck's layout under its guarded presets, and says how it
 * ended, so tests/security/run.sh can tell a technique that was stopped from one that
 * worked:
 *   "PRIMITIVE WORKED: ..." and exit SEC_WORKED: the allocator handed out what the
 *                                     attacker chose (an address, a write, an overlap);
 *   "primitive failed"   and exit SEC_FAILED: nothing worked, nothing was reported;
 *   killed by the allocator (abort) before either line: the technique was stopped.
 * Lines go straight to fd 1 (no stdio buffer is lost when the allocator aborts).
 *
 * heapcheck's layout under the full and hardened presets (docs/design.md): a user
 * pointer u has the core block's head word at u - 24, the guard header at u - 16; a
 * free core block keeps its two free-index links where that header was (u - 16,
 * u - 8) and a copy of its size at its end (the foot).  Sizes are multiples of 16;
 * the low 4 bits of a head are flags (1: in use), the top 17 bits of a free head its
 * tag. */
#ifndef SEC_H
#define SEC_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The allocator through volatile pointers: a compiler may assume that what malloc
 * returns is no static or stack object and fold the very comparisons that tell
 * whether a technique worked (tests/detect/alloc.h does the same). */
static void *(*volatile sec_malloc)(size_t) = malloc;
static void (*volatile sec_free)(void *) = free;
#define malloc(n) sec_malloc(n)
#define free(p) sec_free(p)

#define SEC_WORKED 42
#define SEC_FAILED 43
#define SEC_NA 44    /* no such structure in this allocator (the matrix says n/a) */
#define SEC_SETUP 99 /* the layout is not what the technique expects: a test error */

#define SIZE_MASK ((((size_t)1 << 47) - 1) & ~(size_t)15)

static inline void say(const char *s) { (void)!write(1, s, strlen(s)); }

static inline __attribute__((noreturn)) void worked(const char *what)
{
    say("PRIMITIVE WORKED: ");
    say(what);
    say("\n");
    _exit(SEC_WORKED);
}

static inline __attribute__((noreturn)) void failed(void)
{
    say("primitive failed (nothing reported)\n");
    _exit(SEC_FAILED);
}

static inline __attribute__((noreturn)) void setup_error(const char *why)
{
    say("setup error: ");
    say(why);
    say("\n");
    _exit(SEC_SETUP);
}

static inline __attribute__((noreturn)) void not_applicable(const char *why)
{
    say("not applicable: ");
    say(why);
    say("\n");
    _exit(SEC_NA);
}

/* Which allocator the program runs on: each technique aims at heapcheck's layout, and
 * where it is short, at glibc's (the same variant is tried on Scudo, whose chunk
 * header sits where glibc's does: 16 bytes before the pointer). */
enum allocator { ON_HEAPCHECK, ON_GLIBC, ON_SCUDO };
static inline enum allocator allocator(void)
{
    if (dlsym(RTLD_DEFAULT, "hc_check_heap"))
        return ON_HEAPCHECK;
    return dlsym(RTLD_DEFAULT, "__scudo_print_stats") ? ON_SCUDO : ON_GLIBC;
}

static inline size_t *head_of(void *u) { return (size_t *)((char *)u - 24); }
static inline size_t size_of(void *u) { return *head_of(u) & SIZE_MASK; }
static inline void **link_of(void *u, int i) { return (void **)((char *)u - 16 + 8 * i); }
/* The head word of the block after u's. */
static inline size_t *next_head(void *u) { return (size_t *)((char *)head_of(u) + size_of(u)); }

/* Keeps the compiler from dropping a store into freed memory. */
static inline void *launder(void *p)
{
    __asm__ volatile("" : "+r"(p)::"memory");
    return p;
}

/* Grooming for the full preset: its first allocations (guard_first) get guarded slots,
 * whose blocks have no core layout; these use them up.  Kept for the program's life. */
static inline void groom(void)
{
    static void *first[1100];
    for (int i = 0; i < 1100; i++)
        first[i] = malloc(16);
    launder(first);
}

/* The quarantine (full preset) holds freed blocks back: enough frees after the
 * victim's push it out to the core's free index.  The hardened preset's hold (32
 * places taken at random, docs/design.md) lets a block go after a geometric number of
 * frees: 480 more small ones leave the victim held with odds (31/32)^528, under 10^-7.
 * Allocated before the victim's layout so that, when they leave, they merge among
 * themselves, not with the victim. */
#define FLUSH_BLOCKS 48
#define HOLD_FLUSH_BLOCKS 480
static void *flushers[FLUSH_BLOCKS], *hold_flushers[HOLD_FLUSH_BLOCKS];
static inline void flush_prepare(void)
{
    for (int i = 0; i < FLUSH_BLOCKS; i++)
        flushers[i] = malloc(60000);
    for (int i = 0; i < HOLD_FLUSH_BLOCKS; i++)
        hold_flushers[i] = malloc(100);
}
static inline void flush_quarantine(void)
{
    for (int i = 0; i < FLUSH_BLOCKS; i++)
        free(flushers[i]);
    for (int i = 0; i < HOLD_FLUSH_BLOCKS; i++)
        free(hold_flushers[i]);
}

/* A .bss or stack area laid out as a free block of the core: a head word at 8 mod 16,
 * so the payload (the links) is 16-aligned; a user pointer at payload + 16. */
struct fake_block {
    size_t pad, head;
    void *link[2];
    unsigned char rest[8192];
} __attribute__((aligned(16)));

static inline void *fake_user(struct fake_block *f) { return (char *)&f->link[0] + 16; }
static inline void fake_set(struct fake_block *f, size_t size, size_t flags)
{
    f->head = size | flags;
    *(size_t *)((char *)&f->head + size - 8) = size | flags;
}

#endif
