/* glibc's own memory, which is not the program's leak (docs/design.md, "The leak
 * check").
 *
 * At exit, before the leak check, glibc is asked to release what it keeps for the
 * process's lifetime (__libc_freeres: the setenv tree, locale data, NSS modules,
 * stdio buffers...; and libstdc++'s __gnu_cxx::__freeres, its exception pool), as
 * memcheck does.  Only when that is safe: at the final leak check (never for
 * hc_leak_report() mid-run), with no other thread alive (one could be using what
 * is freed) and not from a signal handler (the handler may have interrupted glibc
 * inside setenv or stdio, holding the lock freeres takes, or in the middle of
 * changing what it frees).
 *
 * What remains when it could not run, or mid-run, is taken out of the report as a
 * built-in suppression of glibc's own blocks.  The known case is setenv's tree:
 * glibc's tsearch keeps a red-black colour in the low bit of its node pointers, so
 * each node and each "NAME=value" string it holds is only reachable through an
 * interior pointer: "possibly lost" (167 bytes in gnulib's test-localename).  A
 * record is glibc's when its allocation stack's frames inside libc, before the
 * program's first, go through a function whose memory is glibc's to keep (see
 * glibc_own).  Names come from the report's symbolizer: __add_to_environ (setenv's
 * and putenv's worker; setenv tail-calls it) is named only with libc's debug
 * information; without it, the tree's nodes (allocated in the exported tsearch)
 * and strerror's buffers are still recognized, setenv's strings not. */
#define _GNU_SOURCE
#include "internal.h"
#include "libcfree.h"
#include "depot.h"
#include "options.h"
#include "report.h"
#include "stack.h"
#include "symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void __libc_freeres(void) __attribute__((weak));
extern void _ZN9__gnu_cxx9__freeresEv(void) __attribute__((weak)); /* __gnu_cxx::__freeres() */

/* The number of threads of this process (/proc/self/stat's 20th field); 0 when it
 * cannot be read. */
static long thread_count(void)
{
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name, in parentheses, may hold spaces and parentheses itself: the
     * fields start after the last ')'; that is field 2, so 18 more to the 20th. */
    char *p = strrchr(buf, ')');
    for (int field = 2; p && field < 20; field++)
        p = strchr(p + 1, ' ');
    return p ? strtol(p + 1, NULL, 10) : 0;
}

void libc_release_at_exit(void)
{
    if (options.leak_check == LEVEL_OFF || !__libc_freeres)
        return;
    int saved = errno;
    if (thread_count() == 1 && !stack_in_signal_handler()) {
        symbols_prepare(); /* reads the environment, which freeres clears */
        if (_ZN9__gnu_cxx9__freeresEv)
            _ZN9__gnu_cxx9__freeresEv();
        __libc_freeres();
    }
    errno = saved;
}

static bool in_libc(const void *pc)
{
    const char *path = NULL;
    uintptr_t offset;
    if (!symbols_module(pc, &path, &offset) || !path)
        return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strncmp(base, "libc.so", 7) == 0;
}

/* A function's name without glibc's internal prefixes (__GI_, leading underscores):
 * the debug information's "__GI___tsearch" and the symbol table's "tsearch" alike. */
static bool named(const struct sym_answer *a, unsigned n, const char *const *names)
{
    for (unsigned k = 0; k < n; k++) {
        const char *f = a[k].function;
        if (!f)
            continue;
        if (strncmp(f, "__GI_", 5) == 0)
            f += 5;
        while (*f == '_')
            f++;
        for (const char *const *q = names; *q; q++)
            if (strcmp(f, *q) == 0)
                return true;
    }
    return false;
}

/* Whether a leak record's allocation stack is glibc's own (see above): made, before
 * the program's first frame, inside setenv and putenv's worker, or in a libc
 * function whose memory never goes to the caller (strerror's and strsignal's
 * buffers for unknown numbers, setlocale's names, the time zone), or by tsearch
 * called from libc itself. */
static bool glibc_own(uint32_t stack)
{
    static const char *const owners[] = {"add_to_environ", "strerror", "strerror_l", "strsignal",
                                         "setlocale", "tzset", "tzset_internal", "tzfile_read", NULL};
    static const char *const tsearch[] = {"tsearch", NULL};
    unsigned npc;
    void *const *pcs = depot_get(stack, &npc);
    for (unsigned i = 0; i < npc && in_libc(pcs[i]); i++) {
        struct sym_answer a[SYM_MAX_INLINED];
        unsigned n = symbols_lookup(pcs[i], a, SYM_MAX_INLINED);
        if (named(a, n, owners))
            return true;
        if (i == 0 && named(a, n, tsearch) && npc > 1 && in_libc(pcs[1]))
            return true;
    }
    return false;
}

void libc_suppress_leaks(struct leak_result *r)
{
    report_begin(); /* the symbolizer's lock */
    size_t kept = 0;
    for (size_t i = 0; i < r->nrecords; i++) {
        struct leak_record *x = &r->records[i];
        if (x->kind != LEAK_REACHABLE && glibc_own(x->stack)) {
            r->bytes[x->kind] -= x->bytes;
            r->blocks[x->kind] -= x->blocks;
            r->suppressed_bytes += x->bytes;
            r->suppressed_blocks += x->blocks;
        } else {
            r->records[kept++] = *x;
        }
    }
    r->nrecords = kept;
    report_discard();
}
